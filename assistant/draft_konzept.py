"""The measures of the municipality's own concept as sources of a draft (issue 15).

When a request concerns a topic of its Kommune's Integrationskonzept, the concept's measure
becomes a citation like any other passage (``kind="konzept"``), and the Sachdarstellung can
say "Das Vorhaben entspricht Maßnahme 3.2 des Integrationskonzepts 2023–2026 [n]."
(:func:`concept_sentence`). The grounding and citation rules treat the passage as any other.

"Concerns" is decided by rules a clerk can follow (docs/konzepte.md): the concept must be of
the request's Kommune, and the request either names the measure ("Maßnahme 3.2") or shares
at least :data:`MIN_SHARED_TERMS` distinctive words (stems of seven or more letters, common
words of the field left out) with the measure's title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.draft_sources import CaseRetriever, cut_passage, screen
from assistant.konzept_links import distinctive_stems
from assistant.presenter_konzept import massnahme_reference
from assistant.schema import Citation, DraftRequest, Hit, SearchFilter

__all__ = ["MIN_SHARED_TERMS", "ConceptSources", "concept_sentence", "concerns"]

MIN_SHARED_TERMS = 2
_MEASURE_NUMBER = re.compile(r"Maßnahme\s+(\d{1,2}(?:\.\d{1,2}){1,3})\b")


def concerns(request_text: str, hit: Hit) -> bool:
    """Whether the request takes up the measure in ``hit`` (see the module docstring)."""
    meta = hit.chunk.metadata
    if meta.kind != "konzept" or meta.massnahme is None:
        return False
    if meta.massnahme in _MEASURE_NUMBER.findall(request_text):
        return True
    lines = hit.chunk.text.split("\n")
    title = next((ln.split(":", 1)[-1] for ln in lines if ln.startswith("Maßnahme ")), "")
    return len(distinctive_stems(request_text) & distinctive_stems(title)) >= MIN_SHARED_TERMS


@dataclass(frozen=True)
class ConceptSources:
    """Finds at most ``passages`` measures of the request's Kommune's concept."""

    retriever: CaseRetriever
    passages: int = 2
    passage_chars: int = 300

    def find(
        self, query: str, request: DraftRequest, first_n: int, allow_nonpublic: bool
    ) -> list[Citation]:
        """Citations numbered from ``first_n`` (``[]``: no Kommune, no concept, no match)."""
        kommune = request.filters.kommune or request.kommune
        if not kommune or self.passages < 1:
            return []
        where = SearchFilter(kommune=kommune, kind="konzept")
        groups = self.retriever.search(query, 2, where, allow_nonpublic=allow_nonpublic)
        text = f"{request.betreff}\n{request.fakten}"
        found: list[Citation] = []
        for group in groups:
            for hit in group.hits:
                if len(found) == self.passages or not concerns(text, hit):
                    continue
                passage = cut_passage(hit.chunk.text, self.passage_chars)
                if screen(group.vorlage_id, group.betreff, passage):
                    continue
                found.append(_citation(first_n + len(found), hit, passage))
        return found


def _citation(n: int, hit: Hit, passage: str) -> Citation:
    meta = hit.chunk.metadata
    return Citation(
        n=n,
        vorlage_id=hit.chunk.vorlage_id,
        kommune=meta.kommune,
        betreff=meta.betreff,
        datum=meta.datum,
        section=hit.chunk.section,
        passage=passage,
        score=round(hit.score, 6),
        oeffentlich=meta.oeffentlich,
        kind="konzept",
        zeitraum=meta.zeitraum,
        handlungsfeld=meta.handlungsfeld,
        massnahme=meta.massnahme,
    )


def concept_sentence(citations: Sequence[Citation]) -> str:
    """ "Das Vorhaben entspricht Maßnahme 3.2 des Integrationskonzepts 2023–2026 [n]." for the
    cited measures; "" when none is cited."""
    named = [
        f"{massnahme_reference(c.betreff, c.zeitraum, c.massnahme)} [{c.n}]"
        for c in citations
        if c.kind == "konzept" and c.massnahme
    ]
    if not named:
        return ""
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} und {named[-1]}"
    return f"Das Vorhaben entspricht {listed}."
