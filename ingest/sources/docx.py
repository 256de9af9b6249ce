"""DOCX source (python-docx): body paragraphs and tables in document order.

The body's XML children are walked in order, so a table lands where it stands: a paragraph
becomes a block of its own (list numbers rendered as "1." / "a)" / "-"), a table row becomes
one line of TAB-separated cells. Merged cells appear once (a horizontal span is one cell, a
vertically merged continuation cell is empty). A one-column table (a text box drawn as a
table) and a row whose cells hold whole paragraphs of text are written as paragraphs instead.
Headers, footers, footnotes and comments live in other parts of the package and are not read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

from ingest.errors import IngestError
from ingest.sources.base import RawDocument

MAX_CELL_PARAGRAPHS = 3
"""A row with a cell of more paragraphs than this is a layout table: written as paragraphs."""

_LIST_ITEM = re.compile(r"^(?:-|\d+(?:\.\d+)*[.)]|[a-zA-Z][.)]|[ivxIVX]+[.)])\s")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC = qn("w:tr"), qn("w:tc")


def load_docx(path: Path) -> RawDocument:
    """Read a .docx file; raise ``IngestError`` (German) if it is missing, broken or no DOCX."""
    path = Path(path)
    document = _open(path)
    numbering = _Numbering(document)
    text = join_blocks(list(_blocks(document.element.body, numbering)))
    return RawDocument(text=text, system="docx", path=str(path))


def join_blocks(blocks: list[str]) -> str:
    """Blocks separated by blank lines; consecutive list items by single line breaks."""
    text = ""
    for block in blocks:
        if text:
            both_items = _LIST_ITEM.match(block) and _LIST_ITEM.match(text.rsplit("\n", 1)[-1])
            text += "\n" if both_items else "\n\n"
        text += block
    return text + "\n"


def _open(path: Path) -> Any:
    name = path.name
    if not path.is_file():
        raise IngestError(f"Die Datei „{name}“ wurde nicht gefunden.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_OLE_MAGIC))
    except OSError as err:
        raise IngestError(f"Die Datei „{name}“ kann nicht gelesen werden.") from err
    if magic == _OLE_MAGIC:
        raise IngestError(
            f"Die Datei „{name}“ ist im alten Word-Format (.doc) gespeichert oder mit einem "
            "Kennwort geschützt; bitte als DOCX ohne Kennwort speichern."
        )
    if not zipfile.is_zipfile(path):
        if magic.startswith(b"PK"):
            raise IngestError(
                f"Die Word-Datei „{name}“ ist beschädigt oder unvollständig und kann nicht "
                "gelesen werden."
            )
        raise IngestError(f"Die Datei „{name}“ ist keine Word-Datei (DOCX).")
    try:
        return docx.Document(str(path))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml and zip errors
        raise IngestError(
            f"Die Word-Datei „{name}“ ist beschädigt und kann nicht gelesen werden."
        ) from err


def _blocks(container: Any, numbering: _Numbering) -> Iterator[str]:
    """Text blocks of a body, cell or content control, in document order."""
    for child in container.iterchildren():
        if child.tag == _P:
            text = _paragraph_text(child, numbering)
            if text:
                yield text
        elif child.tag == _TBL:
            yield from _table_blocks(child, numbering)
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _blocks(content, numbering)


def _paragraph_text(p: Any, numbering: _Numbering) -> str:
    """A paragraph's text: runs of tabs collapsed, whitespace trimmed, list label in front."""
    text = re.sub(r"\t+", "\t", str(p.text).replace("\xa0", " "))
    text = "\n".join(re.sub(r" {2,}", " ", line).strip() for line in text.split("\n"))
    text = text.strip()
    if not text:
        return ""
    label = numbering.label(p)
    return f"{label} {text}" if label else text


