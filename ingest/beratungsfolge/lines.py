"""The text as lines with their character offsets, and the block found in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from assistant.schema import Beratungsschritt

Span = tuple[int, int]


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


def text_lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    return out


def filled(lines: list[Line], i: int) -> Iterator[int]:
    """Indices of the non-empty lines from ``i`` on."""
    for j in range(i, len(lines)):
        if lines[j].text:
            yield j


@dataclass
class Block:
    steps: list[Beratungsschritt]
    span: Span
