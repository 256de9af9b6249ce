"""Child-process half of the PDF source: pypdfium2 text extraction under resource limits.

Run as ``python -m ingest.sources.pdf_worker PATH MEMORY_MB CPU_SECONDS``. The worker first
lowers its own address-space (``RLIMIT_AS``) and CPU-time (``RLIMIT_CPU``) limits, then
extracts the text and prints one JSON object to stdout::

    {"status": "ok", "text": "...", "pages": 5, "chars": 7659, "title": "Beschlussvorlage"}
    {"status": "password" | "broken" | "memory" | "error", "detail": "..."}

It imports only the standard library and pypdfium2 (not pydantic, not the rest of
``ingest``), so a child starts in well under 0.1 s; ``ingest.sources.pdf`` starts one per file.
PDFium is imported at module level, so the library is loaded before the limits are set.

Layout reconstruction (the part worth reading): PDFium reports every glyph with its box, in
content-stream order. Word, SessionNet and ALLRIS write a table cell by cell, row by row, so
stream order already groups a multi-line cell's lines together. The worker

1. splits each page's glyphs into lines (PDFium's own line breaks, plus vertical jumps),
2. splits a line into fragments at column gaps: a gap of more than 1.2 font sizes, unless all
   word gaps of the line are about equal (a justified line, whose stretched spaces can be just
   as wide),
3. drops page furniture: page numbers and lines repeated on several pages in the top or bottom
   margin band,
4. groups fragments into rows of cells: a fragment level with the current line and to its right,
   or back at the top of the current row and right of the current cell, opens a new cell; a
   fragment below the current cell and within its columns continues that cell; anything else
   opens a new row,
5. renders a row of several cells as one line with TAB-separated cells (a cell's lines joined
   by spaces), a row of one cell as its lines, and puts a blank line wherever the vertical gap
   between two lines is larger than normal line spacing (paragraphs, headings, tables).
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]

MARGIN_BAND = 0.07
"""Share of the page height at the top and at the bottom where page furniture lives."""

COLUMN_GAP = 1.2
"""A gap wider than this many font sizes separates two table cells on one line."""

UNIFORM_GAPS = 1.35
"""Word gaps of a line within this max/min ratio mean justified text, not table columns."""

PARAGRAPH_GAP = 0.45
"""Vertical white space above a line, in font sizes, that starts a new paragraph."""

MAX_CELL_LINES = 6
"""A "cell" taller than this is a text column beside another, not a table cell."""

_HYPHENS = {"\ufffe": "-", "\x02": "-", "\u00ad": "-"}
_PAGE_NUMBER = re.compile(r"^(seite\s*)?#(\s*(von|/|of)\s*#)?$|^[-–]\s*#\s*[-–]$", re.IGNORECASE)


@dataclass(frozen=True)
class Glyph:
    """One character with its loose box (PDF units, y grows upwards); "\\n" marks a line break."""

    char: str
    x0: float = 0.0
    bottom: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    size: float = 0.0


LINE_BREAK = Glyph("\n")


@dataclass
class Fragment:
    """A run of text on one line that belongs to one table cell (or is plain text)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass
class Cell:
    """A table cell: one or more stacked lines."""

    lines: list[Fragment]

    @property
    def x0(self) -> float:
        return min(f.x0 for f in self.lines)

    @property
    def x1(self) -> float:
        return max(f.x1 for f in self.lines)

    def text(self) -> str:
        return join_cell_lines([f.text for f in self.lines])


@dataclass
class Row:
    """A table row (several cells) or a line of running text (one cell)."""

    cells: list[Cell] = field(default_factory=list)

    @property
    def top(self) -> float:
        return max(f.top for c in self.cells for f in c.lines)

    @property
    def bottom(self) -> float:
        return min(f.bottom for c in self.cells for f in c.lines)


# --- step 1 and 2: glyphs -> lines -> fragments ------------------------------------------


