"""HTML source: council-system pages (ALLRIS ``vo020``, SessionNet ``vo0050``) as plain text.

``html_to_text`` renders the page body the way a reader sees it, minus the page furniture:

- dropped: scripts, styles, forms' controls and buttons (the "Reduzieren"/"Erweitern" toggles of
  ALLRIS 4 are buttons), navigation (``nav``, ``role=navigation``, menu/breadcrumb classes),
  footers, asides, cookie/consent banners, skip links ("Zum Inhalt springen"), and lines that
  consist only of such words or of a "Loading..." placeholder;
- headings, paragraphs, list items and block elements start new lines; headings, paragraphs and
  tables are set off by blank lines; ``<br>`` is a line break; a bold label that opens a long
  paragraph ("<b>Sachverhalt:</b> Die Stadt ...") goes on its own line;
- a table row becomes one line of TAB-separated cells; a row whose cell holds a nested table or
  several paragraphs of text is a layout row and is written as paragraphs instead.

The system is told from markup, generator and URLs by the profiles' ``page_markers``
(``ingest.systems``: "allris", "sessionnet", ...; else "html").
``load_html`` decodes bytes by BOM, then the declared charset (``<meta charset>``,
``http-equiv``, XML declaration), then UTF-8, then cp1252 (as browsers do, ISO-8859-1 is read
as cp1252).
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from assistant.schema import System
from ingest.errors import IngestError
from ingest.sources.base import RawDocument
from ingest.systems import system_of_page


def _names(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_DROP_TAGS = _names(
    "script style noscript template head title meta link nav footer aside button select "
    "option input textarea iframe frame object embed svg canvas map audio video dialog"
)
_DROP_ROLES = _names("navigation search menu menubar contentinfo dialog alertdialog toolbar")
_DROP_CLASS = re.compile(
    r"^(?:.*[-_])?(?:nav|navbar|navigation|menu|breadcrumbs?|footer|cookies?|cookiebanner|"
    r"consent|skiplinks?|skip|toolbar|search|suche)(?:[-_].*)?$",
    re.IGNORECASE,
)
_SKIP_LINK = re.compile(r"springen|skip to|zum inhalt|zur navigation", re.IGNORECASE)
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_PARAGRAPHS = _HEADINGS | _names("p ul ol dl blockquote pre figure address hr")
_BLOCKS = _names(
    "div section article main header body html li dt dd tr tbody thead tfoot caption "
    "fieldset legend details summary center form"
)
_NOISE_WORDS = (
    r"reduzieren|erweitern|aufklappen|zuklappen|einklappen|ausklappen|alle reduzieren|"
    r"alle erweitern|loading\s*(?:\.{3}|…)?|laden\s*(?:\.{3}|…)|wird geladen\s*(?:\.{3}|…)?|"
    r"zur navigation springen|zum inhalt springen|zum hauptinhalt springen|"
    r"zur suche springen|zum seitenanfang|seitenanfang|nach oben|anmelden|abmelden|login|"
    r"logout|drucken|druckansicht"
)
_NOISE_LINE = re.compile(rf"^(?:(?:{_NOISE_WORDS})\s*)+$", re.IGNORECASE)
_GRID_ROW = re.compile(r"(?:^|[-_])table-row$|^smc-dg-tr", re.IGNORECASE)
_GRID_CELL = re.compile(r"(?:^|[-_])table-cell$|^smc-dg-td", re.IGNORECASE)
_LABEL_SPLIT_MIN = 60
"""A bold label is put on a line of its own when more than this many characters follow it."""

_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_SINGLE_BYTE_ALIASES = frozenset({"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"})


def load_html(path: Path) -> RawDocument:
    """Read an HTML page; raise ``IngestError`` (German) if missing, binary or without text."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise IngestError(f"Die Datei „{name}“ wurde nicht gefunden.")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IngestError(f"Die Datei „{name}“ kann nicht gelesen werden.") from err
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(f"Die Datei „{name}“ ist keine HTML-Datei.")
    try:
        text, system = html_to_text(decode_html(data))
    except RecursionError as err:
        raise IngestError(f"Die HTML-Datei „{name}“ ist zu tief verschachtelt.") from err
    if not any(ch.isalnum() for ch in text):
        raise IngestError(f"Die HTML-Datei „{name}“ enthält keinen lesbaren Text.")
    return RawDocument(text=text, system=system, path=str(path))


