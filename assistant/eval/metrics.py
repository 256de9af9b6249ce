"""The figures of one draft: closeness to the original (chrF), the right deciding body, the
ungrounded tokens. :mod:`assistant.eval.summary` sums them up per system.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sacrebleu.metrics.chrf import CHRF

from assistant.schema import Draft
from assistant.validation import (
    CITATION_MARKER,
    RE_CLAUSE,
    RE_INVERTED_CLAUSE,
    same_body,
    validate,
)

__all__ = ["chrf", "corpus_chrf", "decides_correctly", "ungrounded_count"]

_CHRF = CHRF()  # chrF2: character 6-grams, beta 2, whitespace ignored (sacrebleu's defaults)
_RECOMMENDING = {"empfiehlt", "empfehlen"}


def _plain(text: str) -> str:
    """Text for chrF: citation markers ([1], [2, 3]) removed, whitespace collapsed."""
    return " ".join(CITATION_MARKER.sub(" ", text).split())


def chrf(hypothesis: str, reference: str) -> float:
    """Segment-level chrF2 (0-100) of one text against its original (sacrebleu's ``CHRF``)."""
    return float(_CHRF.sentence_score(_plain(hypothesis), [_plain(reference)]).score)


def corpus_chrf(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Corpus-level chrF2 over (hypothesis, reference) pairs: the character n-gram statistics
    of all pairs are summed before the F-score is taken (sacrebleu ``corpus_score``), so a long
    text weighs more than a short one. ``None`` without pairs."""
    if not pairs:
        return None
    hypotheses = [_plain(h) for h, _ in pairs]
    references = [_plain(r) for _, r in pairs]
    return float(_CHRF.corpus_score(hypotheses, [references]).score)


def _acting_bodies(text: str) -> Iterable[str]:
    """The bodies that act in a resolution's clauses (the validator's clause patterns): the
    subject of "Der X beschließt …" / "… beschließt der X", and the addressee of "Der X
    empfiehlt dem Y …"."""
    for match in RE_CLAUSE.finditer(text):
        yield match.group("body")
        if match.group("verb") in _RECOMMENDING and match.group("target"):
            yield match.group("target")
    for match in RE_INVERTED_CLAUSE.finditer(text):
        yield match.group("body")


def decides_correctly(draft: Draft) -> bool:
    """Whether the draft's Beschlussvorschlag is decided by the right body.

    True exactly when (a) the Beschlussvorschlag is not empty, (b) validation reports no
    ``deciding-body`` finding (no other body decides, recommendations go to the decider from an
    earlier step), and (c) a clause of it names ``request.gremium`` (by
    :func:`~assistant.validation.same_body`) as the acting body ("Der Gemeinderat beschließt",
    "… stimmt der Gemeinderat zu") or as the addressee of a recommendation ("Der Ausschuss
    empfiehlt dem Gemeinderat, …"). (b) alone would also pass a resolution that names no body
    at all ("Es wird beschlossen …").
    """
    text = draft.beschlussvorschlag
    if not text.strip():
        return False
    report = draft.validation or validate(draft)
    if any(f.rule == "deciding-body" for f in (*report.errors, *report.warnings)):
        return False
    return any(same_body(body, draft.request.gremium) for body in _acting_bodies(text))


def ungrounded_count(draft: Draft) -> int:
    """The number of ``grounded`` findings: numbers, dates, amounts, §, Vorlagen-Nr. in the
    draft that are neither in the request nor in a cited passage (each occurrence counts)."""
    report = draft.validation or validate(draft)
    return sum(1 for f in (*report.errors, *report.warnings) if f.rule == "grounded")
