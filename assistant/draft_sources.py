"""The similar past cases of a draft: retrieval, screening for injected instructions, and the
numbered citations (steps 1 to 3 of :mod:`assistant.drafting`).

Every passage found becomes one :class:`~assistant.schema.Citation`; ``n`` is its number in
the draft ("[n]") and ``passage`` exactly the text kept (a long passage is cut to
``passage_chars`` at a sentence end). A Vorlage whose Betreff or passage reads like an
instruction to a model (:func:`injection_patterns`) is logged as a warning naming the Vorlage
id and the pattern, never the text, and withheld; the next similar one takes its place.
Since issue 9 the passages are no longer shown to the model (it told their stories as this
case's); they choose the resolution's form and are named as precedents in the
Sachdarstellung, where a planted Betreff would reach the clerk's text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from assistant.retrieval import VorlageHits
from assistant.schema import Citation, DraftRequest, Hit, SearchFilter

__all__ = [
    "CaseRetriever",
    "CaseSources",
    "case_query",
    "cut_passage",
    "injection_patterns",
    "screen",
]

log = logging.getLogger("assistant.drafting")

QUERY_CHARS = 1000
WITHHELD_SPARE = 2  # further Vorlagen asked of the retriever, in case some are withheld


class CaseRetriever(Protocol):
    """What the service needs from retrieval: similar Vorlagen, grouped, best first.

    :class:`assistant.retrieval.HybridRetriever` implements it. Contract as
    ``HybridRetriever.search``: at most ``k`` groups, public Vorlagen only unless
    ``allow_nonpublic``; raises ``RetrievalError`` (German) for a refused request.
    """

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
    ) -> list[VorlageHits]: ...


_INJECTION: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "ignoriere-anweisungen",
            r"\b(?:ignorier\w*|missacht\w*|vergiss|vergessen\s+sie|übergeh\w*)\b[^.\n]{0,40}?"
            r"\b(?:anweisung\w*|instruktion\w*|regeln|vorgaben|befehl\w*|aufgabe\w*|prompts?)\b",
        ),
        (
            "ignore-instructions",
            r"\b(?:ignore|disregard|forget)\b[^.\n]{0,40}?\b(?:instructions?|rules|prompts?)\b",
        ),
        ("rollenwechsel", r"\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort|ab\s+jetzt)\b"),
        ("role-change", r"\byou\s+are\s+now\b|\bact\s+as\b"),
        ("systemprompt", r"\bsystem[\s_-]?(?:prompt|nachricht|anweisung)\w*"),
        ("neue-anweisung", r"\bneue\s+anweisung\w*\b|\bnew\s+instructions?\b"),
        (
            "stattdessen",
            r"\b(?:schreib\w*|antworte\w*|gib)\b[^.\n]{0,30}?\bstattdessen\b"
            r"|\bstattdessen\s+(?:schreib\w*|ein\w*\s+gedicht)\b",
        ),
        ("chat-markup", r"<\|im_start\|>|<\|im_end\|>|<\|system\|>|\[/?INST\]"),
    )
)


def injection_patterns(text: str) -> list[str]:
    """Names of the instruction-like patterns found in ``text`` (empty: nothing suspicious)."""
    flat = " ".join(text.split())
    return [name for name, pattern in _INJECTION if pattern.search(flat)]


def cut_passage(text: str, limit: int) -> str:
    """``text`` (whitespace tidied per line) cut to at most ``limit`` characters at a sentence
    end when one lies in the last third, else at a word boundary, marked with "…"."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(tidy) <= limit:
        return tidy
    head = tidy[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", head)]
    if ends and ends[-1] >= limit * 2 // 3:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + " …"


def screen(vorlage_id: str, betreff: str | None, passage: str) -> list[str]:
    """The instruction-like patterns in what the draft would show of a Vorlage (its Betreff
    and passage); a hit is logged with the Vorlage id and the pattern names, never the text,
    and the caller withholds the Vorlage."""
    patterns = injection_patterns(f"{betreff or ''}\n{passage}")
    if patterns:
        log.warning(
            "Mögliche Prompt-Injection in Vorlage %s: Muster %s; die Vorlage wird nicht verwendet.",
            vorlage_id,
            ", ".join(patterns),
        )
    return patterns


@dataclass(frozen=True)
class CaseSources:
    """Finds the citations of a request: at most ``k`` Vorlagen (``request.k`` may ask for
    fewer) with their best ``passages_per_vorlage`` passages, each cut to ``passage_chars``."""

    retriever: CaseRetriever
    k: int = 3
    passages_per_vorlage: int = 1
    passage_chars: int = 300

    def find(
        self, request: DraftRequest, exclude_ids: Collection[str], allow_nonpublic: bool
    ) -> tuple[list[Citation], list[str]]:
        """(citations, ids of the Vorlagen withheld as possible prompt injections). Only
        Vorlagen are searched here unless the request's filter names a kind: a concept's
        measures are sources of their own (``assistant.draft_konzept``)."""
        wanted = min(request.k, self.k)
        excluded = set(exclude_ids)
        filters = request.filters
        if filters.kind is None:
            filters = filters.model_copy(update={"kind": "vorlage"})
        groups = self.retriever.search(
            case_query(request),
            wanted + len(excluded) + WITHHELD_SPARE,
            filters,
            allow_nonpublic=allow_nonpublic,
        )
        citations: list[Citation] = []
        withheld: list[str] = []
        for group in [g for g in groups if g.vorlage_id not in excluded]:
            if len({c.vorlage_id for c in citations}) == wanted:
                break
            passages = [
                (hit, cut_passage(hit.chunk.text, self.passage_chars))
                for hit in group.hits[: self.passages_per_vorlage]
            ]
            if any(screen(group.vorlage_id, group.betreff, text) for _, text in passages):
                withheld.append(group.vorlage_id)
                continue
            for hit, passage in passages:
                if passage:
                    citations.append(_citation(len(citations) + 1, group, hit, passage))
        return citations, withheld


def case_query(request: DraftRequest) -> str:
    """What the sources are searched with: the Betreff and the facts, at most 1,000 chars."""
    query = request.betreff.strip()
    if request.fakten.strip():
        query = f"{query}\n{request.fakten.strip()}"
    return query[:QUERY_CHARS]


def _citation(n: int, group: VorlageHits, hit: Hit, passage: str) -> Citation:
    return Citation(
        n=n,
        vorlage_id=group.vorlage_id,
        kommune=group.kommune,
        vorlagen_nr=group.vorlagen_nr,
        betreff=group.betreff,
        datum=hit.chunk.metadata.datum,
        section=hit.chunk.section,
        passage=passage,
        score=round(hit.score, 6),
        oeffentlich=hit.chunk.metadata.oeffentlich,
    )
