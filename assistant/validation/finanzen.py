"""Rule ``finanzen``: the Finanzielle Auswirkungen are not pasted into the Sachdarstellung.

The Finanzielle Auswirkungen are the clerk's own text (the model never writes them) and have a
section of their own. The prompt shows them to the model as part of the case, and the bundled
model copied them into the Sachdarstellung, form and all (example 1 of docs/drafting.md ends
"Finanzielle Auswirkungen laut Sachbearbeitung: Ja ☒ Nein ☐ …"). Reported is each run of at
least :data:`MIN_RUN_WORDS` consecutive words of the finance text (of the draft or of the
request; case, punctuation and whitespace ignored, a number such as "3.800.000" one word) in
the Sachdarstellung or the Begründung. A finance text of fewer words ("keine", "Es entstehen
keine finanziellen Auswirkungen.") is ignored, and so are runs that the clerk also gave as
facts: those the text may use. A reference ("Die Kosten sind unter Finanzielle Auswirkungen
dargestellt.") is fine. A short pasted form is left to ``formularreste`` (its labels and check
boxes).
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, short
from assistant.validation.sentences import (
    RE_READER_WORD,
    Gram,
    ngrams,
    shared_runs,
    word_tokens,
)

MIN_RUN_WORDS = 8
_NARRATIVE_FIELDS = ("sachdarstellung", "begruendung")


def check_finanzen(draft: Draft) -> Iterator[Finding]:
    """No run of MIN_RUN_WORDS words of the Finanzielle Auswirkungen in the Sachdarstellung
    or the Begründung (the clerk's facts excepted)."""
    source: set[Gram] = set()
    for text in (draft.finanzielle_auswirkungen, draft.request.finanzielle_auswirkungen):
        source |= ngrams(word_tokens(text or "", RE_READER_WORD), MIN_RUN_WORDS)
    if not source:
        return
    allowed = ngrams(word_tokens(draft.request.fakten, RE_READER_WORD), MIN_RUN_WORDS)
    for name in _NARRATIVE_FIELDS:
        text = getattr(draft, name) or ""
        for start, end in shared_runs(text, source, allowed, MIN_RUN_WORDS, RE_READER_WORD):
            yield finding(
                "finanzen",
                "Hier steht der Text der Finanziellen Auswirkungen, der einen eigenen Abschnitt "
                "hat. Bitte streichen und höchstens auf den Abschnitt „Finanzielle "
                "Auswirkungen“ verweisen.",
                field_name=name,
                span=(start, end),
                token=short(text[start:end]),
            )
