"""Layout "header_lines": the meeting the Vorlage is printed for, from the labels
"Gremium:" / "Termin:" or a line "20. Sitzung des Gemeinderates am 24.01.2006 TOP 6",
merged into the table's steps."""

from __future__ import annotations

import re
from datetime import date

from assistant.schema import Beratungsschritt
from ingest.beratungsfolge.dates import search_date
from ingest.beratungsfolge.lines import Line
from ingest.beratungsfolge.rows import clean_gremium, genitive_to_nominative
from ingest.beratungsfolge.words import UNFINISHED, parse_oeffentlich

HEAD_LINES = 45
_LABEL = re.compile(
    r"^(?:Gremium|Termin|TOP|Vorlage\s*Nr\.?|Verantwortlich|Dienststelle|Sitzung|Datum)\s*:",
    re.IGNORECASE,
)
_GREMIUM_LABEL = re.compile(r"^Gremium\s*:\s*(?P<v>.*)$", re.IGNORECASE)
_TERMIN_LABEL = re.compile(r"^Termin\s*:\s*(?P<v>.*)$", re.IGNORECASE)
_SESSION_LINE = re.compile(
    r"^\d{1,3}\.\s*(?:öffentliche\s+|nichtöffentliche\s+)?(?:Plenar)?[Ss]itzung\s+"
    r"(?:des\s+|der\s+)?(?P<g>.{3,60}?)\s+am\s+(?P<rest>.+)$"
)
_OE_LINE = re.compile(r"^(?:nicht\s?öffentlich|nichtöffentlich|öffentlich)$", re.IGNORECASE)


def header_step(lines: list[Line]) -> Beratungsschritt | None:
    head = [ln.text for ln in lines[:HEAD_LINES]]
    for k, text in enumerate(head):
        if m := _GREMIUM_LABEL.match(text):
            return _labelled_step(head, k, m.group("v").strip())
        if m := _SESSION_LINE.match(text):
            found = search_date(m.group("rest"))
            if found is not None and found[1] == 0:
                name = genitive_to_nominative(clean_gremium([m.group("g")]))
                return Beratungsschritt(gremium=name, datum=found[0])
    return None


def _labelled_step(head: list[str], k: int, inline: str) -> Beratungsschritt | None:
    window = head[k + 1 : k + 16]
    parts = [inline] if inline else []
    if not parts:
        values = [t for t in window if t and not _LABEL.match(t)]
        if not values or search_date(values[0]) is not None:
            return None
        parts.append(values[0])
        nxt = values[1] if len(values) > 1 else ""
        if UNFINISHED.search(values[0]) or re.match(r"^\w+(?:rates|rats)$", nxt):
            parts.append(nxt)
    name = genitive_to_nominative(clean_gremium(parts))
    if not name or search_date(name) is not None:
        return None
    when = _termin(window)
    flag = next((parse_oeffentlich(t) for t in window if _OE_LINE.match(t)), None)
    return Beratungsschritt(gremium=name, datum=when, oeffentlich=flag)


def _termin(window: list[str]) -> date | None:
    for n, text in enumerate(window):
        m = _TERMIN_LABEL.match(text)
        if m is None:
            continue
        found = search_date(m.group("v")) if m.group("v") else None
        if found is not None:
            return found[0]
        for later in window[n + 1 :]:
            found = search_date(later)
            if found is not None and found[1] == 0:
                return found[0]
        return None
    return None


def merge_header_step(
    steps: list[Beratungsschritt], extra: Beratungsschritt
) -> list[Beratungsschritt]:
    """Add the header's step to the table: fill in facts on a same-date row, else insert."""
    if extra.datum is None:
        return steps if steps else [extra]
    for n, step in enumerate(steps):
        if step.datum == extra.datum:
            if step.oeffentlich is None and extra.oeffentlich is not None:
                steps[n] = step.model_copy(update={"oeffentlich": extra.oeffentlich})
            return steps
    pos = next(
        (n for n, s in enumerate(steps) if s.datum is not None and s.datum > extra.datum),
        len(steps),
    )
    return [*steps[:pos], extra, *steps[pos:]]
