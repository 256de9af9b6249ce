"""The topic check of rule ``operative``, a warning: the Beschlussvorschlag is about the
matter of the Betreff (see :func:`check_topic` for why it is a warning and what it measured).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding

_TOPIC_STOPWORDS = {
    "aber", "alle", "allen", "aller", "auch", "dass", "diese", "dieser", "dieses", "durch",
    "eine", "einer", "eines", "einem", "einen", "gemäß", "gegen", "haben", "hatte", "hier",
    "immer", "jetzt", "keine", "mehr", "nach", "nicht", "oder", "ohne", "sich", "sind",
    "sowie", "unter", "werden", "wurde", "zwischen", "beschluss", "beschlussvorlage", "vorlage",
    "antrag", "stadt", "gemeinde",
}  # fmt: skip
_TOPIC_PREFIX = 6  # "Sanierung"/"Sanierungen", "Hortplätze"/"Hortplatz": one stem for the check
RE_TOPIC_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{5,}")
# A resolution that refers to the matter by pointing at it ("nimmt die Vorlage zur Kenntnis").
RE_DEIXIS = re.compile(
    r"\b(?:der|die|den|dem|des|diese[mnrs]?)\s+(?:\w+\s+)?(?:Vorlage|Ausführungen|Bericht\w*"
    r"|Zwischenbericht\w*|\w*[Vv]orschlag\w*|Studie|Information\w*|Erläuterungen|Mitteilung"
    r"|Sachstand\w*|Konzept\w*|Maßnahme\w*|Planung\w*)\b|Kenntnisnahme|wie folgt"
)


def _topic_words(text: str | None) -> set[str]:
    return {
        word.lower()[:_TOPIC_PREFIX]
        for word in RE_TOPIC_WORD.findall(text or "")
        if word.lower() not in _TOPIC_STOPWORDS
    }


def check_topic(draft: Draft) -> Iterator[Finding]:
    """Warning (rule ``operative``): the Beschlussvorschlag shares no word with the Betreff and
    does not point at the matter ("die Vorlage", "den Bericht"). Only the Betreff counts: the
    clerk's facts are long enough to share some word with almost any text.

    A small model sometimes resolves on an earlier case from the sources (or on the prompt's
    example); such a resolution passes every other rule. Measured on the 1,022 Karlsruhe
    papers with a Betreff and a Beschlussvorschlag: 2.3 % of the real resolutions would get
    this warning (e.g. "Der Gemeinderat beschließt die Aufstellung der Stele." for
    "Erinnerungsstele zu Denkmal ..."), so it is a hint to check, not an error."""
    text = draft.beschlussvorschlag
    request = draft.request
    if not text.strip() or RE_DEIXIS.search(text):
        return
    if _topic_words(text) & _topic_words(request.betreff):
        return
    yield finding(
        "operative",
        "Der Beschlussvorschlag greift kein Wort des Betreffs auf; bitte prüfen Sie, ob er "
        "über den richtigen Gegenstand beschließt.",
        severity="warning",
        field_name="beschlussvorschlag",
    )
