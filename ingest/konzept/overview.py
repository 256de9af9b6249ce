"""The Kernaussagen of an overview table ("Übersicht der Kernaussagen und Ziele", Karlsruhe
2018) as the Leitziel of each Handlungsfeld.

PDF text prints such a table row by row, the field's name glued to the first words of its
Kernaussage ("Sprache und Bildung„Jeder junge Mensch …", "WohnenWohnen ist …") and the
Ziele column after it. The field's name is found by its letters and digits (over up to four
lines), and the Kernaussage is the text after it up to the first sentence end. A field that
the table splits into its parts (Gesundheit / Sport / Älter werden) gets the Kernaussagen of
its sub-headings, joined.
"""

from __future__ import annotations

import re

from assistant.schema import Handlungsfeld
from ingest.konzept.lines import flat, is_furniture, squash
from ingest.konzept.toc import Heading

__all__ = ["OVERVIEW", "add_kernaussagen"]

OVERVIEW = re.compile(r"Kernaussage", re.IGNORECASE)
_MAX_LINES = 6
_END = re.compile(r"[.!?][“”\"]?\.?$|[“”]$")


def add_kernaussagen(
    fields: list[Handlungsfeld], lines: list[str], headings: list[Heading]
) -> list[Handlungsfeld]:
    """``fields`` with the Leitziel from the overview table where they have none."""
    table = _overview(lines, headings)
    if not table:
        return fields
    result: list[Handlungsfeld] = []
    for feld in fields:
        if feld.leitziel:
            result.append(feld)
            continue
        own = _kernaussage(table, feld.titel)
        parts = [k for k in (_kernaussage(table, t) for t in _parts(feld, headings)) if k]
        leitziel = own or " / ".join(parts) or None
        result.append(feld.model_copy(update={"leitziel": leitziel}))
    return result


def _overview(lines: list[str], headings: list[Heading]) -> list[str]:
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        if OVERVIEW.search(heading.title):
            end = following.start if following else len(lines)
            return [flat(x) for x in lines[heading.end : end] if x.strip() and not is_furniture(x)]
    return []


def _parts(feld: Handlungsfeld, headings: list[Heading]) -> list[str]:
    if not feld.nummer:
        return []
    prefix = f"{feld.nummer}."
    return [
        h.title
        for h in headings
        if h.number and h.number.startswith(prefix) and h.number.count(".") == prefix.count(".")
    ]


def _kernaussage(table: list[str], name: str) -> str | None:
    key = squash(name)
    if not key:
        return None
    for start in range(len(table)):
        joined = ""
        for end in range(start, min(start + 4, len(table))):
            joined += squash(table[end])
            if joined.startswith(key):
                rest = _after(table[end], len(key) - (len(joined) - len(squash(table[end]))))
                if rest[:1].islower():
                    break  # the name is only the start of a longer word
                return _sentence([rest, *table[end + 1 : end + 1 + _MAX_LINES]])
            if not key.startswith(joined):
                break
    return None


def _after(line: str, letters: int) -> str:
    """``line`` after its first ``letters`` letters and digits."""
    seen = 0
    for position, char in enumerate(line):
        if seen == letters:
            return line[position:].strip()
        if squash(char):
            seen += 1
    return ""


def _sentence(lines: list[str]) -> str | None:
    parts: list[str] = []
    for line in lines:
        if re.fullmatch(r"\d{1,3}", line):
            continue
        parts.append(line)
        if _END.search(line):
            break
    text = " ".join(p for p in parts if p).strip()
    return text or None
