"""Finding the Beratungsfolge block in a text and reading its steps (the package docstring
describes the layouts and the rules)."""

from __future__ import annotations

from collections.abc import Callable

from assistant.schema import Beratungsschritt
from ingest.beratungsfolge.flat import find_flat
from ingest.beratungsfolge.header_lines import HEAD_LINES, header_step, merge_header_step
from ingest.beratungsfolge.line_form import parse_line_form
from ingest.beratungsfolge.lines import Block, Line, Span, filled, text_lines
from ingest.beratungsfolge.pdf_table import lone_row, parse_pdf_table
from ingest.beratungsfolge.tab import parse_tab_table
from ingest.beratungsfolge.words import BF_WORD, GREMIEN_HEAD, Columns, is_column_line

#: The layouts this package reads (package docstring); a council-system profile names the ones
#: its documents use (``ingest.systems``). "lone_row" is the one-row table of Karlsruhe's
#: Ortschaftsrat form, "header_lines" the "Gremium:"/"Termin:" labels and session lines, "flat"
#: tables whose cells lost their places (``ingest.beratungsfolge.flat``; not in the default).
LAYOUTS: frozenset[str] = frozenset({"tab", "lines", "pdf", "lone_row", "header_lines"})

#: A council system's own Beratungsfolge table: steps and span, or None (``ingest.systems``).
TableReader = Callable[[list[Line]], tuple[list[Beratungsschritt], Span] | None]


def _find_block(lines: list[Line], layouts: frozenset[str]) -> Block | None:
    for i, line in enumerate(lines):
        text = line.text
        if not text or text[0] not in "BbGg":
            continue
        block = _block_at(lines, i, layouts)
        if block is not None and block.steps:
            return block
    if "lone_row" not in layouts:
        return None
    for i in range(min(len(lines), HEAD_LINES)):
        block = lone_row(lines, i)
        if block is not None:
            return block
    return None


def _block_at(lines: list[Line], i: int, layouts: frozenset[str]) -> Block | None:
    text = lines[i].text
    head = BF_WORD.match(text)
    if head is None and not GREMIEN_HEAD.match(text):
        return None
    if head is not None and "\t" in text:
        if "tab" not in layouts:
            return None
        steps, last = parse_tab_table(lines, i)
        return Block(steps, (lines[i].start, lines[last].end)) if steps else None
    rest = text[head.end() :] if head is not None else text
    if rest.strip() and not is_column_line(rest):
        return None  # "Beratungsfolge" inside a sentence
    cols = Columns()
    cols.update(text)
    j = i + 1
    for j in filled(lines, i + 1):
        if not is_column_line(lines[j].text):
            break
        cols.update(lines[j].text)
    else:
        return None
    if "lines" in layouts and head is not None and not rest.strip() and j == i + _gap(lines, i):
        steps, last = parse_line_form(lines, i)
        if steps:
            return Block(steps, (lines[i].start, lines[last].end))
    if "pdf" not in layouts:
        return None
    steps, last = parse_pdf_table(lines, j, cols)
    if not steps:
        return None
    return Block(steps, (lines[i].start, lines[last].end))


def _gap(lines: list[Line], i: int) -> int:
    """Distance from ``i`` to the next non-empty line."""
    return next((j - i for j in filled(lines, i + 1)), 1)


def extract_beratungsfolge(
    text: str, layouts: frozenset[str] = LAYOUTS, reader: TableReader | None = None
) -> tuple[list[Beratungsschritt], Span | None]:
    """The Beratungsfolge steps in order and the span of their block (see the package docstring).

    ``layouts`` are the table forms to look for (``LAYOUTS``; a profile's choice); ``reader``
    is a council system's own table (``ingest.systems``), tried first.
    """
    lines = text_lines(text)
    own = reader(lines) if reader is not None else None
    block = Block(*own) if own is not None else _find_block(lines, layouts)
    if block is None and "flat" in layouts:
        flat = find_flat(lines)
        block = Block(*flat) if flat is not None else None
    extra = header_step(lines) if "header_lines" in layouts else None
    if block is None:
        return ([extra], None) if extra is not None else ([], None)
    steps = block.steps
    if extra is not None:
        steps = merge_header_step(list(steps), extra)
    return steps, block.span
