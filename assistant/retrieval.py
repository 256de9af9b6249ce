"""Hybrid retrieval: dense + BM25, fused by reciprocal rank fusion, diversified, grouped.

The retriever sees only the ports (:class:`~assistant.ports.Embedder`,
:class:`~assistant.ports.VectorIndex`, :class:`~assistant.ports.KeywordIndex`); the concrete
backends are picked in ``api/container.py``.

One search, step by step (docs/retrieval.md):

1. The query is embedded with the embedder's *query* form (e5: ``"query: "``; the embedder adds
   it) and the vector index returns its best ``depth`` chunks; the keyword index returns its
   best ``depth`` chunks for the raw query text. Both run the same metadata filter inside the
   index (Chroma ``where`` / a BM25 score mask), so a filter never shortens the result list
   after the fact.
2. Three rankings are fused by :func:`reciprocal_rank_fusion`: the dense hits, the BM25 hits,
   and the exact-phrase hits (those of the two lists whose text contains the whole query
   verbatim, :func:`phrase_ranking`). They are fused twice: over chunks (to order the passages
   of one Vorlage and for :meth:`HybridRetriever.retrieve`) and over Vorlagen (each ranking
   reduced to Vorlagen by their best chunk), which orders the groups. Fusing at the Vorlage
   level lets the dense hit on a Vorlage's summary passage and the BM25 hit on another passage
   of the same Vorlage reinforce each other: the vector index may hold only a subset of a
   Vorlage's chunks (see ``assistant/ports.py``). The constants (``rrf_k=10``, weights dense 2,
   BM25 1, phrase 2) were measured on ``tests/data/retrieval_eval.jsonl``: see
   ``docs/retrieval.md``.
3. Diversification: at most ``max_chunks_per_vorlage`` passages per Vorlage (default 2), so
   one long Vorlage cannot fill every slot; optionally the groups are interleaved across
   municipalities (:func:`spread_across_kommunen`).

Visibility: nichtöffentliche Vorlagen must never reach a caller who may not see them. Unless
the caller passes ``allow_nonpublic=True``, every search runs with ``oeffentlich=True`` in its
filter, which keeps only chunks *known* to be public: a Vorlage whose status the parser could
not determine (``oeffentlich is None``) is left out as well (:func:`visibility_filter`). Only
callers that have checked the user's rights (an admin tool, the evaluation) may allow
non-public documents.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from assistant.ports import Embedder, KeywordIndex, VectorIndex
from assistant.schema import Hit, SearchFilter

__all__ = [
    "DEFAULT_RRF_K",
    "HybridRetriever",
    "Mode",
    "RetrievalError",
    "RetrieverConfig",
    "VorlageHits",
    "excerpt",
    "group_by_vorlage",
    "limit_per_vorlage",
    "normalise_words",
    "phrase_ranking",
    "reciprocal_rank_fusion",
    "spread_across_kommunen",
    "visibility_filter",
]

DEFAULT_RRF_K = 60

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")

K = TypeVar("K", bound=Hashable)


class RetrievalError(ValueError):
    """The caller asked for something the retriever refuses; ``str(err)`` is German."""


# --- rank fusion (pure) ----------------------------------------------------------------------


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]],
    k: float = DEFAULT_RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Fuse several rankings into one by reciprocal rank fusion (RRF).

    Each ranking lists item keys best first. An item's fused score is the weighted sum of
    ``1 / (k + rank)`` over the rankings that contain it (``rank`` counted from 1)::

        score(d) = sum over rankings r containing d of  w_r / (k + rank_r(d))

    Only ranks are used, never the retrievers' own scores, so a cosine similarity and a BM25
    score need no calibration against each other.

    The constant ``k`` dampens the weight of the top ranks. With ``k = 0`` the first place of
    one list (1/1) would outweigh places 2 and 3 of both lists together; with ``k = 60`` rank 1
    is worth 1/61 and rank 10 still 1/70, so an item ranked well by *both* retrievers beats one
    ranked first by only one of them, and a single retriever's top hit cannot dominate. 60 is
    the value Cormack, Clarke and Büttcher found robust across collections ("Reciprocal Rank
    Fusion outperforms Condorcet and individual Rank Learning Methods", SIGIR 2009); it is the
    default of most hybrid-search systems. Larger ``k`` flattens the curve further (more
    consensus), smaller ``k`` trusts each list's top more.

    Args:
        rankings: one sequence of keys per retriever, best first. A key repeated within one
            ranking counts at its first (best) position only.
        k: the dampening constant; must be >= 0.
        weights: one non-negative weight per ranking (default: all 1.0).

    Returns:
        ``(key, score)`` pairs, best first. Ties are broken by the best rank the key reached
        in any ranking, then by first appearance (ranking order, then position), so the
        result is deterministic.

    Example:
        >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=1)
        [('b', 0.8333333333333333), ('a', 0.5), ('c', 0.3333333333333333)]
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be >= 0")
    scores: dict[K, float] = {}
    best_rank: dict[K, int] = {}
    first_seen: dict[K, int] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
            best_rank[key] = min(best_rank.get(key, rank), rank)
            first_seen.setdefault(key, len(first_seen))
    order = sorted(scores, key=lambda key: (-scores[key], best_rank[key], first_seen[key]))
    return [(key, scores[key]) for key in order]


# --- result shapes --------------------------------------------------------------------------


class VorlageHits(BaseModel):
    """The passages found in one Vorlage, with the Vorlage's identifying fields.

    ``score`` is the Vorlage's score in the mode searched (fused RRF score for ``hybrid``;
    the best chunk's cosine similarity or BM25 score for single retrievers); ``hits`` are its
    best passages, best first, at most ``max_chunks_per_vorlage``.
    """

    model_config = ConfigDict(extra="forbid")

    vorlage_id: str
    vorlagen_nr: str | None = None
    betreff: str | None = None
    kommune: str | None = None
    datum: date | None = None
    art: str | None = None
    kind: str | None = None
    zeitraum: str | None = None
    score: float
    hits: list[Hit] = Field(default_factory=list)


@dataclass(frozen=True)
class RetrieverConfig:
    """Tuning knobs of :class:`HybridRetriever` (see docs/retrieval.md for measured effects).

    Attributes:
        rrf_k: the RRF constant (:func:`reciprocal_rank_fusion`).
        dense_weight / keyword_weight / phrase_weight: RRF weights of the three rankings
            (dense, BM25, exact phrase: see :func:`phrase_ranking`).
        depth: chunks fetched from each index before fusion (at least ``10 * k`` are fetched
            for a search for ``k`` Vorlagen).
        max_chunks_per_vorlage: passages per Vorlage in a result (the diversification cap).
        spread_kommunen: interleave the Vorlagen of different municipalities.
    """

    rrf_k: float = 10
    dense_weight: float = 2.0
    keyword_weight: float = 1.0
    phrase_weight: float = 2.0
    depth: int = 50
    max_chunks_per_vorlage: int = 2
    spread_kommunen: bool = False

    def __post_init__(self) -> None:
        weights = (self.dense_weight, self.keyword_weight, self.phrase_weight)
        if self.rrf_k < 0 or min(weights) < 0:
            raise ValueError("rrf_k and the weights must be >= 0")
        if self.depth < 1 or self.max_chunks_per_vorlage < 1:
            raise ValueError("depth and max_chunks_per_vorlage must be >= 1")


# --- filters and diversification (pure) ----------------------------------------------------


def visibility_filter(filters: SearchFilter | None, *, allow_nonpublic: bool) -> SearchFilter:
    """The filter a search really runs with: public documents only unless allowed otherwise.

    Without ``allow_nonpublic`` the result has ``oeffentlich=True`` (only Vorlagen known to be
    public; unknown status counts as not public), and asking for ``oeffentlich=False`` is
    refused. With ``allow_nonpublic`` the caller's filter is used as given.

    Raises:
        RetrievalError: non-public documents requested without permission.
    """
    base = filters or SearchFilter()
    if allow_nonpublic:
        return base
    if base.oeffentlich is False:
        raise RetrievalError(
            "Nichtöffentliche Vorlagen dürfen nur mit ausdrücklicher Berechtigung "
            "durchsucht werden."
        )
    return base.model_copy(update={"oeffentlich": True})


def limit_per_vorlage(hits: Iterable[Hit], n: int) -> list[Hit]:
    """Keep at most ``n`` hits per Vorlage, in the given order."""
    if n < 1:
        raise ValueError("n must be >= 1")
    taken: dict[str, int] = {}
    out: list[Hit] = []
    for hit in hits:
        count = taken.get(hit.chunk.vorlage_id, 0)
        if count < n:
            taken[hit.chunk.vorlage_id] = count + 1
            out.append(hit)
    return out


def group_by_vorlage(
    hits: Iterable[Hit],
    vorlage_scores: Mapping[str, float] | None = None,
    *,
    max_chunks: int = 2,
) -> list[VorlageHits]:
    """Group ranked hits per Vorlage.

    Hits are taken in the given order (best first), at most ``max_chunks`` per Vorlage. A
    group's score is ``vorlage_scores[vorlage_id]`` when given, else its best hit's score;
    groups are ordered by that score, then by first appearance.
    """
    if max_chunks < 1:
        raise ValueError("max_chunks must be >= 1")
    groups: dict[str, VorlageHits] = {}
    for hit in hits:
        vid = hit.chunk.vorlage_id
        group = groups.get(vid)
        if group is None:
            meta = hit.chunk.metadata
            score = vorlage_scores.get(vid, hit.score) if vorlage_scores else hit.score
            group = VorlageHits(
                vorlage_id=vid,
                vorlagen_nr=meta.vorlagen_nr,
                betreff=meta.betreff,
                kommune=meta.kommune,
                datum=meta.datum,
                art=meta.art,
                kind=meta.kind,
                zeitraum=meta.zeitraum,
                score=score,
            )
            groups[vid] = group
        if len(group.hits) < max_chunks:
            group.hits.append(hit)
    position = {vid: i for i, vid in enumerate(groups)}
    return sorted(groups.values(), key=lambda g: (-g.score, position[g.vorlage_id]))


def spread_across_kommunen(groups: Sequence[VorlageHits]) -> list[VorlageHits]:
    """Interleave municipalities: round robin over kommunen, each round in score order.

    The first round holds each municipality's best Vorlage, the second its second best, ...;
    within a round the given order (best first) is kept. Vorlagen without a kommune count as
    one municipality.
    """
    seen: dict[str | None, int] = {}
    keyed: list[tuple[int, int, VorlageHits]] = []
    for index, group in enumerate(groups):
        round_no = seen.get(group.kommune, 0)
        seen[group.kommune] = round_no + 1
        keyed.append((round_no, index, group))
    return [group for _, _, group in sorted(keyed, key=lambda t: (t[0], t[1]))]


_TOKEN = re.compile(r"\w+")


def normalise_words(text: str) -> str:
    """Lower-case words separated by single spaces (punctuation, hyphens, breaks removed)."""
    return " ".join(_TOKEN.findall(text.lower()))


def phrase_ranking(query: str, *rankings: Sequence[Hit], min_words: int = 2) -> list[Hit]:
    """The hits whose text contains the whole query as a phrase, in the given order.

    Both sides are compared as :func:`normalise_words` (case, punctuation and line breaks do
    not matter; word boundaries do). Queries of fewer than ``min_words`` words give ``[]``:
    a single word is what BM25 already ranks. Each hit appears once (first occurrence).

    Why a third ranking: BM25 and the dense index both blur an exact match. A clerk who types
    a Betreff, a street, a firm or a project name wants the Vorlage that says exactly that;
    measured on the evaluation set (docs/retrieval.md), adding this ranking to the fusion took
    hybrid recall@1 on exact titles from 0.90 to 1.00 and on rare-term lookups from 0.52 to
    0.95, and changed nothing on paraphrased and topic queries (they rarely match verbatim).
    """
    phrase = normalise_words(query)
    if len(phrase.split()) < min_words:
        return []
    needle = f" {phrase} "
    seen: set[str] = set()
    out: list[Hit] = []
    for ranking in rankings:
        for hit in ranking:
            if hit.chunk.id not in seen and needle in f" {normalise_words(hit.chunk.text)} ":
                seen.add(hit.chunk.id)
                out.append(hit)
    return out


_WORD = re.compile(r"\w{3,}")


def excerpt(text: str, query: str, width: int = 240) -> str:
    """About ``width`` characters of ``text`` around the first word of ``query`` it contains.

    Matching is case-insensitive on word stems (the first five letters of each query word of
    three or more letters); without a match the opening of the text is returned. Whitespace is
    collapsed; cut ends are marked with "…".
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    lowered = flat.lower()
    positions = [
        pos for word in _WORD.findall(query.lower()) if (pos := lowered.find(word[:5])) >= 0
    ]
    start = max(0, min(positions) - width // 4) if positions else 0
    start = min(start, len(flat) - width)
    if start > 0:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")


# --- the retriever --------------------------------------------------------------------------


class HybridRetriever:
    """Dense + BM25 retrieval over the two indexes, fused and diversified.

    Cheap to construct; the first search warms the backends up (or call :meth:`warm_up`).
    Thread-safe as far as the backends are (they are, by their contracts).
    """

    def __init__(
        self,
        embedder: Embedder,
        vector_index: VectorIndex,
        keyword_index: KeywordIndex,
        config: RetrieverConfig | None = None,
    ) -> None:
        self.embedder = embedder
        self.vector_index = vector_index
        self.keyword_index = keyword_index
        self.config = config or RetrieverConfig()

    def warm_up(self) -> None:
        """Load the embedding model and open both indexes."""
        self.embedder.warm_up()
        self.vector_index.warm_up()
        self.keyword_index.warm_up()

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
        mode: Mode = "hybrid",
    ) -> list[VorlageHits]:
        """The ``k`` best Vorlagen for ``query``, each with its best passages.

        Args:
            query: the clerk's words (a Betreff, a topic, key facts).
            k: number of Vorlagen (>= 1).
            filters: kommune, art, since, oeffentlich; see :func:`visibility_filter` for how
                ``oeffentlich`` is enforced.
            allow_nonpublic: the caller may see nichtöffentliche Vorlagen.
            mode: ``"hybrid"`` (default), or one retriever alone (for evaluation).

        Raises:
            RetrievalError: empty query, ``k < 1``, or non-public documents without permission.
            BackendError: an index or the embedder failed.
        """
        dense, keyword = self._candidates(query, k, filters, allow_nonpublic, mode)
        cfg = self.config
        if mode == "hybrid":
            phrase = phrase_ranking(query, keyword, dense)
            chunk_order = self._fuse_chunks(dense, keyword, phrase)
            vorlage_scores = dict(
                reciprocal_rank_fusion(
                    [_vorlage_ranking(dense), _vorlage_ranking(keyword), _vorlage_ranking(phrase)],
                    k=cfg.rrf_k,
                    weights=self._weights,
                )
            )
            groups = group_by_vorlage(
                chunk_order, vorlage_scores, max_chunks=cfg.max_chunks_per_vorlage
            )
        else:
            groups = group_by_vorlage(
                dense if mode == "dense" else keyword, max_chunks=cfg.max_chunks_per_vorlage
            )
        if cfg.spread_kommunen:
            groups = spread_across_kommunen(groups)
        return groups[:k]

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """The ``k`` best passages (at most ``max_chunks_per_vorlage`` per Vorlage), flat.

        Hybrid hits carry the fused chunk score. Arguments and errors as :meth:`search`.
        """
        dense, keyword = self._candidates(query, k, filters, allow_nonpublic, mode)
        if mode == "hybrid":
            ranked = self._fuse_chunks(dense, keyword, phrase_ranking(query, keyword, dense))
        else:
            ranked = dense if mode == "dense" else keyword
        return limit_per_vorlage(ranked, self.config.max_chunks_per_vorlage)[:k]

    # --- internals --------------------------------------------------------------------------

    def _candidates(
        self,
        query: str,
        k: int,
        filters: SearchFilter | None,
        allow_nonpublic: bool,
        mode: Mode,
    ) -> tuple[list[Hit], list[Hit]]:
        if not query.strip():
            raise RetrievalError("Die Suchanfrage ist leer.")
        if k < 1:
            raise RetrievalError("Die Zahl der Treffer muss mindestens 1 sein.")
        if mode not in MODES:
            raise RetrievalError(f"Unbekannte Suchart „{mode}“ (hybrid, dense oder keyword).")
        where = visibility_filter(filters, allow_nonpublic=allow_nonpublic)
        depth = max(self.config.depth, 10 * k)
        dense: list[Hit] = []
        keyword: list[Hit] = []
        if mode != "keyword":
            vector = self.embedder.embed_query(query)
            dense = self.vector_index.query(vector, depth, where)
        if mode != "dense":
            keyword = self.keyword_index.query(query, depth, where)
        return dense, keyword

    @property
    def _weights(self) -> list[float]:
        cfg = self.config
        return [cfg.dense_weight, cfg.keyword_weight, cfg.phrase_weight]

    def _fuse_chunks(self, dense: list[Hit], keyword: list[Hit], phrase: list[Hit]) -> list[Hit]:
        fused = reciprocal_rank_fusion(
            [[h.chunk.id for h in ranking] for ranking in (dense, keyword, phrase)],
            k=self.config.rrf_k,
            weights=self._weights,
        )
        chunks = {h.chunk.id: h.chunk for h in (*keyword, *dense)}
        return [Hit(chunk=chunks[cid], score=score, retriever="hybrid") for cid, score in fused]


def _vorlage_ranking(hits: Sequence[Hit]) -> list[str]:
    """Vorlage ids in the order of their best chunk."""
    return list(dict.fromkeys(h.chunk.vorlage_id for h in hits))
