"""Numbered measures: measure tables (flattened out of PDF, DOCX and HTML) and "Maßnahme 3.2"
paragraphs with their label lines.

A table is recognised by its header row: a "Maßnahme" column and at least one of
Zuständigkeit / Verantwortlich / Federführung, Zeitraum / Zeitrahmen / Umsetzung / Termin,
Indikator / Messgröße / Kennzahl. The sources give one line per row with cells separated by a
TAB (DOCX and HTML tables, PDF rows rebuilt from character positions). A row whose number
cell is empty continues the row above it, cell by cell: PDF tables wrap long cells over
several printed rows.

A paragraph form: a line "Maßnahme 3.2: Titel" (or "M 3.2 Titel"), followed by its
description and lines "Zuständigkeit: …", "Zeitraum: …", "Indikator: …".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.schema import Massnahme
from ingest.konzept.lines import flat

__all__ = ["is_measure_head", "measures_in"]

_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("nummer", r"^(?:Nr\.?|Nummer|lfd\.?\s*Nr\.?|#)$"),
        ("titel", r"^(?:Maßnahmen?|Maßnahme\s*/\s*Projekt|Titel|Bezeichnung)$"),
        ("beschreibung", r"^(?:Beschreibung|Inhalt|Erläuterung|Umsetzungsschritte?)$"),
        (
            "zustaendigkeit",
            r"^(?:Zuständig(?:keit)?|Verantwortlich(?:e|keit)?|Federführung|"
            r"Akteure|Träger)$",
        ),
        (
            "zeitraum",
            r"^(?:Zeitraum|Zeitrahmen|Zeitplan|Umsetzung(?:\s*bis)?|Termin|Laufzeit|"
            r"Zeithorizont)$",
        ),
        ("indikator", r"^(?:Indikator(?:en)?|Messgrößen?|Kennzahl(?:en)?|Zielwert)$"),
    )
)
_MEASURE_NUMBER = re.compile(r"^(?:M\s*)?(\d{1,2}(?:\.\d{1,2}){1,3})\.?$")
_PARAGRAPH_HEAD = re.compile(
    r"^(?:Maßnahme|M)\s*(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})\s*[:.)–-]?\s*(?P<title>.*)$"
)
_FIELD_LINE = re.compile(
    r"^(?P<label>Zuständig(?:keit)?|Verantwortlich|Federführung|Zeitraum|Zeitrahmen|"
    r"Umsetzung bis|Indikator(?:en)?|Messgröße)\s*:\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_LABEL_FIELD = {
    "zuständig": "zustaendigkeit",
    "zuständigkeit": "zustaendigkeit",
    "verantwortlich": "zustaendigkeit",
    "federführung": "zustaendigkeit",
    "zeitraum": "zeitraum",
    "zeitrahmen": "zeitraum",
    "umsetzung bis": "zeitraum",
    "indikator": "indikator",
    "indikatoren": "indikator",
    "messgröße": "indikator",
}


def is_measure_head(line: str) -> bool:
    """Whether ``line`` opens a numbered measure paragraph ("Maßnahme 3.2: Titel")."""
    head = _PARAGRAPH_HEAD.match(flat(line))
    return bool(head and head["title"])


def measures_in(lines: list[str]) -> list[Massnahme]:
    """The numbered measures in ``lines``: from a measures table, else from "Maßnahme 3.2"
    paragraphs; ``[]`` when there are none."""
    return _table(lines) or _paragraphs(lines)


# --- tables -------------------------------------------------------------------------------------


def _columns(line: str) -> dict[int, str] | None:
    cells = [flat(c) for c in line.split("\t")]
    if len(cells) < 2:
        return None
    named: dict[int, str] = {}
    for position, cell in enumerate(cells):
        name = next((n for n, pattern in _COLUMNS if pattern.match(cell)), None)
        if name is not None and name not in named.values():
            named[position] = name
    values = set(named.values())
    if "titel" in values and values & {"zustaendigkeit", "zeitraum", "indikator"}:
        return named
    return None


@dataclass
class _Row:
    cells: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, text: str) -> None:
        if text:
            self.cells.setdefault(name, []).append(text)

    def value(self, name: str) -> str | None:
        parts = self.cells.get(name)
        return _joined(parts) if parts else None


def _table(lines: list[str]) -> list[Massnahme]:
    rows: list[_Row] = []
    columns: dict[int, str] | None = None
    for line in lines:
        header = _columns(line)
        if header is not None:
            columns = header
            continue
        if columns is None or "\t" not in line:
            continue
        cells = [flat(c) for c in line.split("\t")]
        _add_cells(rows, columns, cells)
    return [m for m in (_measure(row, i) for i, row in enumerate(rows, start=1)) if m]


def _add_cells(rows: list[_Row], columns: dict[int, str], cells: list[str]) -> None:
    if rows and len(cells) < len(columns) and not _MEASURE_NUMBER.match(cells[0]):
        _continue_row(rows[-1], columns, cells)
        return
    by_name = {columns[i]: cell for i, cell in enumerate(cells) if i in columns}
    number = by_name.get("nummer", "")
    first = cells[0] if cells else ""
    starts = bool(_MEASURE_NUMBER.match(number or first)) or (
        "nummer" not in by_name and bool(by_name.get("titel"))
    )
    if starts or not rows:
        rows.append(_Row())
    for name, cell in by_name.items():
        rows[-1].add(name, cell)


def _continue_row(row: _Row, columns: dict[int, str], cells: list[str]) -> None:
    """A wrapped row whose empty cells the text lost: its first cell continues the title, the
    others the last columns (where long texts wrap: Zuständigkeit, Zeitraum, Indikator)."""
    names = [columns[i] for i in sorted(columns) if columns[i] not in {"nummer", "titel"}]
    targets = ["titel", *names[len(names) - (len(cells) - 1) :]] if len(cells) > 1 else ["titel"]
    for name, cell in zip(targets, cells, strict=False):
        row.add(name, cell)


def _measure(row: _Row, ordinal: int) -> Massnahme | None:
    title = row.value("titel")
    if not title:
        return None
    number = row.value("nummer")
    match = _MEASURE_NUMBER.match(number or "")
    return Massnahme(
        nummer=match.group(1) if match else str(ordinal),
        nummer_abgeleitet=match is None,
        titel=title,
        beschreibung=row.value("beschreibung"),
        zustaendigkeit=row.value("zustaendigkeit"),
        zeitraum=row.value("zeitraum"),
        indikator=row.value("indikator"),
    )


def _joined(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text.endswith("-") and part[:1].islower():
            text = text[:-1] + part
        else:
            text = f"{text} {part}".strip()
    return text


# --- paragraphs ---------------------------------------------------------------------------------


def _paragraphs(lines: list[str]) -> list[Massnahme]:
    found: list[tuple[str, str, _Row]] = []
    for line in lines:
        text = flat(line)
        head = _PARAGRAPH_HEAD.match(text)
        if head and head["title"]:
            found.append((head["num"], head["title"], _Row()))
            continue
        if not found or not text:
            continue
        labelled = _FIELD_LINE.match(text)
        if labelled:
            found[-1][2].add(_LABEL_FIELD[labelled["label"].lower()], labelled["value"])
        else:
            found[-1][2].add("beschreibung", text)
    return [
        Massnahme(
            nummer=number,
            titel=title,
            beschreibung=row.value("beschreibung"),
            zustaendigkeit=row.value("zustaendigkeit"),
            zeitraum=row.value("zeitraum"),
            indikator=row.value("indikator"),
        )
        for number, title, row in found
    ]
