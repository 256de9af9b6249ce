"""Headings recognised by their form, for layouts no profile knows.

A line is *heading-like* when it is short (at most ``MAX_WORDS`` words), starts with a capital
letter, does not end a sentence, and every word of it is capitalised or a small function word
("und", "des", "zur", ...): "Problembeschreibung/Begründung:", "Begründung des Antrages",
"Antrag,", "Ergebnis der Prüfung:". Such a line

* opens a section of the kind of the first known heading word in it ("Problembeschreibung" ->
  facts, "Begründung" -> reasons, "Antrag" -> resolution; ``KEYWORDS``), when that word is
  among its first two words and the section it would end is of another kind;
* otherwise it ends the resolution it follows (the Beschlussvorschlag is bounded by the next
  heading-like line: "Berücksichtigung von Gender-Aspekten"); inside other sections it stays
  text (a facts section has sub-headings of its own).
"""

from __future__ import annotations

import re

from ingest.headings import HeadingRule, Kind

MAX_WORDS = 6
MAX_CHARS = 70

#: Heading words and the kind of section they open, looked for anywhere in a heading-like line.
KEYWORDS: tuple[tuple[re.Pattern[str], Kind], ...] = tuple(
    (re.compile(rf"^(?:{words})", re.IGNORECASE), kind)
    for words, kind in (
        (
            r"Sachdarstellung|Sachverhalt|Problembeschreibung|Problemstellung|Sachstand|"
            r"Sachlage|Erläuterung|Ausgangslage|Anlass|Hintergrund|Darstellung",
            "facts",
        ),
        (r"Begründung|Begruendung", "reasons"),
        (
            r"Beschlussvorschlag|Beschlussempfehlung|Beschlussentwurf|Beschlussantrag|"
            r"Beschlusstext|Antrag|Empfehlung|Entscheidungsvorschlag|Vorschlag",
            "resolution",
        ),
        (r"Finanzielle|Finanzierung|Haushalt|Kosten", "finance"),
        (r"Klima", "climate"),
        (r"Anhang", "attachments"),
    )
)
_FUNCTION_WORDS = frozenset(
    [
        "und",
        "oder",
        "des",
        "der",
        "die",
        "das",
        "dem",
        "den",
        "zum",
        "zur",
        "zu",
        "im",
        "in",
        "am",
        "an",
        "für",
        "von",
        "vom",
        "mit",
        "nach",
        "über",
        "bzw.",
        "bzw",
        "sowie",
        "auf",
        "aus",
        "bei",
    ]
)
_TOKEN_SPLIT = re.compile(r"[\s/]+")
_SENTENCE_END = re.compile(r"[.;!?]$")
_RULES: dict[Kind | None, HeadingRule] = {}


def _rule(kind: Kind | None) -> HeadingRule:
    if kind not in _RULES:
        _RULES[kind] = HeadingRule(re.compile(r"^.*$"), kind, 1, inline=True)
    return _RULES[kind]


def is_heading_like(line: str) -> bool:
    """A short line of capitalised words that does not end a sentence (module docstring)."""
    text = line.strip()
    if not text or len(text) > MAX_CHARS or not text[0].isupper() or "\t" in text:
        return False
    body = text.rstrip(":, ")
    if not body or _SENTENCE_END.search(body):
        return False
    words = [w for w in _TOKEN_SPLIT.split(body) if w]
    if len(words) > MAX_WORDS:
        return False
    return all(w[0].isupper() or w.lower() in _FUNCTION_WORDS or w[0].isdigit() for w in words)


def keyword_kind(line: str) -> tuple[bool, Kind | None]:
    """(True, kind) of the first heading word among the line's first two words, else (False, _)."""
    words = [w for w in _TOKEN_SPLIT.split(line.strip().rstrip(":, ")) if w][:2]
    for word in words:
        for pattern, kind in KEYWORDS:
            if pattern.match(word):
                return True, kind
    return False, None


def form_heading(line: str, current: Kind | None) -> tuple[HeadingRule, str] | None:
    """The rule for a heading-like line (module docstring), or None when it is text."""
    if not is_heading_like(line):
        return None
    known, kind = keyword_kind(line)
    if known and kind != current:
        return _rule(kind), ""
    if current == "resolution":
        return _rule(None), ""
    return None
