"""Where each number of a draft comes from (``POST /api/belege``, the page's read view).

Every number, amount, percentage, date, year, time, § and Vorlagen-Nr. in the draft's texts
(the facts of the ``grounded`` rule, :func:`assistant.validation.facts.extract_facts`, compared
in the same normalised form) is given one status:

* ``angaben``: the clerk's request provides it (Betreff, Kommune, Gremium, Fakten, Finanzielle
  Auswirkungen, the Beratungsfolge with its dates);
* ``quelle``: else the cited sources provide it, ``quellen`` naming them (those the draft cites
  with ``[n]``, as the rule counts them); ``stelle`` is the passage around the first place a
  source says it (None when only its Vorlagen-Nr. or Betreff does), with its offsets in that
  citation's passage;
* ``nicht_belegt``: neither does, which the ``grounded`` rule reports as an error.

A fact that needs several keys (a date range) may be grounded by the request and sources
together: it is ``quelle`` with the sources that contribute.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant import presenter
from assistant.schema import Citation, Draft
from assistant.validation.facts import (
    Fact,
    Sources,
    citation_sources,
    extract_facts,
    request_sources,
    sources_of,
)
from assistant.validation.findings import texts
from assistant.validation.markers import cited_numbers

__all__ = ["Beleg", "Belege", "provenance"]

Status = Literal["angaben", "quelle", "nicht_belegt"]
# Characters of a passage shown on either side of the place a source says a fact.
CONTEXT = 90


class Beleg(BaseModel):
    """One fact of the draft and where it comes from."""

    section: str = Field(description="Der Abschnitt, z. B. sachdarstellung")
    start: int = Field(description="Anfang im Text des Abschnitts")
    end: int = Field(description="Ende (exklusiv) im Text des Abschnitts")
    text: str = Field(description="Die Angabe, wie sie im Entwurf steht")
    art: str = Field(description="Deutsch: Betrag, Datum, Vorschrift, …")
    status: Status
    label: str = Field(description="„aus Ihren Angaben“, „aus Quelle [2]“ oder „nicht belegt“")
    quellen: list[int] = Field(default_factory=list, description="Die Quellen [n], die sie nennen")
    stelle: str | None = Field(default=None, description="Die Stelle, an der eine Quelle sie nennt")
    stelle_quelle: int | None = Field(default=None, description="Die Quelle [n] dieser Stelle")
    stelle_start: int | None = Field(default=None, description="Anfang in der Passage der Quelle")
    stelle_end: int | None = None


class Belege(BaseModel):
    """Every fact of a draft with its provenance, in the order of the sections and the text."""

    belege: list[Beleg]
    summary: str = Field(description="Deutsch, z. B. „5 Angaben: 3 aus Ihren Angaben, …“")
    sections: dict[str, str] = Field(
        default_factory=dict, description="Dasselbe je Abschnitt mit Text (Name -> Deutsch)"
    )


def _summary(belege: list[Beleg]) -> str:
    counts = {status: sum(b.status == status for b in belege) for status in presenter.PROVENANCE}
    return presenter.provenance_summary(counts)


def _contributes(fact: Fact, sources: Sources) -> bool:
    return any(key in sources.keys for key in fact.needs) or any(
        ref.covered_by(source) for ref in fact.paragraphs for source in sources.paragraphs
    )


def _place(fact: Fact, passage: str) -> Fact | None:
    """Where ``passage`` says (part of) ``fact``."""
    for candidate in extract_facts(passage):
        if any(key in candidate.provides for key in fact.needs) or any(
            ref.covered_by(source) for ref in fact.paragraphs for source in candidate.paragraphs
        ):
            return candidate
    return None


def _excerpt(passage: str, place: Fact) -> str:
    start, end = max(0, place.start - CONTEXT), min(len(passage), place.end + CONTEXT)
    if start > 0:
        start = passage.find(" ", start, place.start) + 1 or start
    if end < len(passage):
        cut = passage.rfind(" ", place.end, end)
        end = cut if cut > 0 else end
    text = " ".join(passage[start:end].split())
    return ("… " if start > 0 else "") + text + (" …" if end < len(passage) else "")


def _beleg(
    name: str,
    fact: Fact,
    own: Sources,
    cited: list[tuple[Citation, Sources]],
    everything: Sources,
) -> Beleg:
    beleg = Beleg(
        section=name,
        start=fact.start,
        end=fact.end,
        text=fact.raw,
        art=presenter.fact_kind(fact.label),
        status="nicht_belegt",
        label=presenter.provenance_label("nicht_belegt", []),
    )
    if own.covers(fact):
        label = presenter.provenance_label("angaben", [])
        return beleg.model_copy(update={"status": "angaben", "label": label})
    sources = [c for c, s in cited if s.covers(fact)] or [
        c for c, s in cited if _contributes(fact, s)
    ]
    if not sources or not everything.covers(fact):
        return beleg
    numbers = [c.n for c in sources]
    label = presenter.provenance_label("quelle", numbers)
    beleg = beleg.model_copy(update={"status": "quelle", "label": label, "quellen": numbers})
    for citation in sources:
        place = _place(fact, citation.passage)
        if place is not None:
            return beleg.model_copy(
                update={
                    "stelle": _excerpt(citation.passage, place),
                    "stelle_quelle": citation.n,
                    "stelle_start": place.start,
                    "stelle_end": place.end,
                }
            )
    return beleg


def provenance(draft: Draft) -> Belege:
    """Every fact of ``draft``'s texts with where it comes from (see the module)."""
    own = request_sources(draft.request)
    numbers = cited_numbers(draft)
    cited = [(c, citation_sources(c)) for c in sorted(draft.citations, key=lambda c: c.n)]
    cited = [(c, s) for c, s in cited if c.n in numbers]
    everything = sources_of(draft)
    sections: dict[str, str] = {}
    belege: list[Beleg] = []
    for name, text in texts(draft):
        found = [_beleg(name, fact, own, cited, everything) for fact in extract_facts(text)]
        sections[name] = _summary(found)
        belege.extend(found)
    return Belege(belege=belege, summary=_summary(belege), sections=sections)
