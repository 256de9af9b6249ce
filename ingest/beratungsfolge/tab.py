"""Layout "tab": TAB tables with a header row (Session PDF exports, Leverkusen,
Lampertheim); columns are mapped by their header, a cell's own content decides where the
header does not."""

from __future__ import annotations

import re

from assistant.schema import Beratungsschritt
from ingest.beratungsfolge.dates import search_date
from ingest.beratungsfolge.lines import Line
from ingest.beratungsfolge.rows import Row, to_step
from ingest.beratungsfolge.words import parse_oeffentlich, parse_rolle

_TAB_DATE_COL = re.compile(r"datum|termin|sitzung", re.IGNORECASE)
_TAB_ROLLE_COL = re.compile(r"zuständigkeit|rolle|beratungsart|art der beratung", re.IGNORECASE)
_TAB_OE_COL = re.compile(r"behandlung|öffentlich|status|ö\s*/\s*n", re.IGNORECASE)
_TAB_RESULT_COL = re.compile(r"ergebnis|beschluss", re.IGNORECASE)


def parse_tab_table(lines: list[Line], i: int) -> tuple[list[Beratungsschritt], int]:
    """Rows after the TAB header at ``i``; returns steps and the index of the last row."""
    header = [c.strip() for c in lines[i].text.split("\t")]
    steps: list[Beratungsschritt] = []
    last = i
    for j in range(i + 1, len(lines)):
        text = lines[j].text
        if "\t" not in text:
            break
        cells = [c.strip() for c in text.split("\t")]
        row = Row(gremium=[cells[0]])
        for col, cell in enumerate(cells[1:], start=1):
            _tab_cell(row, header[col] if col < len(header) else "", cell)
        step = to_step(row)
        if step is None:
            break
        steps.append(step)
        last = j
    return steps, last


def _tab_cell(row: Row, title: str, cell: str) -> None:
    if not cell:
        return
    found = search_date(cell)
    if found and (_TAB_DATE_COL.search(title) or found[2] - found[1] >= len(cell) - 6):
        row.datum = row.datum or found[0]
        return
    if (rolle := parse_rolle(cell)) is not None and not _TAB_RESULT_COL.search(title):
        row.rolle = rolle
        return
    if (flag := parse_oeffentlich(cell)) is not None and (
        _TAB_OE_COL.search(title) or len(cell) > 2
    ):
        row.oeffentlich = flag
        return
    if _TAB_RESULT_COL.search(title):
        row.ergebnis = cell