def decode_html(data: bytes) -> str:
    """Bytes to text: BOM, declared charset, UTF-8, then cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for candidate in (declared_charset(data), "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("cp1252", errors="replace")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB; ISO-8859-1 and ASCII mean cp1252."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    raw: bytes = match.group(1) or match.group(2) or b""
    name = raw.decode("ascii").lower()
    return "cp1252" if name in _SINGLE_BYTE_ALIASES else name


def html_to_text(html: str) -> tuple[str, System]:
    """The readable text of an HTML page and the council system it comes from."""
    with warnings.catch_warnings():
        # Council systems serve XHTML (with an XML declaration); reading it as HTML is meant,
        # and BeautifulSoup's English advice must not reach the clerk's terminal.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    system = detect_system(html)
    root = soup.body or soup
    out = _Output()
    _walk(root, out)
    return clean_lines(out.text()), system


def detect_system(html: str) -> System:
    """The system by the profiles' markers in markup, generator and URLs, else "html"."""
    return system_of_page(html) or "html"


def clean_lines(text: str) -> str:
    """Trim lines, drop toggle/placeholder lines, keep at most one blank line in a row."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = "\t".join(re.sub(r"[ \u00a0]+", " ", cell).strip() for cell in raw.split("\t"))
        line = line.rstrip("\t").strip(" ")
        if _NOISE_LINE.match(line):
            continue
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"


# --- rendering ---------------------------------------------------------------------------


class _Output:
    """Collects text with collapsed white space and pending line breaks."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._breaks = 0
        self._space = False

    def text(self) -> str:
        return "".join(self._parts)

    def write(self, text: str) -> None:
        if not text:
            return
        collapsed = re.sub(r"[ \t\r\n\f]+", " ", text)
        if collapsed == " ":
            self._space = True
            return
        if collapsed.startswith(" "):
            self._space = True
            collapsed = collapsed[1:]
        if self._breaks and self._parts:
            self._parts.append("\n" * self._breaks)
        elif self._space and self._parts and not self._parts[-1].endswith(("\n", "\t")):
            self._parts.append(" ")
        self._breaks = 0
        self._space = collapsed.endswith(" ")
        self._parts.append(collapsed.rstrip(" "))

    def raw(self, text: str) -> None:
        """Write text as is (table rows, preformatted text)."""
        if self._breaks and self._parts:
            self._parts.append("\n" * self._breaks)
        self._breaks, self._space = 0, False
        self._parts.append(text)

    def line_break(self, count: int = 1) -> None:
        """Ask for at least ``count`` line breaks before the next text."""
        self._breaks = max(self._breaks, count)
        self._space = False

    def hard_break(self) -> None:
        """A ``<br>``: one more line break, even after another one."""
        if self._parts:
            self._parts.append("\n" * max(self._breaks, 1))
        self._breaks, self._space = 0, False


def _walk(node: Tag, out: _Output) -> None:
    for child in node.children:
        if isinstance(child, Tag):
            _element(child, out)
        elif isinstance(child, NavigableString) and not isinstance(
            child, Comment | Declaration | Doctype | CData | ProcessingInstruction
        ):
            out.write(str(child))


def _element(tag: Tag, out: _Output) -> None:
    name = tag.name
    if _is_noise(tag):
        return
    if name == "br":
        out.hard_break()
    elif name == "table":
        out.line_break(2)
        _table(tag, out)
        out.line_break(2)
    elif _is_grid_row(tag):
        _row(tag, [c for c in tag.find_all(True, recursive=False) if _is_grid_cell(c)], out)
    elif name == "pre":
        out.line_break(2)
        out.raw(tag.get_text().strip("\n"))
        out.line_break(2)
    elif name == "li":
        out.line_break(1)
        out.write(_list_marker(tag) + " ")
        _walk(tag, out)
        out.line_break(1)
    elif name in _PARAGRAPHS:
        out.line_break(2)
        _paragraph(tag, out)
        out.line_break(2)
    elif name in _BLOCKS:
        out.line_break(1)
        _paragraph(tag, out)
        out.line_break(1)
    else:
        _walk(tag, out)


def _paragraph(tag: Tag, out: _Output) -> None:
    """Walk a block; a bold label opening a long text goes on its own line."""
    label = _leading_label(tag)
    if label is None:
        _walk(tag, out)
        return
    for child in tag.children:
        if isinstance(child, Tag):
            _element(child, out)
            if child is label:
                out.line_break(2)
        elif isinstance(child, NavigableString) and not isinstance(child, Comment):
            out.write(str(child))