def split_lines(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """Split a page's glyphs (stream order) at line breaks and at jumps up, down or back."""
    lines: list[list[Glyph]] = [[]]
    last: Glyph | None = None
    for g in glyphs:
        if g.char == "\n":
            lines.append([])
            last = None
            continue
        if g.char == " ":
            lines[-1].append(g)
            continue
        if last is not None and _starts_new_line(last, g):
            lines.append([])
        lines[-1].append(g)
        last = g
    return [line for line in lines if any(g.char != " " for g in line)]


def _starts_new_line(last: Glyph, g: Glyph) -> bool:
    centre = (g.bottom + g.top) / 2
    if not last.bottom <= centre <= last.top:
        return True
    return g.x0 < last.x1 - max(last.size, g.size)


def line_fragments(line: Sequence[Glyph]) -> list[Fragment]:
    """Cut one line into fragments at column gaps (see the module docstring)."""
    ink = [g for g in line if g.char != " "]
    gaps = _word_gaps(line)
    uniform = len(gaps) >= 2 and max(gaps.values()) <= UNIFORM_GAPS * min(gaps.values())
    fragments: list[Fragment] = []
    current: list[Glyph] = []
    for i, g in enumerate(line):
        if g.char == " ":
            if current:
                current.append(g)
            continue
        gap = gaps.get(i)
        if current and gap is not None and not uniform and gap > COLUMN_GAP * g.size:
            fragments.append(_fragment(current))
            current = []
        current.append(g)
    if current and ink:
        fragments.append(_fragment(current))
    return fragments


def _word_gaps(line: Sequence[Glyph]) -> dict[int, float]:
    """Index of each glyph that starts a word (after a space or a visible gap) -> gap width."""
    gaps: dict[int, float] = {}
    previous: Glyph | None = None
    spaced = False
    for i, g in enumerate(line):
        if g.char == " ":
            spaced = True
            continue
        if previous is not None:
            gap = g.x0 - previous.x1
            if spaced or gap > 0.15 * g.size:
                gaps[i] = gap
        previous, spaced = g, False
    return gaps


def _fragment(glyphs: list[Glyph]) -> Fragment:
    ink = [g for g in glyphs if g.char != " "]
    text = re.sub(r" {2,}", " ", "".join(g.char for g in glyphs)).strip()
    return Fragment(
        text=text,
        x0=min(g.x0 for g in ink),
        x1=max(g.x1 for g in ink),
        bottom=min(g.bottom for g in ink),
        top=max(g.top for g in ink),
        size=statistics.median(g.size for g in ink),
    )


# --- step 3: page furniture --------------------------------------------------------------


def drop_furniture(pages: list[list[Fragment]], heights: list[float]) -> list[list[Fragment]]:
    """Remove page numbers and repeated header/footer lines from the margin bands."""
    in_margin = [
        [f for f in frags if _in_margin(f, h)] for frags, h in zip(pages, heights, strict=True)
    ]
    repeated = Counter(key for frags in in_margin for key in {_furniture_key(f) for f in frags})
    min_repeats = 2 if len(pages) > 1 else 10**9

    def is_furniture(f: Fragment) -> bool:
        key = _furniture_key(f)
        return bool(_PAGE_NUMBER.match(key)) or repeated[key] >= min_repeats

    return [
        [f for f in frags if not (_in_margin(f, h) and is_furniture(f))]
        for frags, h in zip(pages, heights, strict=True)
    ]


def _in_margin(f: Fragment, height: float) -> bool:
    return f.bottom >= height * (1 - MARGIN_BAND) or f.top <= height * MARGIN_BAND


def _furniture_key(f: Fragment) -> str:
    return re.sub(r"\d+", "#", f.text.strip().lower())


# --- step 4: rows and cells --------------------------------------------------------------


def group_rows(fragments: Iterable[Fragment]) -> list[Row]:
    """Group fragments (stream order) into rows of cells (see the module docstring)."""
    rows: list[Row] = []
    for f in fragments:
        if not rows or not _place(rows, f):
            rows.append(Row([Cell([f])]))
    return rows


def _place(rows: list[Row], f: Fragment) -> bool:
    """Put ``f`` into the last row if it belongs there; return False to open a new row."""
    row = rows[-1]
    cell = row.cells[-1]
    last = cell.lines[-1]
    tol = 0.5 * f.size
    if _same_line(last, f):
        if f.x0 < last.x1 - tol:
            return False
        if len(row.cells) == 1 and len(cell.lines) > 1:
            cell.lines.pop()
            rows.append(Row([Cell([last]), Cell([f])]))
            return True
        row.cells.append(Cell([f]))
        return True
    within_row = row.bottom - tol <= f.top <= row.top + tol
    if f.top > last.bottom + tol:  # back up: the next column of the same row
        if f.x0 >= cell.x1 - tol and within_row:
            row.cells.append(Cell([f]))
            return True
        return False
    if cell.x0 - tol <= f.x0 <= cell.x1 + tol:
        cell.lines.append(f)
        return True
    if f.x0 > cell.x1 + tol and within_row and len(row.cells) > 1:
        row.cells.append(Cell([f]))
        return True
    return False


def _same_line(a: Fragment, b: Fragment) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap >= 0.5 * min(a.height, b.height)


# --- step 5: text ------------------------------------------------------------------------


def render_rows(rows: Iterable[Row]) -> str:
    """Text of a page: table rows as TAB-separated lines, blank lines between paragraphs."""
    out: list[str] = []
    previous: Fragment | None = None
    for row in rows:
        for line, first in _row_lines(row):
            if previous is not None and _paragraph_break(previous, first, out[-1], line):
                out.append("")
            out.append(line)
            previous = first if len(row.cells) == 1 else _lowest(row)
    return "\n".join(out)


def _paragraph_break(above: Fragment, below: Fragment, above_text: str, below_text: str) -> bool:
    """A blank line between two output lines, except between two rows of one table."""
    if "\t" in above_text and "\t" in below_text:
        return False
    return above.bottom - below.top > PARAGRAPH_GAP * below.size


def _row_lines(row: Row) -> list[tuple[str, Fragment]]:
    """The output lines of a row, each with the fragment that gives its position."""
    if len(row.cells) == 1:
        return [(f.text, f) for f in row.cells[0].lines]
    if max(len(c.lines) for c in row.cells) > MAX_CELL_LINES:
        return [(f.text, f) for c in row.cells for f in c.lines]
    top = max(row.cells[0].lines, key=lambda f: f.top)
    return [("\t".join(c.text() for c in row.cells), top)]


def _lowest(row: Row) -> Fragment:
    return min((f for c in row.cells for f in c.lines), key=lambda f: f.bottom)


def join_cell_lines(lines: Sequence[str]) -> str:
    """Join a table cell's lines: "Dessau-" + "Roßlauer" -> "Dessau-Roßlauer", else a space."""
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].isupper() and text[-2:-1].isalpha():
            text += line
        else:
            text = f"{text} {line}" if text else line
    return text


