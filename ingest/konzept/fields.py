"""Handlungsfelder out of a concept's headings and their labelled blocks.

Which headings are Handlungsfelder (docs/konzepte.md):

* headings that say so ("Handlungsfeld „Wohnen“", "Handlungsfeld 3: Sprache"), with
  everything below them; else
* the numbered headings whose own text (up to the next numbered heading) holds a block label
  (Ziel, Ziele, Leitsätze, Indikatoren, Maßnahmen, Schwerpunkte, …): the fields of a concept
  that groups them under a chapter "Handlungsfelder" (Karlsruhe 2012) or "Gesellschaftliche
  Teilhabe" (2024).

Inside a field, a label line opens a block that runs to the next label or heading: Ziel(e)
become ``ziele``, Leitsätze / Kernaussage the ``leitziel`` (and ``ziele``), Indikatoren
``indikatoren``, Maßnahmen / Schwerpunkte / "Konkret bedeutet dies" the measures (numbered
after the field where the document does not number them). A measures table or numbered
measure paragraphs (:mod:`ingest.konzept.measures`) win over such lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.schema import Handlungsfeld, Massnahme
from ingest.konzept.lines import block_label, flat, is_furniture, items
from ingest.konzept.measures import is_measure_head, measures_in
from ingest.konzept.toc import Heading

__all__ = ["FIELD_TITLE", "Blocks", "field_title", "handlungsfelder", "read_blocks"]

FIELD_TITLE = re.compile(
    r"^Handlungsfeld(?!er)\b\s*(?:(?P<num>\d{1,2}(?:\.\d{1,2})?)\s*[:.]?)?\s*", re.IGNORECASE
)
_QUOTES = str.maketrans("", "", '„“”"»«')


@dataclass
class Blocks:
    """The labelled blocks of one field's text."""

    ziele: list[str] = field(default_factory=list)
    leitziel: list[str] = field(default_factory=list)
    indikatoren: list[str] = field(default_factory=list)
    massnahmen: list[str] = field(default_factory=list)


def handlungsfelder(lines: list[str], headings: list[Heading]) -> list[Handlungsfeld]:
    """The Handlungsfelder of a concept whose headings (in text order) are ``headings``."""
    numbered = [h for h in headings if h.number]
    named = [h for h in numbered if FIELD_TITLE.match(h.title)]
    chosen = named or [h for h in numbered if _has_labels(lines, h, headings)]
    return [_field(lines, h, headings, numbered) for h in chosen]


def field_title(title: str) -> str:
    """ "Handlungsfeld „Wohnen“" -> "Wohnen"; other titles as they are."""
    return flat(FIELD_TITLE.sub("", title).translate(_QUOTES)) or flat(title)


def _own_lines(lines: list[str], heading: Heading, headings: list[Heading]) -> list[str]:
    """The lines under ``heading`` up to the next numbered heading."""
    later = [h.start for h in headings if h.start > heading.start and h.number]
    return lines[heading.end : later[0] if later else len(lines)]


def _subtree(lines: list[str], heading: Heading, numbered: list[Heading]) -> list[str]:
    """The lines under ``heading`` up to the next numbered heading of its level or above."""
    later = [h.start for h in numbered if h.start > heading.start and h.level <= heading.level]
    return lines[heading.end : later[0] if later else len(lines)]


def _has_labels(lines: list[str], heading: Heading, headings: list[Heading]) -> bool:
    labels = {block_label(line) for line in _own_lines(lines, heading, headings)}
    return bool(labels & {"ziele", "leitziel", "massnahmen", "indikatoren"})


def _field(
    lines: list[str], heading: Heading, headings: list[Heading], numbered: list[Heading]
) -> Handlungsfeld:
    body = _subtree(lines, heading, numbered)
    blocks = read_blocks(body, _heading_lines(lines, headings))
    own_number = FIELD_TITLE.match(heading.title)
    number = (own_number["num"] if own_number and own_number["num"] else heading.number) or ""
    table = measures_in(body)
    massnahmen = table or [
        Massnahme(
            nummer=f"{number}.{i}", nummer_abgeleitet=True, titel=_title(text), beschreibung=text
        )
        for i, text in enumerate(blocks.massnahmen, start=1)
    ]
    leitziel = " ".join(blocks.leitziel) or None
    return Handlungsfeld(
        nummer=number or None,
        titel=field_title(heading.title),
        oberfeld=_parent(heading, numbered),
        leitziel=leitziel,
        ziele=blocks.ziele or blocks.leitziel,
        indikatoren=blocks.indikatoren,
        massnahmen=massnahmen,
        text="\n".join(line for line in body if not is_furniture(line)).strip(),
    )


def _heading_lines(lines: list[str], headings: list[Heading]) -> set[str]:
    return {lines[h.start] for h in headings}


def read_blocks(body: list[str], heading_lines: set[str]) -> Blocks:
    """The labelled blocks in ``body``; a heading line ends the block it falls in."""
    blocks = Blocks()
    label: str | None = None
    current: list[str] = []
    for line in body:
        found = block_label(line)
        if found is not None or line in heading_lines or is_measure_head(line):
            _keep(blocks, label, current)
            label, current = found, []
        elif label is not None:
            current.append(line)
    _keep(blocks, label, current)
    return blocks


def _keep(blocks: Blocks, label: str | None, lines: list[str]) -> None:
    if label in {"ziele", "leitziel", "indikatoren", "massnahmen"}:
        getattr(blocks, label).extend(items(lines))


_TITLE_CHARS = 120


def _title(text: str) -> str:
    """A measure's title: its first sentence, at most about 120 characters."""
    sentence = re.split(r"(?<=[.;:!?])\s", text, maxsplit=1)[0]
    if len(sentence) <= _TITLE_CHARS:
        return sentence.rstrip(".;: ")
    cut = sentence.rfind(" ", 0, _TITLE_CHARS)
    return sentence[: cut if cut > 40 else _TITLE_CHARS] + " …"


def _parent(heading: Heading, numbered: list[Heading]) -> str | None:
    if not heading.number or "." not in heading.number:
        return None
    parent = heading.number.rsplit(".", 1)[0]
    return next((field_title(h.title) for h in numbered if h.number == parent), None)
