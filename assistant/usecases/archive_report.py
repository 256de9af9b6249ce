"""The report of a store's summaries, as the app serves it (issue 13, "back into the product").

The summaries of the store's Vorlagen (``<store>/summaries.jsonl``, written by
``POST /api/summaries`` and by ``vorlagen summarize --store``) become the same self-contained
page as ``vorlagen summarize``'s ``report.html`` (:func:`assistant.summary_report.render_report`),
with two differences for a page served to many callers:

* only records of Vorlagen the caller may see: a caller without the right sees only records of
  öffentliche Vorlagen (a record whose Vorlage is nichtöffentlich or unknown is left out,
  counts and charts included);
* links go to the app's own page of a stored Vorlage (``/vorlage/{id}``) or to a web source;
  never ``file://`` (a path on the server means nothing in a browser).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote, urlparse

from assistant.summary_report import render_report
from assistant.summary_schema import SummaryRecord
from assistant.usecases.summarize_sources import STORE_PREFIX
from assistant.usecases.summary_log import SummaryLog

__all__ = ["REPORT_TITLE", "archive_report", "served_link", "visible_records"]

REPORT_TITLE = "Übersicht der Zusammenfassungen"


def visible_records(
    records: Iterable[SummaryRecord], *, allow_nonpublic: bool
) -> list[SummaryRecord]:
    """The records the caller may see (see the module docstring)."""
    return [r for r in records if allow_nonpublic or r.oeffentlich is True]


def served_link(source: str) -> str | None:
    """``index:<id>`` -> ``/vorlage/<id>``; an http(s) URL as it is; anything else none."""
    if source.startswith(STORE_PREFIX):
        return "/vorlage/" + quote(source[len(STORE_PREFIX) :], safe="")
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return source
    return None


def archive_report(log: SummaryLog, *, allow_nonpublic: bool, generated: datetime) -> str | None:
    """The report page of the summaries in ``log`` the caller may see; ``None`` when there is
    none (the caller shows its empty state). Blocking (reads the file)."""
    records = visible_records(log.latest().values(), allow_nonpublic=allow_nonpublic)
    if not records:
        return None
    return render_report(records, generated=generated, title=REPORT_TITLE, link=served_link)
