"""Searching similar Vorlagen: the request rules and the typed result every entry point returns.

``search(retriever, request, allow_nonpublic=...)`` runs one hybrid search
(:class:`~assistant.retrieval.HybridRetriever`, or anything with its ``search`` method) and
returns a :class:`SearchResult`: one :class:`SearchHit` per Vorlage, best first, with its best
passages as short excerpts around the query's words. Nichtöffentliche Vorlagen (and those whose
status is unknown) are found only when the caller may see them (``allow_nonpublic``, decided by
the entry point from the caller's rights; see :func:`assistant.retrieval.visibility_filter`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.draft_sources import CaseRetriever
from assistant.ports import KeywordIndex
from assistant.presenter_konzept import konzept_label
from assistant.presenter_summaries import kurzfassung_text
from assistant.retrieval import VorlageHits, excerpt
from assistant.schema import ChunkMetadata, DocumentKind, SearchFilter, rule_error
from assistant.usecases.errors import NoIndexError
from assistant.usecases.summary_store import StoredSummaries

__all__ = [
    "DEFAULT_SEARCH_K",
    "EXCERPT_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_SEARCH_K",
    "SearchHit",
    "SearchPassage",
    "SearchRequest",
    "SearchResult",
    "Searcher",
    "check_index",
    "result_of",
    "search",
    "with_summaries",
]

DEFAULT_SEARCH_K = 5
MAX_SEARCH_K = 100
MAX_QUERY_CHARS = 1000
EXCERPT_CHARS = 240

Searcher = CaseRetriever
"""What a search needs: ``search(query, k, filters, *, allow_nonpublic)`` grouped by Vorlage
(:class:`~assistant.retrieval.HybridRetriever` implements it)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchRequest(_Model):
    """One search: the clerk's words, how many Vorlagen, and optional filters.

    Rules (German messages): the query is not empty and at most :data:`MAX_QUERY_CHARS`
    characters (surrounding whitespace is dropped); ``k`` from 1 to :data:`MAX_SEARCH_K`.
    Whether nichtöffentliche Vorlagen may be found is not part of the request: it is the
    caller's right, passed to :func:`search` by the entry point.
    """

    query: str = Field(
        description="What to look for: a Betreff, a topic, key facts.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUERY_CHARS},
    )
    k: int = Field(
        default=DEFAULT_SEARCH_K,
        description="How many Vorlagen.",
        json_schema_extra={"minimum": 1, "maximum": MAX_SEARCH_K},
    )
    kommune: str | None = Field(default=None, description="Only this Kommune, exactly as stored.")
    art: str | None = Field(default=None, description="Only this Art (e.g. Beschlussvorlage).")
    since: date | None = Field(default=None, description="Only Vorlagen dated on or after.")
    kind: DocumentKind | None = Field(
        default=None, description="Only Vorlagen (vorlage) or only concepts (konzept)."
    )

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise rule_error(
                "query_empty", "Die Suchanfrage ist leer; bitte einen Suchbegriff angeben."
            )
        if len(text) > MAX_QUERY_CHARS:
            raise rule_error(
                "query_too_long",
                f"Die Suchanfrage ist zu lang (höchstens {MAX_QUERY_CHARS} Zeichen).",
            )
        return text

    @field_validator("k")
    @classmethod
    def _k(cls, value: int) -> int:
        if not 1 <= value <= MAX_SEARCH_K:
            raise rule_error(
                "k_range", f"Die Zahl der Treffer muss zwischen 1 und {MAX_SEARCH_K} liegen."
            )
        return value

    @field_validator("kommune", "art")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    def filters(self) -> SearchFilter:
        return SearchFilter(kommune=self.kommune, art=self.art, since=self.since, kind=self.kind)


class SearchPassage(_Model):
    """One passage of a found Vorlage: its chunk, canonical section, score and an excerpt."""

    chunk_id: str
    section: str
    score: float
    excerpt: str
    label: str | None = Field(
        default=None,
        description="For a concept: its title, period, Kommune, Handlungsfeld and measure.",
    )


