"""The table of contents of a concept and the headings it names, found in the text.

A concept's own table of contents is the most reliable list of its headings: PDF text loses
the spaces after heading numbers and wraps long headings over lines, but the order and the
wording stay. So the entries are read first (:func:`read_toc`), then each is searched in the
text after the table, in order (:func:`locate`), with both sides compared as
:func:`~ingest.konzept.lines.squash` keys. A document without a table falls back to numbered
heading lines (:func:`numbered_headings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.konzept.lines import BULLET, flat, is_furniture, squash

__all__ = ["Heading", "TocLine", "locate", "numbered_headings", "read_toc"]

_TOC_TITLE = re.compile(r"^\s*(?:Inhalt|Inhaltsverzeichnis|Inhaltsübersicht|Gliederung)\s*:?\s*$")
# "4.1.1Vorschulische Bildung.......15", "3. Handlungsfeld „Sprache und Bildung“ 9",
# "Zentrale Anlaufstelle Migration/Integration ..... 6"
_ENTRY = re.compile(
    r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})?\.?\s*(?P<title>\S.*?)"
    r"(?:\s*\.{2,}\s*|\s+)(?P<page>\d{1,3})\s*$"
)
_NUMBER = re.compile(r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s*(?P<title>[A-ZÄÖÜ„\"].*)$")
_MAX_GAP = 3  # lines without an entry that end the table


@dataclass(frozen=True)
class TocLine:
    """One entry of the table of contents."""

    number: str | None
    title: str
    page: int | None

    @property
    def key(self) -> str:
        return squash(f"{self.number or ''}{self.title}")


@dataclass(frozen=True)
class Heading:
    """A heading in the text: number and title as printed, the lines it takes (start, end)."""

    number: str | None
    title: str
    start: int
    end: int

    @property
    def level(self) -> int:
        return self.number.count(".") + 1 if self.number else 99


def read_toc(lines: list[str]) -> tuple[list[TocLine], int]:
    """The entries of the first table of contents and the index of the line after it
    (``([], 0)`` without one). Wrapped entries are joined."""
    start = next((i for i, line in enumerate(lines[:400]) if _TOC_TITLE.match(line)), None)
    if start is None:
        return [], 0
    entries: list[TocLine] = []
    pending = ""
    gap = 0
    end = start + 1
    for index in range(start + 1, len(lines)):
        text = flat(lines[index])
        if not text or is_furniture(text):
            continue
        match = _ENTRY.match(f"{pending} {text}".strip())
        if match and "." not in match["title"][-1:]:
            entries.append(_entry(match))
            pending, gap, end = "", 0, index + 1
        elif entries and gap < _MAX_GAP and len(text) < 160:
            pending, gap = f"{pending} {text}".strip(), gap + 1
        else:
            break
        if gap >= _MAX_GAP:
            break
    return entries, end


def _entry(match: re.Match[str]) -> TocLine:
    title = flat(match["title"]).rstrip(". ")
    return TocLine(match["num"], title, int(match["page"]))


def locate(lines: list[str], entries: list[TocLine], after: int) -> list[Heading | None]:
    """Each entry's heading in ``lines[after:]``, searched in order (``None``: not found)."""
    found: list[Heading | None] = []
    cursor = after
    for entry in entries:
        heading = _find(lines, entry, cursor)
        found.append(heading)
        if heading is not None:
            cursor = heading.end
    return found


def _find(lines: list[str], entry: TocLine, cursor: int) -> Heading | None:
    key = entry.key
    for index in range(cursor, len(lines)):
        if BULLET.match(lines[index].strip()):
            continue  # a list item naming the same thing is no heading
        first = squash(lines[index])
        if len(first) < min(len(key), 6) or not key.startswith(first):
            continue
        joined, end = first, index + 1
        while joined != key and end < len(lines) and end - index < 4:
            more = joined + squash(lines[end])
            if more == joined or not key.startswith(more):
                break
            joined, end = more, end + 1
        if joined == key:
            return Heading(entry.number, entry.title, index, end)
    return None


def numbered_headings(lines: list[str], after: int = 0) -> list[Heading]:
    """Numbered heading lines ("3.2 Sprache und Bildung") in ascending order, for documents
    without a table of contents. A line counts when its number follows the previous
    heading's (a sibling, a child or a next chapter), so footnotes and figures do not."""
    headings: list[Heading] = []
    for index in range(after, len(lines)):
        match = _NUMBER.match(lines[index])
        if not match or len(match["title"]) > 120 or match["title"].endswith((".", ",")):
            continue
        number = match["num"]
        if _follows(headings[-1].number if headings else None, number):
            headings.append(Heading(number, flat(match["title"]), index, index + 1))
    return headings


def _follows(previous: str | None, number: str) -> bool:
    parts = [int(p) for p in number.split(".")]
    if previous is None:
        return parts == [1] or parts == [1, 1]
    before = [int(p) for p in previous.split(".")]
    if parts == [*before, 1]:
        return True
    for depth in range(len(before), 0, -1):
        if parts == [*before[: depth - 1], before[depth - 1] + 1]:
            return True
    return False
