"""The Beratungsfolge table of ALLRIS 4 (``vo020`` pages of ALLRIS net 4.1).

The page renders one row per body and, below it, one row per meeting that treated the Vorlage;
after the page source (``ingest.sources.html``) and the normaliser, the table reads::

    Status  Datum  Gremium  Beschluss  NA
    ● Erledigt  Schulausschuss  Vorberatung
    29.06.2026  Sitzung des Schulausschusses  vertagt  NA
    01.09.2026  Sitzung des Schulausschusses
    ● Gestoppt  Rat der Stadt Laatzen  Entscheidung

A body row ("●" and the workflow status, the body, its role) opens a step; each meeting row
under it (date, meeting, result) is one dated step of that body; a body without a meeting row
gives one step without a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt, Rolle
from ingest.beratungsfolge.dates import search_date
from ingest.beratungsfolge.flat import rolle_of
from ingest.beratungsfolge.lines import Line, Span

_HEADER = re.compile(r"^Status\tDatum\tGremium\tBeschluss(?:\tNA)?$")
_BODY_ROW = re.compile(r"^●\s*(?:[^\t]*)\t(?P<g>[^\t]+)(?:\t(?P<r>[^\t]+))?$")
_MEETING_ROW = re.compile(r"^(?P<d>[^\t]+)\t(?P<m>[^\t]+)(?:\t(?P<e>[^\t]+?))?(?:\tNA)?$")


@dataclass
class _Body:
    gremium: str
    rolle: Rolle | None
    meetings: list[tuple[date, str | None]] = field(default_factory=list)


def read_table(lines: list[Line]) -> tuple[list[Beratungsschritt], Span] | None:
    """Steps and span of an ALLRIS 4 Beratungsfolge table, if the text has one."""
    start = next((i for i, line in enumerate(lines) if _HEADER.match(line.text)), None)
    if start is None:
        return None
    bodies: list[_Body] = []
    last = start
    for j in range(start + 1, len(lines)):
        if not _row(lines[j].text, bodies):
            break
        last = j
    steps = [step for body in bodies for step in _steps(body)]
    return (steps, (lines[start].start, lines[last].end)) if steps else None


def _row(text: str, bodies: list[_Body]) -> bool:
    """Add one table row; False at the first line that is not a row of the table."""
    if m := _BODY_ROW.match(text):
        role = (m.group("r") or "").strip()
        bodies.append(_Body(m.group("g").strip(), rolle_of(role) if role else None))
        return True
    m = _MEETING_ROW.match(text)
    if m is None or not bodies:
        return False
    found = search_date(m.group("d"))
    if found is None:
        return False
    result = (m.group("e") or "").strip() or None
    bodies[-1].meetings.append((found[0], result))
    return True


def _steps(body: _Body) -> list[Beratungsschritt]:
    if not body.meetings:
        return [Beratungsschritt(gremium=body.gremium, rolle=body.rolle)]
    return [
        Beratungsschritt(gremium=body.gremium, rolle=body.rolle, datum=when, ergebnis=result)
        for when, result in body.meetings
    ]