class SearchHit(_Model):
    """One found Vorlage: ``rank`` from 1, its identifying fields, the best passage's section
    and excerpt, and every passage shown (best first). ``score`` is comparable within one
    result only."""

    rank: int
    id: str
    vorlagen_nr: str | None = None
    betreff: str | None = None
    kommune: str | None = None
    datum: date | None = None
    art: str | None = None
    section: str | None = None
    score: float
    excerpt: str
    passages: list[SearchPassage] = Field(default_factory=list)
    kind: DocumentKind = "vorlage"
    label: str | None = Field(
        default=None, description="For a concept: how its best passage is named."
    )
    kurzfassung: str | None = Field(
        default=None,
        description="The Vorlage's automatic summary (vorlagen summarize), when there is one.",
    )


class SearchResult(_Model):
    """The answer to a :class:`SearchRequest` (``hits`` empty when nothing matched)."""

    query: str
    hits: list[SearchHit] = Field(default_factory=list)


def check_index(keyword_index: KeywordIndex, directory: Path | None = None) -> None:
    """Raise :class:`NoIndexError` when the store holds nothing yet (``BackendError`` when the
    index cannot be read). Every Vorlage is in the keyword index, so it is the one to ask."""
    if keyword_index.count() == 0:
        raise NoIndexError(directory)


def search(
    retriever: Searcher, request: SearchRequest, *, allow_nonpublic: bool = False
) -> SearchResult:
    """The Vorlagen best matching ``request``.

    Raises:
        RetrievalError: the retriever refused the request (German).
        BackendError: an index or the embedder failed.
    """
    groups = retriever.search(
        request.query, request.k, request.filters(), allow_nonpublic=allow_nonpublic
    )
    return result_of(groups, request.query)


def result_of(groups: list[VorlageHits], query: str, width: int = EXCERPT_CHARS) -> SearchResult:
    """The retriever's groups as a :class:`SearchResult`; excerpts of about ``width`` chars."""
    hits: list[SearchHit] = []
    for rank, group in enumerate(groups, start=1):
        passages = [
            SearchPassage(
                chunk_id=hit.chunk.id,
                section=hit.chunk.section,
                score=round(hit.score, 6),
                excerpt=excerpt(hit.chunk.text, query, width),
                label=_label(hit.chunk.metadata),
            )
            for hit in group.hits
        ]
        best = passages[0] if passages else None
        hits.append(
            SearchHit(
                rank=rank,
                id=group.vorlage_id,
                vorlagen_nr=group.vorlagen_nr,
                betreff=group.betreff,
                kommune=group.kommune,
                datum=group.datum,
                art=group.art,
                section=best.section if best else None,
                score=round(group.score, 6),
                excerpt=best.excerpt if best else "",
                passages=passages,
                kind="konzept" if group.kind == "konzept" else "vorlage",
                label=best.label if best else None,
            )
        )
    return SearchResult(query=query, hits=hits)


def _label(meta: ChunkMetadata) -> str | None:
    """The wording of a concept's passage (``None`` for a Vorlage's)."""
    if meta.kind != "konzept":
        return None
    return konzept_label(
        meta.betreff, meta.zeitraum, meta.kommune, meta.handlungsfeld, meta.massnahme
    )


def with_summaries(result: SearchResult, summaries: StoredSummaries) -> SearchResult:
    """``result`` with the Kurzfassung of each hit that has a summary (issue 13); a summary
    kept with findings says so. Only hits the caller may see are in ``result`` already."""
    found = summaries.get_many([hit.id for hit in result.hits])
    if not found:
        return result
    hits = [
        hit.model_copy(
            update={
                "kurzfassung": kurzfassung_text(found[hit.id].status, found[hit.id].kurzfassung)
            }
        )
        if hit.id in found
        else hit
        for hit in result.hits
    ]
    return result.model_copy(update={"hits": hits})
