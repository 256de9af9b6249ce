"""Line helpers for concept documents: comparison keys, page furniture, block labels, items.

Concept PDFs lose spaces in headings ("4.1.1Vorschulische Bildung"), justify words with tabs
("Bildung\tund\t  Betreuung") and print running heads on every page ("Sozial- und
Jugendbehörde | Büro für Integration | 3"). These helpers read past that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "BULLET",
    "Label",
    "block_label",
    "flat",
    "is_furniture",
    "items",
    "squash",
]

_SQUASH = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """Lower-case letters and digits only: the key two printings of one heading share."""
    return _SQUASH.sub("", text.lower())


def flat(text: str) -> str:
    """Whitespace (tabs from justified PDF text included) collapsed to single spaces."""
    return " ".join(text.split())


_RUNNING_HEAD = re.compile(r"(?:^\d{1,3}\s*\|)|(?:\|\s*\d{1,3}$)|^\|$")
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")


def is_furniture(line: str) -> bool:
    """A page number or a running head with a page number ("4 | Fortschreibung …")."""
    text = line.strip()
    return bool(_PAGE_NUMBER.match(text) or _RUNNING_HEAD.search(text))


Label = str  # "ziele", "massnahmen", "indikatoren", "leitziel", "ende"

_LABELS: tuple[tuple[re.Pattern[str], Label], ...] = tuple(
    (re.compile(rf"^(?:{pattern})\s*:?$", re.IGNORECASE), label)
    for pattern, label in (
        (r"Ziele?|Ziel\(e\)|Teilziele|Handlungsziele?|Wirkungsziele?", "ziele"),
        (r"Leitziele?|Leitsätze|Leitsatz|Leitlinien?|Kernaussagen?", "leitziel"),
        (r"Indikatoren|Indikator|Messgrößen?|Kennzahlen?", "indikatoren"),
        (
            r"(?:Mögliche\s+|Geplante\s+|Konkrete\s+)?Maßnahmen?|Schwerpunkte|"
            r"Maßnahmenvorschläge|Handlungsempfehlungen|Konkret\s+bedeutet\s+dies",
            "massnahmen",
        ),
        (
            r"Ausgangslage|Ausgangssituation|Bestandsaufnahme|Bewertung|Strukturen\s+und\s+"
            r"Netzwerke|Berichterstattung,?\s+Controlling|Umsetzung|Steuerung|Fazit",
            "ende",
        ),
    )
)


def block_label(line: str) -> Label | None:
    """The kind of block a label line opens ("Mögliche Maßnahmen" -> "massnahmen")."""
    text = flat(line)
    if len(text) > 40:
        return None
    return next((label for pattern, label in _LABELS if pattern.match(text)), None)


BULLET = re.compile(r"^(?:[-–•▪◦●■□➢➤►✓*]|\uf0b7|\uf0a7|\uf0d8)\s*")


def items(lines: Iterable[str]) -> list[str]:
    """The items of a block: bullet points with their continuation lines; without bullets,
    paragraphs (separated by blank lines), each of them split after lines ending a sentence,
    footnotes ("64 Zum Beispiel …") left out."""
    kept = [line for line in lines if not is_furniture(line)]
    if any(BULLET.match(line.strip()) for line in kept):
        return _bullets(kept)
    return _paragraphs(kept)


def _bullets(lines: list[str]) -> list[str]:
    """Bullet items; a blank line ends an item (the running text after a list is no part of
    its last item)."""
    found: list[list[str]] = []
    open_item = False
    for line in lines:
        text = line.strip()
        if not text:
            open_item = False
        elif BULLET.match(text):
            found.append([BULLET.sub("", text)])
            open_item = True
        elif found and open_item:
            found[-1].append(text)
    return [_join(parts) for parts in found if _join(parts)]


def _paragraphs(lines: list[str]) -> list[str]:
    found: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        text = line.strip()
        if text:
            current.append(text)
        if current and (not text or text.endswith((".", "!", "“", '"'))):
            found.append(_join(current))
            current = []
    return [item for item in found if item and not _FOOTNOTE.match(item)]


# a footnote printed at the page's foot inside a list: "64 Zum Beispiel werden …"
_FOOTNOTE = re.compile(r"^\d{1,3} [A-ZÄÖÜ]")


def _join(parts: list[str]) -> str:
    """Lines of one item joined; a word broken at a line end ("Migra-", "tion") made whole."""
    text = ""
    for part in parts:
        part = flat(part)
        if text.endswith("-") and part[:1].islower():
            text = text[:-1] + part
        else:
            text = f"{text} {part}".strip()
    return text
