"""Sentences, words and word runs of a draft's texts, for the rules that compare texts
(``citations``, ``finanzen``, ``wiederholung``, ``anweisung``).

:func:`sentence_spans` splits a text into sentences with offsets into it. A sentence ends at
".", "!" or "?" (with closing quotes or brackets and a following citation marker ". [2]"), not
after an abbreviation ("z. B.", "Nr.", "Abs.") or an ordinal ("am 5. Dezember"), and not
before a lower-case word. Paragraphs (a blank line) and list items ("- …", "1. …") are
sentences of their own even without a full stop; a single line break inside a paragraph is
not a boundary (texts from PDF files wrap their lines mid-sentence). :func:`word_tokens` gives
the lower-cased words of a text without its citation markers, :func:`ngrams` its runs of ``n``
words and :func:`shared_runs` the character spans of a text made of runs found in another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assistant.validation.findings import mask_all
from assistant.validation.markers import CITATION_MARKER

Gram = tuple[str, ...]
RE_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")
# A word as a reader counts it: "1.234.567,89" is one word, not four.
RE_READER_WORD = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-zÄÖÜäöüß]+")

RE_LIST_ITEM = re.compile(
    r"^[ \t]*(?:[-–—•▪◦·*+]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|[IVX]{1,4}[.)])[ \t]+(?=\S)", re.M
)
_BLOCK_BREAK = re.compile(
    r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-–—•▪◦·*+]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])[ \t]+\S)"
)
_CLOSERS = r"[)\]\"“”’'»«]"
_END = re.compile(rf"[.!?]+(?:{_CLOSERS}|\s*{CITATION_MARKER.pattern}\.?)*(?=\s|$)")
_ABBREVIATIONS = frozenset({
    "a", "abs", "abzgl", "art", "b", "bspw", "bzw", "ca", "d", "dr", "e", "evtl", "ff", "fr",
    "gem", "geb", "ggf", "gez", "h", "hr", "hrsg", "i", "inkl", "jh", "lfd", "max", "min",
    "mio", "mrd", "nr", "o", "prof", "rd", "s", "sog", "st", "str", "tsd", "u", "v", "vgl",
    "vs", "z", "ziff", "zzgl",
})  # fmt: skip


def _is_end(text: str, match: re.Match[str], block_end: int) -> bool:
    """Whether ``match`` (a run of ".", "!", "?" …) ends a sentence."""
    if match.group().startswith(".") and not match.group().startswith(".."):
        before = re.search(r"(\w+)$", text[: match.start()])
        word = before.group(1) if before else ""
        if word.lower() in _ABBREVIATIONS:
            return False
        if word.isdigit() and len(word) <= 2 and text[match.end() : block_end].strip():
            return False  # an ordinal or a date: "am 5. Dezember", "im 1. Halbjahr"
    following = text[match.end() : block_end].lstrip()
    return not following[:1].islower()


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs and list items: (start, end) without surrounding whitespace."""
    out: list[tuple[int, int]] = []
    start = 0
    for br in [*_BLOCK_BREAK.finditer(text), None]:
        end = br.start() if br is not None else len(text)
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((start + lead, start + len(chunk.rstrip())))
        if br is not None:
            start = br.end()
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of ``text``, in order."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _END.finditer(text, block_start, block_end):
            if match.end() <= start or not _is_end(text, match, block_end):
                continue
            spans.append((start, match.end()))
            rest = text[match.end() : block_end]
            start = match.end() + len(rest) - len(rest.lstrip())
        if text[start:block_end].strip():
            spans.append((start, block_end))
    return spans


def word_matches(text: str, word: re.Pattern[str] = RE_WORD) -> list[re.Match[str]]:
    """The words of ``text`` (by default runs of letters and digits) with their offsets,
    citation markers left out."""
    return list(word.finditer(mask_all(text, CITATION_MARKER)))


def word_tokens(text: str, word: re.Pattern[str] = RE_WORD) -> list[str]:
    """The lower-cased words of ``text``, citation markers left out."""
    return [w.group().lower() for w in word_matches(text, word)]


def ngrams(words: Sequence[str], size: int) -> set[Gram]:
    """Every run of ``size`` consecutive ``words``."""
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def shared_runs(
    text: str, theirs: set[Gram], own: set[Gram], size: int, word: re.Pattern[str] = RE_WORD
) -> Iterator[tuple[int, int]]:
    """Character spans of ``text`` covered by runs of ``size`` words (lower-cased, punctuation
    and markers ignored) that are in ``theirs`` and not in ``own``; overlapping runs merge."""
    words = word_matches(text, word)
    lowered = [w.group().lower() for w in words]
    covered = [False] * len(words)
    for i in range(len(words) - size + 1):
        gram = tuple(lowered[i : i + size])
        if gram in theirs and gram not in own:
            covered[i : i + size] = [True] * size
    i = 0
    while i < len(words):
        if covered[i]:
            j = i
            while j + 1 < len(words) and covered[j + 1]:
                j += 1
            yield words[i].start(), words[j].end()
            i = j + 1
        else:
            i += 1