def _table_blocks(tbl: Any, numbering: _Numbering) -> Iterator[str]:
    """A table as one block of TAB-separated rows, or as paragraphs if it is a layout table."""
    rows: list[str] = []
    for tr in tbl.iterchildren(_TR):
        cells = [tc for tc in tr.iterchildren(_TC)]
        if len(cells) == 1 or any(_paragraph_count(tc) > MAX_CELL_PARAGRAPHS for tc in cells):
            if rows:
                yield "\n".join(rows)
                rows = []
            for tc in cells:
                if not _is_merge_continuation(tc):
                    yield from _blocks(tc, numbering)
            continue
        row = [_cell_text(tc, numbering) for tc in cells]
        if any(row):
            rows.append("\t".join(row))
    if rows:
        yield "\n".join(rows)


def _cell_text(tc: Any, numbering: _Numbering) -> str:
    """A table cell on one line; a vertically merged continuation cell is empty."""
    if _is_merge_continuation(tc):
        return ""
    parts = (block for block in _blocks(tc, numbering))
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _is_merge_continuation(tc: Any) -> bool:
    tc_pr = tc.find(qn("w:tcPr"))
    if tc_pr is None:
        return False
    v_merge = tc_pr.find(qn("w:vMerge"))
    return v_merge is not None and v_merge.get(qn("w:val"), "continue") == "continue"


def _paragraph_count(tc: Any) -> int:
    return sum(1 for p in tc.iter(_P) if str(p.text).strip())


class _Numbering:
    """List labels ("1.", "a)", "-") for paragraphs with direct numbering (w:numPr)."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        self._styles = _numbered_styles(document)
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.iterchildren(qn("w:abstractNum"))}
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is not None:
                self._read_levels(str(num.get(qn("w:numId"))), definition)

    def _read_levels(self, num_id: str, definition: Any) -> None:
        for lvl in definition.iterchildren(qn("w:lvl")):
            fmt = _val(lvl, "w:numFmt") or "decimal"
            text = _val(lvl, "w:lvlText") or ""
            start = int(_val(lvl, "w:start") or "1")
            self._levels[(num_id, int(lvl.get(qn("w:ilvl"), "0")))] = (fmt, text, start)

    def label(self, p: Any) -> str:
        """The rendered list label of a paragraph, advancing the list's counters."""
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            num_pr = self._styles.get(_val(p.find(qn("w:pPr")), "w:pStyle") or "")
        if num_pr is None:
            return ""
        num_id = _val(num_pr, "w:numId")
        level = int(_val(num_pr, "w:ilvl") or "0")
        if num_id is None or (num_id, level) not in self._levels:
            return ""
        fmt, text, _ = self._levels[(num_id, level)]
        if fmt == "bullet":
            return "-"
        counters = self._counters.setdefault(num_id, [])
        while len(counters) <= level:
            counters.append(self._levels.get((num_id, len(counters)), ("", "", 1))[2] - 1)
        counters[level] += 1
        del counters[level + 1 :]
        return re.sub(r"%(\d)", lambda m: self._format(num_id, int(m.group(1)) - 1), text)

    def _format(self, num_id: str, level: int) -> str:
        counters = self._counters.get(num_id, [])
        value = counters[level] if level < len(counters) else 1
        fmt = self._levels.get((num_id, level), ("decimal", "", 1))[0]
        return _format_number(value, fmt)


def _numbered_styles(document: Any) -> dict[str, Any]:
    """Paragraph style id -> the style's own w:numPr (list styles such as "List Number")."""
    styles: dict[str, Any] = {}
    try:
        root = document.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return styles
    for style in root.iterchildren(qn("w:style")):
        num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is not None and num_pr.find(qn("w:numId")) is not None:
            styles[str(style.get(qn("w:styleId")))] = num_pr
    return styles


def _val(element: Any, tag: str) -> str | None:
    if element is None:
        return None
    child = element.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(value)


def _roman(value: int) -> str:
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out += numeral
            value -= amount
    return out
