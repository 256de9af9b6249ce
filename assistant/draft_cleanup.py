"""Clean-up of the section texts the model writes, before they are validated.

:func:`repetition_at` notices an answer that loops (the drafting service stops the stream
there) and :func:`cut_repetition` cuts the loop off at a sentence end; :func:`clean_section`
removes a leading label, a tail of JSON or code-fence debris and, in the Beschlussvorschlag,
source markers; :func:`mark_quotes` adds the marker ``[n]`` after a sentence copied from source
``n`` without it.
"""

from __future__ import annotations

import re

from assistant.draft_events import Section
from assistant.schema import Draft
from assistant.validation import CITATION_MARKER, RE_WORD, unmarked_quotes

__all__ = ["REPEAT_WORDS", "clean_section", "cut_repetition", "mark_quotes", "repetition_at"]


REPEAT_WORDS = 10  # a run of this many words occurring twice is a loop, not style
_SENTENCE_END = re.compile(r"[.!?:](?=\s|$)")


def repetition_at(text: str, size: int = REPEAT_WORDS) -> int | None:
    """Where ``text`` starts repeating itself: the character offset of the second occurrence
    of the first run of ``size`` words (ignoring case and punctuation) that occurs twice;
    ``None`` when nothing repeats.

    A small model at low temperature can fall into a loop, writing the same sentences until
    the token limit (measured with the bundled model: 700 tokens, a minute of generation, for
    three sentences repeated). Ten identical words in a row do not occur twice in a
    Sachdarstellung of a few hundred words, not even in formal German."""
    words = list(RE_WORD.finditer(text))
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - size + 1):
        gram = tuple(w.group().lower() for w in words[i : i + size])
        if gram in seen:
            return words[i].start()
        seen.add(gram)
    return None


def cut_repetition(text: str) -> str:
    """``text`` without its repetition: cut at the last sentence end before it starts."""
    at = repetition_at(text)
    if at is None:
        return text
    head = text[:at]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    return (head[: ends[-1]] if ends else head).rstrip()


_LABEL = re.compile(r"^\s*(?:\*\*)?(?:Sachdarstellung|Beschlussvorschlag)(?:\*\*)?\s*:\s*", re.I)
_MARKER = re.compile(rf"[ \t]*{CITATION_MARKER.pattern}")


# The model "closed" its JSON inside the string and went on ('..."} }\n```json'): measured
# with the bundled model under the JSON grammar, which allows any character in a string.
_JUNK_TAIL = re.compile(r'\s*(?:```|"\s*\}).*\Z', re.S)


def clean_section(text: str, section: Section = "sachdarstellung") -> str:
    """The model's section text: trimmed, a leading "Sachdarstellung:" label removed, a tail of
    JSON or code-fence debris cut off; in the Beschlussvorschlag source markers "[n]" are
    removed (it is printed as the resolution itself, sources belong in the Sachdarstellung;
    the prompt asks for none, a small model adds some)."""
    cleaned = _LABEL.sub("", text.strip(), count=1).strip()
    cleaned = _JUNK_TAIL.sub("", cleaned).rstrip()
    if section == "beschlussvorschlag":
        cleaned = _MARKER.sub("", cleaned)
    return cleaned


def mark_quotes(draft: Draft) -> str:
    """The draft's Sachdarstellung with "[n]" added after every sentence that copies at least
    a dozen words of source ``n`` without saying so.

    The service knows exactly which source such a run comes from, so the marker is a fact, not
    a guess; the bundled 1.5B model copies source sentences often and forgets the marker, and a
    repair round (a further generation, ~20 s on 2 cores) rarely fixed it. The marker goes
    before the sentence's final punctuation, as the model writes them. Quotes in the
    Beschlussvorschlag are left to the ``citations`` rule (it carries no markers)."""
    text = draft.sachdarstellung
    inserts: dict[int, set[int]] = {}
    for name, (_, end), n in unmarked_quotes(draft):
        if name == "sachdarstellung":
            match = _SENTENCE_END.search(text, end)
            inserts.setdefault(match.start() if match else len(text), set()).add(n)
    for at in sorted(inserts, reverse=True):
        marker = " [" + ", ".join(str(n) for n in sorted(inserts[at])) + "]"
        text = text[:at].rstrip() + marker + text[at:]
    return text