def _leading_label(tag: Tag) -> Tag | None:
    """The ``<b>``/``<strong>`` that opens ``tag`` and ends with ":" before a long text."""
    first = next(
        (c for c in tag.children if not (isinstance(c, NavigableString) and not c.strip())),
        None,
    )
    if not isinstance(first, Tag) or first.name not in ("b", "strong"):
        return None
    label = first.get_text(" ", strip=True)
    rest = tag.get_text(" ", strip=True)[len(label) :].strip()
    if label.endswith(":") and len(rest) > _LABEL_SPLIT_MIN:
        return first
    return None


def _list_marker(li: Tag) -> str:
    parent = li.parent
    if isinstance(parent, Tag) and parent.name == "ol":
        start = str(parent.get("start", "1"))
        number = int(start) if start.isdigit() else 1
        for item in parent.find_all("li", recursive=False):
            if item is li:
                break
            number += 1
        return f"{number}."
    return "-"


def _table(table: Tag, out: _Output) -> None:
    """Rows as TAB-separated lines; layout rows (nested tables, long texts) as paragraphs."""
    caption = table.find("caption")
    if caption is not None and caption.find_parent("table") is table:
        out.line_break(1)
        _walk(caption, out)
        out.line_break(1)
    for row in _rows(table):
        _row(row, [c for c in row.find_all(("td", "th"), recursive=False) if not _is_noise(c)], out)


def _row(row: Tag, cells: list[Tag], out: _Output) -> None:
    """One table row (or CSS grid row) as a TAB-separated line, or as paragraphs.

    A row of a single cell has no columns to keep apart: its content keeps its own lines.
    """
    if len(cells) == 1:
        out.line_break(1)
        _paragraph(cells[0], out)
        out.line_break(1)
        return
    if cells:
        if any(_is_layout_cell(c) for c in cells):
            for cell in cells:
                out.line_break(2)
                _paragraph(cell, out)
            out.line_break(2)
            return
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            out.line_break(1)
            out.raw("\t".join(texts).rstrip("\t"))
            out.line_break(1)
        return
    out.line_break(1)
    _paragraph(row, out)
    out.line_break(1)


def _rows(table: Tag) -> Iterable[Tag]:
    """The table's own rows (not those of nested tables), in order."""
    for row in table.find_all("tr"):
        if row.find_parent("table") is table:
            yield row


def _is_grid_row(tag: Tag) -> bool:
    """A CSS/ARIA table row made of divs (SessionNet 5: ``smc-table-row``, ``role=row``)."""
    if str(tag.get("role", "")).lower() == "row":
        return True
    return any(_GRID_ROW.search(n) for n in _attribute_list(tag, "class"))


def _is_grid_cell(tag: Tag) -> bool:
    if str(tag.get("role", "")).lower() in ("cell", "gridcell", "rowheader", "columnheader"):
        return not _is_noise(tag)
    return any(_GRID_CELL.search(n) for n in _attribute_list(tag, "class")) and not _is_noise(tag)


def _is_layout_cell(cell: Tag) -> bool:
    if cell.find("table") is not None:
        return True
    blocks = [b for b in cell.find_all(("p", "div", "ul", "ol", "h1", "h2", "h3", "h4"))]
    return len(blocks) >= 2 and len(cell.get_text(" ", strip=True)) > 200


def _cell_text(cell: Tag) -> str:
    sub = _Output()
    _walk(cell, sub)
    text = re.sub(r"\s+", " ", sub.text()).strip()
    return "" if _NOISE_LINE.match(text) else text


def _is_noise(tag: Tag) -> bool:
    """Page furniture: navigation, scripts, buttons, banners, skip links, hidden icons."""
    if tag.name in _DROP_TAGS:
        return True
    if str(tag.get("role", "")).lower() in _DROP_ROLES:
        return True
    if str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    names = [*_attribute_list(tag, "class"), *_attribute_list(tag, "id")]
    if any(_DROP_CLASS.match(n) for n in names):
        return True
    href = str(tag.get("href", ""))
    return tag.name == "a" and href.startswith("#") and bool(_SKIP_LINK.search(tag.get_text()))


def _attribute_list(tag: Tag, name: str) -> list[str]:
    value = tag.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]