def layout_page(glyphs: Iterable[Glyph]) -> list[Fragment]:
    """Steps 1 and 2 for one page."""
    return [f for line in split_lines(glyphs) for f in line_fragments(line)]


def layout_document(pages: list[list[Glyph]], heights: list[float]) -> str:
    """The whole pipeline for a document given as glyphs per page."""
    fragments = drop_furniture([layout_page(p) for p in pages], heights)
    texts = [render_rows(group_rows(frags)) for frags in fragments]
    return join_pages([t for t in texts if t.strip()]) + "\n"


def join_pages(texts: Sequence[str]) -> str:
    """Pages joined by a blank line, or by a line break where a sentence runs on."""
    joined = ""
    for text in texts:
        if joined:
            runs_on = not joined.rstrip().endswith((".", ":", "!", "?"))
            joined += "\n" if runs_on else "\n\n"
        joined += text
    return joined


# --- PDFium ------------------------------------------------------------------------------


def read_glyphs(textpage: Any) -> list[Glyph]:
    """All glyphs of a PDFium text page in stream order, with loose boxes."""
    raw = pdfium.raw
    glyphs: list[Glyph] = []
    for i in range(int(textpage.count_chars())):
        char = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        char = _HYPHENS.get(char, char)
        if char in "\r\n":
            glyphs.append(LINE_BREAK)
            continue
        if char.isspace():
            glyphs.append(Glyph(" "))
            continue
        if not char.isprintable():
            continue
        x0, bottom, x1, top = (float(v) for v in textpage.get_charbox(i, loose=True))
        size = float(raw.FPDFText_GetFontSize(textpage.raw, i)) or (top - bottom) or 10.0
        glyphs.append(Glyph(char, x0, bottom, x1, top, size))
    return glyphs


def extract(path: str) -> dict[str, Any]:
    """Open the PDF with PDFium and return the worker's JSON result."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as err:
        code = getattr(err, "err_code", None)
        status = "password" if code == 4 else "broken"
        return {"status": status, "detail": str(err)}
    title = str(document.get_metadata_dict().get("Title", "")).strip()
    pages: list[list[Glyph]] = []
    heights: list[float] = []
    chars = 0
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        glyphs = read_glyphs(textpage)
        chars += sum(1 for g in glyphs if g.char.isalnum())
        pages.append(glyphs)
        heights.append(float(page.get_height()))
        textpage.close()
        page.close()
    document.close()
    text = layout_document(pages, heights)
    return {"status": "ok", "text": text, "pages": len(pages), "chars": chars, "title": title}


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Lower this process's soft address-space and CPU-time limits."""
    _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    soft_as = memory_mb * 1024 * 1024
    if hard_as != resource.RLIM_INFINITY:
        soft_as = min(soft_as, hard_as)
    resource.setrlimit(resource.RLIMIT_AS, (soft_as, hard_as))
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    if hard_cpu == resource.RLIM_INFINITY or cpu_seconds < hard_cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, hard_cpu))


def _lift_memory_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def main(argv: Sequence[str]) -> int:
    """Entry point of the child process."""
    path, memory_mb, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    # pypdfium2 is imported at module level, so PDFium is loaded before the limit applies.
    limit_resources(memory_mb, cpu_seconds)
    try:
        result = extract(path)
    except MemoryError:
        _lift_memory_limit()
        result = {"status": "memory"}
    except Exception as err:  # a malformed file must not leave the child without an answer
        _lift_memory_limit()
        result = {"status": "error", "detail": f"{type(err).__name__}: {err}"}
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
