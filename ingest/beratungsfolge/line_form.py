"""Layout "lines": the SessionNet line form, "Beratungsfolge:" then per body
"<Gremium> <Rolle>" followed by "<date>" + "<meeting title> [result]" pairs."""

from __future__ import annotations

import re
from datetime import date

from assistant.schema import Beratungsschritt, Rolle
from ingest.beratungsfolge.dates import search_date
from ingest.beratungsfolge.lines import Line, filled
from ingest.beratungsfolge.rows import Row, clean_gremium
from ingest.beratungsfolge.words import ROLLE_AT_END, parse_rolle

_RESULT_AT_END = re.compile(
    r"\s+(?P<r>(?:(?:ungeändert|geändert|mit Änderungen(?: und Ergänzungen)?|einstimmig|"
    r"mehrheitlich)\s+)?(?:beschlossen|empfohlen|zugestimmt)|zur Kenntnis genommen|"
    r"Kenntnis genommen|abgelehnt|vertagt|zurückgestellt|zurückgezogen|verwiesen|abgesetzt|"
    r"erledigt|vorberaten)(?:\s*\([^)]*\))?\s*$",
    re.IGNORECASE,
)
_STOP_LINE = re.compile(
    r"^(?:Anlagen?|Anlage/n|Sachverhalt|Sachdarstellung|Beschlussvorschlag|Begründung|Betreff|"
    r"Verfahrensbeteiligte|Finanzielle)\b",
    re.IGNORECASE,
)


def _is_date_line(text: str) -> date | None:
    found = search_date(text)
    if found is None or found[1] > 2:
        return None
    rest = text[found[2] :].strip()
    if rest and not re.fullmatch(r"(?:\d{1,2}:\d{2}(?:\s*Uhr)?)?", rest):
        return None
    return found[0]


def parse_line_form(lines: list[Line], i: int) -> tuple[list[Beratungsschritt], int]:
    """ "Gremium Rolle" lines each followed by date and meeting-title lines."""
    steps: list[Beratungsschritt] = []
    current: tuple[str, Rolle | None] | None = None
    last_row: Row | None = None
    last = i
    after_date = False
    for j in filled(lines, i + 1):
        text = lines[j].text
        if _STOP_LINE.match(text):
            break
        when = _is_date_line(text)
        if when is not None and current is not None:
            last_row = Row([current[0]], when, rolle=current[1])
            steps.append(_finish_line_row(last_row))
            last, after_date = j, True
            continue
        m = ROLLE_AT_END.match(text)
        if m and len(text) <= 120 and "\t" not in text:
            current = (m.group("g"), parse_rolle(m.group("r")))
            last, after_date = j, False
            continue
        if after_date and last_row is not None and len(text) <= 200:
            res = _RESULT_AT_END.search(text)
            if res:
                last_row.ergebnis = res.group("r").split("(")[0].strip()
                steps[-1] = _finish_line_row(last_row)
            last, after_date = j, False
            continue
        break
    return [s for s in steps if s is not None], last


def _finish_line_row(row: Row) -> Beratungsschritt:
    name = clean_gremium(row.gremium) or row.gremium[0]
    return Beratungsschritt(
        gremium=name, rolle=row.rolle, datum=row.datum, ergebnis=row.ergebnis or None
    )
