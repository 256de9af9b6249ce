"""The parts of a draft that come from the request alone, written by code: the Finanzielle
Auswirkungen and the Beratungsfolge (see :mod:`assistant.drafting`).

Finanzielle Auswirkungen are never written by the model: the clerk states them, because a
model would have to guess costs and a plausible-looking "Es entstehen keine Kosten" is the
worst kind of invented fact. Nothing stated leaves the field empty (the ``required`` rule
names what is missing); "keine", "nein", "entfällt" or "-" alone become
:data:`NO_FINANCIAL_IMPACT`.

Beratungsfolge: the request's steps; when none has the role Entscheidung, the step naming
``request.gremium`` gets it, or a step ``Entscheidung`` of ``request.gremium`` is appended; no
steps at all give the single step ``Beratungsschritt(gremium=request.gremium,
rolle="Entscheidung")``.
"""

from __future__ import annotations

from assistant.schema import Beratungsschritt, DraftRequest

__all__ = ["NO_FINANCIAL_IMPACT", "beratungsfolge_for", "finanzen_for"]

NO_FINANCIAL_IMPACT = "Es entstehen keine finanziellen Auswirkungen."
_NO_WORDS = {"keine", "nein", "entfällt", "-", "–", "keine.", "entfällt."}


def finanzen_for(request: DraftRequest) -> str:
    """The Finanzielle Auswirkungen text: the clerk's own words; "keine" and the like are
    written out as :data:`NO_FINANCIAL_IMPACT`; nothing stated gives ""."""
    text = (request.finanzielle_auswirkungen or "").strip()
    if text.lower() in _NO_WORDS:
        return NO_FINANCIAL_IMPACT
    return text


def beratungsfolge_for(request: DraftRequest) -> list[Beratungsschritt]:
    """The Beratungsfolge of the draft: the request's, with exactly one deciding step."""
    steps = [step.model_copy() for step in request.beratungsfolge]
    if any(step.rolle == "Entscheidung" for step in steps):
        return steps
    wanted = " ".join(request.gremium.split()).casefold()
    for i in range(len(steps) - 1, -1, -1):
        if " ".join(steps[i].gremium.split()).casefold() == wanted and steps[i].rolle is None:
            steps[i] = steps[i].model_copy(update={"rolle": "Entscheidung"})
            return steps
    return [*steps, Beratungsschritt(gremium=request.gremium, rolle="Entscheidung")]
