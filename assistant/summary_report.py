"""``report.html`` and ``summaries.csv`` of a summary run (issue 13).

The report is one self-contained page: inline CSS, inline SVG charts
(:mod:`assistant.summary_charts`, each with a title, a description and its data as a table),
a table of every summary with filters (a few lines of inline JavaScript; the page works without
them) and links back to the sources, the Integrationskonzepte with the Vorlagen that refer to
them, and the section "Nicht oder nur teilweise zusammengefasst" listing every document that
was skipped, cut or failed, with the reason. No external asset, script or font: it opens
offline. Every text from a document is escaped (Jinja's autoescape); links are only
``http(s)://`` URLs and ``file://`` URIs of absolute paths.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from jinja2 import Environment, select_autoescape

from assistant.presenter import finding_line
from assistant.presenter_summaries import BEZUG_LABELS, COVERAGE_LABELS, STATUS_LABELS
from assistant.summary_charts import charts, concept_groups
from assistant.summary_page import PAGE
from assistant.summary_schema import SummaryRecord

__all__ = ["CSV_COLUMNS", "render_report", "source_link", "summaries_csv"]

CSV_COLUMNS = (
    "quelle",
    "vorlage_id",
    "status",
    "vorlagen_nr",
    "datum",
    "betreff",
    "kommune",
    "art",
    "oeffentlich",
    "entscheidungsgremium",
    "kurzfassung",
    "beschluss",
    "betraege",
    "schlagworte",
    "betroffene_gruppen",
    "orte",
    "integrationskonzept",
    "integrationskonzept_name",
    "gelesen",
    "befunde",
    "grund",
    "modell",
    "prompt_version",
    "inhalt_hash",
)


def source_link(source: str) -> str | None:
    """A link to the source: an http(s) URL as it is, an absolute path as ``file://`` URI."""
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return source
    path = Path(source)
    return path.as_uri() if path.is_absolute() else None


def summaries_csv(records: Sequence[SummaryRecord]) -> str:
    """One row per record (semicolon-separated lists; German headings as the JSON fields)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow(
            [
                r.source,
                r.vorlage_id or "",
                STATUS_LABELS[r.status],
                r.vorlagen_nr or "",
                r.datum.isoformat() if r.datum else "",
                r.betreff or "",
                r.kommune or "",
                r.art or "",
                "" if r.oeffentlich is None else ("ja" if r.oeffentlich else "nein"),
                r.entscheidungsgremium or "",
                r.kurzfassung,
                r.beschluss,
                "; ".join(f"{a.betrag} ({a.zweck})" for a in r.betraege),
                "; ".join(r.schlagworte),
                "; ".join(r.betroffene_gruppen),
                "; ".join(r.orte),
                BEZUG_LABELS[r.integrationskonzept.bezug],
                r.integrationskonzept.referenz,
                COVERAGE_LABELS[r.coverage],
                " | ".join(finding_line(f) for f in r.findings),
                r.reason or "",
                r.model,
                r.prompt_version,
                r.content_hash,
            ]
        )
    return buffer.getvalue()


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["datum"] = lambda d: d.strftime("%d.%m.%Y") if d else ""
    return env


def render_report(
    records: Sequence[SummaryRecord],
    *,
    generated: datetime,
    title: str = "Zusammenfassungen",
    link: Callable[[str], str | None] = source_link,
) -> str:
    """The report page for ``records`` (one per document); ``link`` gives a record's source
    its link (by default :func:`source_link`; the app links its store's Vorlagen to its own
    page of each)."""
    summarised = sorted(
        (r for r in records if r.summarised),
        key=lambda r: (r.datum.isoformat() if r.datum else "", r.betreff or ""),
        reverse=True,
    )
    problems = [r for r in records if not r.summarised or r.coverage == "teilweise"]
    years = sorted({r.datum.year for r in summarised if r.datum}, reverse=True)
    models = sorted({r.model for r in summarised if r.model})
    versions = sorted({r.prompt_version for r in records})
    counts = {
        label: sum(1 for r in records if r.status == key) for key, label in STATUS_LABELS.items()
    }
    return (
        _environment()
        .from_string(PAGE)
        .render(
            title=title,
            generated=generated.strftime("%d.%m.%Y %H:%M"),
            counts=counts,
            total=len(records),
            charts=charts(records),
            concepts=concept_groups(summarised),
            rows=summarised,
            problems=problems,
            years=years,
            models=models,
            versions=versions,
            status_labels=STATUS_LABELS,
            coverage_labels=COVERAGE_LABELS,
            bezug_labels=BEZUG_LABELS,
            link=link,
            finding_line=finding_line,
        )
    )
