"""The parts a long Vorlage is read in (the map step of a summary; issue 13).

:func:`plan_parts` cuts ``Vorlage.text`` at paragraph breaks into parts of at most
``part_chars`` characters (a paragraph longer than that at sentence ends, else hard), keeps the
first ``max_parts`` and marks the rest as not read, with the reason. Each part is labelled with
the sections it covers, so that the record can say which parts were read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schema import Vorlage
from assistant.summary_schema import PartRead

__all__ = ["Part", "not_read_reason", "plan_parts"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


@dataclass(frozen=True)
class Part:
    """One part of the text: offsets into ``Vorlage.text`` and its label."""

    label: str
    start: int
    end: int
    text: str


def not_read_reason(max_parts: int) -> str:
    return (
        f"Die Vorlage ist zu lang: nur die ersten {max_parts} Teile wurden gelesen, dieser nicht."
    )


def plan_parts(
    vorlage: Vorlage, part_chars: int, max_parts: int
) -> tuple[list[Part], list[PartRead]]:
    """The parts to read (at most ``max_parts``) and a :class:`PartRead` for every part.

    A text of at most ``part_chars`` characters is one part (read whole).
    """
    if part_chars < 200 or max_parts < 1:
        raise ValueError("part_chars must be at least 200 and max_parts at least 1")
    text = vorlage.text
    spans = _pack(_pieces(text, part_chars), part_chars)
    starts = _section_starts(vorlage)
    parts = [Part(_label(starts, s, e), s, e, text[s:e].strip()) for s, e in spans]
    parts = [p for p in parts if p.text]
    reads = [
        PartRead(
            label=p.label,
            start=p.start,
            end=p.end,
            read=i < max_parts,
            reason=None if i < max_parts else not_read_reason(max_parts),
        )
        for i, p in enumerate(parts)
    ]
    return parts[:max_parts], reads


def _pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """Paragraph spans of ``text``; a paragraph longer than ``limit`` split further."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.extend(_split_long(text, start, match.end(), limit))
        start = match.end()
    spans.extend(_split_long(text, start, len(text), limit))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    if end - start <= limit:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    cut_from = start
    while end - cut_from > limit:
        window = text[cut_from : cut_from + limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > limit // 2]
        cut = cut_from + (ends[-1] if ends else limit)
        spans.append((cut_from, cut))
        cut_from = cut
    spans.append((cut_from, end))
    return spans


def _pack(pieces: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Neighbouring pieces joined into parts of at most ``limit`` characters."""
    parts: list[tuple[int, int]] = []
    for start, end in pieces:
        if parts and end - parts[-1][0] <= limit:
            parts[-1] = (parts[-1][0], end)
        else:
            parts.append((start, end))
    return parts


def _section_starts(vorlage: Vorlage) -> list[tuple[int, str]]:
    """Where each section's text begins in ``Vorlage.text``, with its heading, in order."""
    found: list[tuple[int, str]] = []
    position = 0
    for section in vorlage.sections:
        probe = section.text.strip()[:60]
        if not probe:
            continue
        at = vorlage.text.find(probe, position)
        if at >= 0:
            heading = " ".join(section.heading.split()) or section.canonical or "Abschnitt"
            found.append((at, heading))
            position = at
    return found


def _label(starts: list[tuple[int, str]], start: int, end: int) -> str:
    """The headings of the sections a part covers ("Sachverhalt, Beschlussempfehlung"); a part
    that begins inside a section names it first; without sections the character range."""
    inside = [heading for at, heading in starts if at <= start]
    names = [inside[-1]] if inside else []
    names += [heading for at, heading in starts if start < at < end]
    unique = list(dict.fromkeys(names))
    if not unique:
        return f"Zeichen {start + 1}–{end}"
    return ", ".join(unique[:4]) + (" …" if len(unique) > 4 else "")
