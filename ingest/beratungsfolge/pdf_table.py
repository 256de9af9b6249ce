"""Layouts "pdf" and "lone_row": PDF tables without cell separators (Karlsruhe 2005-2026),
each row anchored at its date, and the one-row table without a header of Karlsruhe's
Ortschaftsrat form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt
from ingest.beratungsfolge.dates import MONTH_ALT, search_date
from ingest.beratungsfolge.lines import Block, Line, filled
from ingest.beratungsfolge.rows import Row, apply_tail, to_step
from ingest.beratungsfolge.words import (
    GREMIUM_WORD,
    RESULT_START,
    UNFINISHED,
    Columns,
    is_column_line,
)

_PDF_STOP = re.compile(
    r"^(?:Antrag\b|Beschluss|Kurzfassung|Information\b|Finanzielle|"
    r"Ergänzende|Erläuterung|Begründung|Sachverhalt|Sachdarstellung|Vorbemerkung|Betreff|"
    r"Anlage|Inhalt|Thema|[IVX]+\.\s|\d+\.\s+(?!(?:" + MONTH_ALT + r")\b)[A-ZÄÖÜ]|\d+\)\s|"
    r"Der |Die |Das |Mit |Im |In |Am |Zur |Zum |Gemäß |Aufgrund |Auf |Nach |Es |Wir |Seit )",
)
# A line with nothing but TOP, marks and Ö/N ("10", "x", "5 Ö").
_TAIL_ONLY = re.compile(
    r"^(?:TOP\s*)?(?:\d{1,3}(?:[./]\d{1,3})*\.?(?:\s?[a-h])?)?(?:\s*(?:[xX]{1,2}|Ö|N|ö|nö))*$"
)
_TRAILING_TOP = re.compile(r"\s+\d{1,3}(?:\.\d{1,3})*$")
_MAX_ROW_LINE = 90
_MAX_BLOCK_LINES = 60


@dataclass
class _PdfState:
    rows: list[Row] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    pending_tail: list[str] = field(default_factory=list)

    def flush_pending(self) -> None:
        """A body printed without a date: a row only if TOP, marks or a result go with it."""
        if self.pending:
            parts = [*self.pending[:-1], _TRAILING_TOP.sub("", self.pending[-1])]
            tail = [*self.pending_tail]
            if parts[-1] != self.pending[-1]:
                tail.insert(0, self.pending[-1][len(parts[-1]) :])
            self.rows.append(Row(gremium=parts, tail=tail))
        self.pending.clear()
        self.pending_tail.clear()

    def take_pending(self, before: str) -> list[str]:
        parts = [*self.pending, before] if before else list(self.pending)
        self.pending.clear()
        self.pending_tail.clear()
        return parts


def _unfinished(name_line: str) -> bool:
    """A body's name continues on the next line ("Ausschuss für Umwelt und", "Gemeinderätliche")."""
    return bool(UNFINISHED.search(name_line)) or not GREMIUM_WORD.search(name_line)


def _pdf_line(state: _PdfState, text: str) -> bool:
    """Feed one line of a PDF table; False when the line is not part of the table."""
    found = search_date(text)
    if found is not None:
        return _pdf_dated_line(state, text, found)
    if len(text) > _MAX_ROW_LINE:
        return False
    if state.pending:
        _pdf_pending_line(state, text)
        return True
    prev = state.rows[-1] if state.rows else None
    if prev is not None and not _starts_gremium(text):
        if prev.datum is None and (_unfinished(prev.gremium[-1]) or text.startswith("(")):
            prev.gremium.append(text)
            return True
        if prev.datum is not None:
            prev.tail.append(text)
            return True
    state.pending.append(text)
    return True


def _pdf_dated_line(state: _PdfState, text: str, found: tuple[date, int, int]) -> bool:
    when, start, end = found
    before = text[:start].strip()
    if len(before) > 70:
        return False
    if before and state.pending and not _unfinished(state.pending[-1]):
        state.flush_pending()
    parts = state.take_pending(before)
    if not parts and state.rows and state.rows[-1].datum is None:
        state.rows[-1].datum = when  # "Gemeinderat" / "03.03.2015": the body came first
        state.rows[-1].tail.append(text[end:])
        return True
    if not parts and state.rows:  # a merged cell: the body of the row above meets again
        parts = list(state.rows[-1].gremium)
    state.rows.append(Row(gremium=parts, datum=when, tail=[text[end:]]))
    return True


def _pdf_pending_line(state: _PdfState, text: str) -> None:
    if _TAIL_ONLY.match(text):
        state.pending_tail.append(text)
    elif state.pending_tail or not (_unfinished(state.pending[-1]) or not _starts_gremium(text)):
        state.flush_pending()
        state.pending.append(text)
    else:
        state.pending.append(text)


def _starts_gremium(text: str) -> bool:
    return text[:1].isupper() and bool(GREMIUM_WORD.search(text)) and not RESULT_START.match(text)


def parse_pdf_table(
    lines: list[Line], first_row: int, cols: Columns
) -> tuple[list[Beratungsschritt], int]:
    """Rows of a PDF table starting at line ``first_row``; returns steps and last row index."""
    state = _PdfState()
    last = first_row - 1
    seen = 0
    for j in filled(lines, first_row):
        text = lines[j].text.replace("\t", " ")
        seen += 1
        if seen > _MAX_BLOCK_LINES or _PDF_STOP.match(text):
            break
        if len(text) > 3 and is_column_line(text):  # the header repeated after a page break
            continue
        if not _pdf_line(state, text):
            break
        last = j
    state.flush_pending()
    return _rows_to_steps(state, cols), last


def _rows_to_steps(state: _PdfState, cols: Columns) -> list[Beratungsschritt]:
    steps: list[Beratungsschritt] = []
    for row in state.rows:
        if row.datum is None and not "".join(row.tail).strip():
            continue  # a name without date, TOP or result: an unfilled row of the form
        apply_tail(row, cols)
        step = to_step(row)
        if step is not None:
            steps.append(step)
    return steps


# A table of one row without a header (Karlsruhe 2026 Ortschaftsrat form):
# "Ortschaftsrat Wolfartsweier 04.03.2026 TOP 1 Ö Beschluss".
_LONE_ROW = re.compile(
    r"^(?P<g>[A-ZÄÖÜ][^\d\t]{2,60}?)\s+(?P<rest>\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\s+TOP\s+\S+"
    r"\s+(?:Ö|N|öffentlich|nichtöffentlich|nicht öffentlich)\b.*)$"
)


def lone_row(lines: list[Line], i: int) -> Block | None:
    m = _LONE_ROW.match(lines[i].text)
    if m is None or not GREMIUM_WORD.search(m.group("g")):
        return None
    state = _PdfState()
    _pdf_line(state, lines[i].text)
    cols = Columns(rolle=True, oeffentlich=True)
    steps = _rows_to_steps(state, cols)
    return Block(steps, (lines[i].start, lines[i].end)) if steps else None
