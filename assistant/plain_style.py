"""„Sachlicher“: evaluative and intensifying words taken out of a German text by rules.

A Sachdarstellung states facts; a clerk who asks for it „sachlicher“ wants the judging words
gone, not a new text. What the rules remove, and only where removing leaves a correct
sentence:

* **intensifiers** before a lower-case word („sehr wichtig“ → „wichtig“, „dringend
  erforderlich“ → „erforderlich“, „muss unbedingt beachtet“ → „muss beachtet“), never before
  an article or a preposition, where the word means something else („besonders in“);
* **judging adjectives before a noun** („eine hervorragende Zusammenarbeit“ → „eine
  Zusammenarbeit“); as a predicate („… ist hervorragend“) they stay, since the sentence would
  lose its verb's complement;
* **sentence adverbs that judge** („leider“, „erfreulicherweise“, „selbstverständlich“ …)
  inside a sentence; at the start of a sentence they stay unless a comma follows, because
  German word order would need the sentence rebuilt („Leider konnte …“);
* **exclamation marks**, which become full stops.

Nothing else changes: numbers, names, citations ``[n]`` and line breaks stay as they are.
:func:`matter_of_fact` returns the text and the words removed, so that the caller can say
what happened (and that nothing did).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Plainer", "matter_of_fact"]

_INTENSIFIERS = (
    "sehr|äußerst|außerordentlich|ausgesprochen|überaus|höchst|enorm|extrem|"
    "unglaublich|absolut|wirklich|dringend|dringendst|unbedingt|zutiefst|hochgradig|massiv|"
    "ungemein"
)
_JUDGING_STEMS = (
    "hervorragend|herausragend|großartig|wunderbar|fantastisch|phantastisch|exzellent|"
    "beeindruckend|immens|gewaltig|dramatisch|katastrophal|skandalös|"
    "erfreulich|bedauerlich|unglücklich|vorbildlich|einzigartig|bemerkenswert|"
    "außergewöhnlich|überragend|sensationell|unverzichtbar|unerlässlich"
)
_SENTENCE_ADVERBS = (
    "leider|erfreulicherweise|glücklicherweise|bedauerlicherweise|dankenswerterweise|"
    "selbstverständlich|zweifellos|zweifelsohne|offensichtlich|offenkundig|"
    "unbestreitbar|bekanntlich|endlich"
)
# Words after which an intensifier is no intensifier („besonders in der Innenstadt“).
_NOT_AFTER = {
    "in", "im", "an", "am", "auf", "bei", "beim", "für", "mit", "nach", "von", "vom", "zu",
    "zum", "zur", "aus", "über", "unter", "vor", "durch", "gegen", "ohne", "um", "und",
    "oder", "aber", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines",
    "einem", "einen", "wenn", "weil", "da", "dass", "als", "wie", "nicht", "auch",
}  # fmt: skip

_INTENSIFIER = re.compile(rf"(?<![\w-])(?:{_INTENSIFIERS})\s+(?=(?P<next>[a-zäöüß][\w-]*))")
_JUDGING = re.compile(rf"(?<![\w-])(?:{_JUDGING_STEMS})(?:e|en|er|es|em)\s+(?=[A-ZÄÖÜ][\w-]*)")
_ADVERB_INSIDE = re.compile(
    rf"(?<=[\w,)\]])(?P<lead>\s*,)?\s+(?:{_SENTENCE_ADVERBS})(?P<trail>\s*,)?(?=\s)", re.I
)
_ADVERB_FIRST = re.compile(
    rf"(?:^|(?<=[.!?:]\s))(?P<word>(?:{_SENTENCE_ADVERBS})),\s+(?P<next>\w)", re.M | re.I
)
# An intensifier after a negation limits it („nicht unbedingt erforderlich“): it stays.
_NEGATION = re.compile(r"(?:nicht|kein\w*)\s*$", re.I)
_EXCLAMATION = re.compile(r"!+")


@dataclass(frozen=True)
class Plainer:
    """The result: the plainer ``text`` and the ``removed`` words, in order of removal."""

    text: str
    removed: tuple[str, ...]


def matter_of_fact(text: str) -> Plainer:
    """``text`` without intensifiers, judging attributes, judging sentence adverbs and
    exclamation marks (see the module docstring)."""
    removed: list[str] = []
    out = _INTENSIFIER.sub(lambda m: _drop_intensifier(m, removed), text)
    out = _JUDGING.sub(lambda m: _drop(m, removed), out)
    out = _ADVERB_INSIDE.sub(lambda m: _drop_adverb(m, removed), out)
    out = _ADVERB_FIRST.sub(lambda m: _drop_first(m, removed), out)
    exclamations = len(_EXCLAMATION.findall(out))
    out = _EXCLAMATION.sub(".", out)
    removed.extend(["!"] * exclamations)
    return Plainer(re.sub(r"[ \t]{2,}", " ", out), tuple(removed))


def _drop(match: re.Match[str], removed: list[str]) -> str:
    removed.append(match.group(0).strip())
    return ""


def _drop_intensifier(match: re.Match[str], removed: list[str]) -> str:
    before = match.string[max(0, match.start() - 12) : match.start()]
    if match.group("next").lower() in _NOT_AFTER or _NEGATION.search(before):
        return match.group(0)
    return _drop(match, removed)


def _drop_adverb(match: re.Match[str], removed: list[str]) -> str:
    lead, trail = match.group("lead"), match.group("trail")
    if lead and not trail:  # „…, leider ist es …“ opens a clause: removing breaks its order
        return match.group(0)
    removed.append(match.group(0).strip(" ,"))
    return "," if trail and not lead else ""  # „…, leider, …“ and „… leider …“ keep none


def _drop_first(match: re.Match[str], removed: list[str]) -> str:
    removed.append(match.group("word"))
    return match.group("next").upper()
