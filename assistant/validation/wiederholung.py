"""Rule ``wiederholung``: no sentence twice.

A small model at low temperature repeats itself; a real draft said the same about "je 150.000
Euro im Doppelhaushalt" twice within three sentences and passed every other rule (the stream's
loop stop, ``repetition_at``, only cuts off a loop of identical words while it is written).
Reported is the later of two sentences when

* its set of words is nearly that of the earlier one (Jaccard similarity of at least
  :data:`SIMILARITY`: the same sentence, or a near copy with a word changed), or
* it repeats a run of :data:`RUN_WORDS` words of an earlier one of the same section (case and
  punctuation ignored; runs of the clerk's Betreff and facts do not count: naming the matter
  twice in the clerk's words is no repetition; across sections the resolution and the
  Sachdarstellung name the same measure by right).

Compared are sentences of at least :data:`MIN_WORDS` words that end with ".", "!" or "?" and
contain a lower-case word (table rows, headings and lists of names are not sentences), with the
same numbers: "Für Los 1 …" and "Für Los 2 …" are an enumeration, not a repetition. Within a
section the earlier sentence must start at most :data:`WINDOW_WORDS` words before the later one
(a loop repeats at once; a long human text restates a point in its summary); across the
sections the model writes (Beschlussvorschlag first, then Sachdarstellung and Begründung) any
distance counts, so a Sachdarstellung that repeats a sentence of the resolution is reported.

Measured on the 1,015 Karlsruhe papers with both sections (Beschlussvorschlag and
Sachdarstellung as one draft): 4.8 % are flagged, mostly verbatim duplicates in the parsed
texts and Sachdarstellungen that repeat a sentence of the resolution
(``tests/assistant/test_validation_clean.py``). With runs of 10 words across all sections and
no distance limit it was 34 %: long names of laws, bodies and places recur, and so do the
parallel sentences of tables and enumerations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.schema import Draft, Finding
from assistant.validation.findings import FIELD_TITLES, finding, generated_texts, short
from assistant.validation.sentences import Gram, ngrams, sentence_spans, word_tokens

MIN_WORDS = 6
SIMILARITY = 0.8
RUN_WORDS = 12
WINDOW_WORDS = 150
_PROSE_END = re.compile(r"[.!?][)\]\"“”’'»«]*(?:\s*\[[^\]\n]*\])?\.?$")
_LOWER_WORD = re.compile(r"\b[a-zäöüß]{2,}\b")


@dataclass(frozen=True)
class _Sentence:
    field: str
    text: str
    position: int  # words before it in its section
    words: frozenset[str]
    numbers: frozenset[str]
    runs: frozenset[Gram]


def _repeats(later: _Sentence, earlier: _Sentence) -> bool:
    if earlier.field == later.field and later.position - earlier.position > WINDOW_WORDS:
        return False
    if later.numbers != earlier.numbers:
        return False
    similar = len(later.words & earlier.words) >= SIMILARITY * len(later.words | earlier.words)
    return similar or (earlier.field == later.field and bool(later.runs & earlier.runs))


def _sentences(name: str, text: str, own: set[Gram]) -> Iterator[tuple[tuple[int, int], _Sentence]]:
    """(span, sentence) for the sentences of ``text`` that are compared."""
    position = 0
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        tokens = word_tokens(sentence)
        if (
            len(tokens) >= MIN_WORDS
            and _PROSE_END.search(sentence)
            and _LOWER_WORD.search(sentence)
        ):
            yield (
                (start, end),
                _Sentence(
                    field=name,
                    text=sentence,
                    position=position,
                    words=frozenset(tokens),
                    numbers=frozenset(t for t in tokens if t.isdigit()),
                    runs=frozenset(ngrams(tokens, RUN_WORDS) - own),
                ),
            )
        position += len(tokens)


def check_wiederholung(draft: Draft) -> Iterator[Finding]:
    """No sentence that repeats an earlier one (see the module docstring)."""
    request = draft.request
    own = ngrams(word_tokens(f"{request.betreff}\n{request.fakten}"), RUN_WORDS)
    earlier: list[_Sentence] = []
    for name, text in generated_texts(draft):
        for span, sentence in _sentences(name, text, own):
            match = next((e for e in earlier if _repeats(sentence, e)), None)
            earlier.append(sentence)
            if match is None:
                continue
            where = "" if match.field == name else f" im Abschnitt „{FIELD_TITLES[match.field]}“"
            yield finding(
                "wiederholung",
                f"Dieser Satz wiederholt den Satz „{short(match.text, 50)}“{where}. Bitte die "
                "Wiederholung streichen.",
                field_name=name,
                span=span,
                token=short(sentence.text),
            )
