"""The clerk's facts of a paper: the sentences of its Sachdarstellung that carry checkable
details (:func:`fact_sentences`), found with a sentence splitter for PDF-extracted text
(:func:`split_sentences`). Deterministic, no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.validation import extract_facts

__all__ = ["FALLBACK_FACTS", "MAX_FACTS", "QUOTED_NAME", "fact_sentences", "split_sentences"]

MAX_FACTS = 8
MIN_FACT_WORDS = 5
FALLBACK_FACTS = 3
MAX_FACT_CHARS = 500

_BULLET = re.compile(r"^[ \t]*(?:[-–•*➢►▪·☐☒]|\(?\d{1,2}[.)]|[a-z]\))[ \t]+")
_MARKS = re.compile(r"^(?:[-–•*➢►▪·☐☒]\s+)+")  # bullet signs, not list numbers ("29. Mai")
_LINE_END = re.compile(r"[.!?:;,]$")
_SENTENCE_END = re.compile(r"[.!?][\"“”»)]?\s+(?=[A-ZÄÖÜ„\"(])")
_WORD_BEFORE_DOT = re.compile(r"(\S+)\.[\"“”»)]?$")
_ABBREVIATIONS = {
    "nr", "abs", "art", "ziff", "dr", "prof", "hr", "fr", "bzw", "ggf", "vgl", "gem", "ca", "str",
    "st", "tel", "bd", "kap", "lt", "evtl", "inkl", "zzgl", "usw", "sog", "rd", "mio", "mrd", "tsd",
    "bspw", "insb", "mind", "max", "min", "lfd", "gez", "ff", "jh", "anm", "erg",
}  # fmt: skip
_WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
QUOTED_NAME = re.compile(r"„[^“\n]{2,80}“|\"[^\"\n]{2,80}\"")
HEADING_LINE_CHARS = 60


def _units(text: str) -> Iterable[str]:
    """Runs of text that can hold sentences: paragraphs, with list items and short heading
    lines ("2. Zulässigkeitsprüfung") as units of their own; line breaks inside a unit are
    PDF line wraps and become spaces."""
    for paragraph in re.split(r"\n[ \t]*\n", text):
        current: list[str] = []
        for line in paragraph.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if _BULLET.match(line) and current:
                yield " ".join(current)
                current = []
            current.append(stripped)
            if len(stripped) < HEADING_LINE_CHARS and not _LINE_END.search(stripped):
                yield " ".join(current)
                current = []
        if current:
            yield " ".join(current)


def _ends_sentence(before: str) -> bool:
    """Whether the dot at the end of ``before`` ends a sentence: not after a common
    abbreviation, a single letter ("z. B.") or a day or ordinal number ("29. Januar",
    "12.03."); a year ("im Jahr 2019.") does end one."""
    match = _WORD_BEFORE_DOT.search(before)
    if match is None:
        return True
    word = match.group(1).lstrip('(„"')
    if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return not re.fullmatch(r"(?:\d{1,2}\.)*\d{1,2}", word)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order, whitespace collapsed (see :func:`_ends_sentence`
    for where a sentence ends; list items and short heading lines are sentences of their own)."""
    sentences: list[str] = []
    for unit in _units(text):
        flat = _MARKS.sub("", " ".join(unit.split()))
        start = 0
        for match in _SENTENCE_END.finditer(flat):
            end = match.start() + len(match.group().rstrip())
            if _ends_sentence(flat[start:end].rstrip('"“”»)')):
                sentences.append(flat[start:end].strip())
                start = match.end()
        sentences.append(flat[start:].strip())
    return [s for s in sentences if s]


def _fact_weight(sentence: str) -> int:
    """Checkable tokens (validator facts) plus 1 for a quoted name of a measure or project."""
    return len(extract_facts(sentence)) + (1 if QUOTED_NAME.search(sentence) else 0)


def fact_sentences(text: str, limit: int = MAX_FACTS) -> list[str]:
    """Up to ``limit`` sentences of ``text`` that carry facts, in document order.

    Why these: the ``grounded`` rule accepts a number, amount, date, year, percentage, § or
    Vorlagen-Nr. only when it is in the request or a cited source, so the facts a clerk gives
    are the checkable details of the case. A sentence counts when the validator's own
    :func:`~assistant.validation.extract_facts` finds at least one such token in it, or when it
    names a measure or project in quotation marks („Stiftung Forum Recht“). The ``limit``
    sentences with the most such tokens are taken (ties: the earlier one), and returned in
    their original order so that they read like a clerk's notes. Sentences with fewer than
    :data:`MIN_FACT_WORDS` words of two or more letters (headings, table rows such as
    "B 4.461.049 Euro 107 %") and runs longer than :data:`MAX_FACT_CHARS` characters
    (flattened tables) are left out; a repeated sentence counts once. When no sentence carries
    a fact, the first :data:`FALLBACK_FACTS` sentences are the facts: a clerk always says what
    the case is about, and an empty list would leave both systems with the Betreff alone.
    Deterministic, no model.
    """
    usable = [
        sentence
        for sentence in dict.fromkeys(split_sentences(text))
        if len(_WORDS.findall(sentence)) >= MIN_FACT_WORDS and len(sentence) <= MAX_FACT_CHARS
    ]
    weighted = [(_fact_weight(sentence), position) for position, sentence in enumerate(usable)]
    best = sorted((c for c in weighted if c[0]), key=lambda c: (-c[0], c[1]))[:limit]
    if not best:
        return usable[: min(limit, FALLBACK_FACTS)]
    return [usable[position] for _, position in sorted(best, key=lambda c: c[1])]
