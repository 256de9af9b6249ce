"""Hybrid retriever: RRF (pure, hand-computed), diversification, grouping, filters, visibility."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pytest

from assistant.retrieval import (
    HybridRetriever,
    RetrievalError,
    RetrieverConfig,
    VorlageHits,
    excerpt,
    group_by_vorlage,
    limit_per_vorlage,
    normalise_words,
    phrase_ranking,
    reciprocal_rank_fusion,
    spread_across_kommunen,
    visibility_filter,
)
from assistant.schema import Chunk, ChunkMetadata, Hit, SearchFilter

# --- reciprocal rank fusion -------------------------------------------------------------------


def test_rrf_hand_computed_k60() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "a", "d"]]))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 63)


def test_rrf_order_and_small_k() -> None:
    # k=1: b = 1/3 + 1/2, a = 1/2, c = 1/3
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=1)
    assert [key for key, _ in fused] == ["b", "a", "c"]
    assert [score for _, score in fused] == pytest.approx([5 / 6, 1 / 2, 1 / 3])


def test_rrf_consensus_beats_a_single_first_place() -> None:
    # x is first in one list only; y is second in both: with k=60 consensus wins
    ranked = [key for key, _ in reciprocal_rank_fusion([["x", "y"], ["z", "y"]])]
    assert ranked[0] == "y"


def test_rrf_ties_broken_by_best_rank_then_first_appearance() -> None:
    # a (rank 1 + rank 2) and b (rank 2 + rank 1) tie exactly; a appeared first
    assert [k for k, _ in reciprocal_rank_fusion([["a", "b"], ["b", "a"]])] == ["a", "b"]
    # c (ranks 3 and 3) vs d (ranks 2 and 4) do not tie exactly in general; equal single
    # contributions: e and f both at rank 1 in one list each -> order of the lists
    assert [k for k, _ in reciprocal_rank_fusion([["e"], ["f"]])] == ["e", "f"]
    assert [k for k, _ in reciprocal_rank_fusion([["f"], ["e"]])] == ["f", "e"]


def test_rrf_weights() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=0, weights=[2.0, 0.5]))
    assert fused == {"a": pytest.approx(2.0), "b": pytest.approx(0.5)}
    # a zero weight keeps the items but gives them nothing
    zero = reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 0.0])
    assert [key for key, _ in zero] == ["a", "b"]
    assert [score for _, score in zero] == pytest.approx([1 / 61, 0.0])


def test_rrf_duplicates_count_once_at_best_position() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "a", "b"]], k=0))
    assert fused == {"a": pytest.approx(1.0), "b": pytest.approx(1 / 3)}


def test_rrf_empty_and_errors() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[-1.0])


def test_rrf_is_pure() -> None:
    rankings = [["a", "b"], ["b"]]
    first = reciprocal_rank_fusion(rankings)
    assert reciprocal_rank_fusion(rankings) == first
    assert rankings == [["a", "b"], ["b"]]


# --- helpers ----------------------------------------------------------------------------------


def chunk(
    vorlage: str,
    section: str = "sachdarstellung",
    ordinal: int = 0,
    text: str = "",
    *,
    kommune: str | None = "Stadt A",
    oeffentlich: bool | None = True,
    datum: date | None = date(2023, 1, 1),
    art: str | None = "Beschlussvorlage",
) -> Chunk:
    return Chunk(
        id=Chunk.make_id(vorlage, section, ordinal),
        vorlage_id=vorlage,
        section=section,
        text=text or f"Text {vorlage} {section} {ordinal}",
        metadata=ChunkMetadata(
            kommune=kommune,
            vorlagen_nr=f"NR-{vorlage}",
            betreff=f"Betreff {vorlage}",
            datum=datum,
            art=art,
            oeffentlich=oeffentlich,
        ),
    )


def hit(c: Chunk, score: float = 1.0) -> Hit:
    return Hit(chunk=c, score=score, retriever="hybrid")


# --- diversification and grouping -------------------------------------------------------------


def test_limit_per_vorlage_keeps_order() -> None:
    hits = [hit(chunk("v1", ordinal=i)) for i in range(4)] + [hit(chunk("v2"))]
    kept = limit_per_vorlage(hits, 2)
    assert [h.chunk.id for h in kept] == [
        "v1:sachdarstellung:0",
        "v1:sachdarstellung:1",
        "v2:sachdarstellung:0",
    ]
    with pytest.raises(ValueError):
        limit_per_vorlage(hits, 0)


def test_group_by_vorlage_fields_order_and_cap() -> None:
    hits = [
        hit(chunk("v1", ordinal=0), 0.9),
        hit(chunk("v2", ordinal=0), 0.8),
        hit(chunk("v1", ordinal=1), 0.7),
        hit(chunk("v1", ordinal=2), 0.6),
    ]
    groups = group_by_vorlage(hits, max_chunks=2)
    assert [g.vorlage_id for g in groups] == ["v1", "v2"]
    first = groups[0]
    assert (first.vorlagen_nr, first.betreff, first.kommune) == ("NR-v1", "Betreff v1", "Stadt A")
    assert first.score == 0.9
    assert [h.chunk.id for h in first.hits] == ["v1:sachdarstellung:0", "v1:sachdarstellung:1"]


def test_group_by_vorlage_uses_vorlage_scores() -> None:
    hits = [hit(chunk("v1"), 0.9), hit(chunk("v2"), 0.1)]
    groups = group_by_vorlage(hits, {"v1": 0.2, "v2": 0.5})
    assert [(g.vorlage_id, g.score) for g in groups] == [("v2", 0.5), ("v1", 0.2)]


def test_spread_across_kommunen_round_robin() -> None:
    def g(vid: str, kommune: str, score: float) -> VorlageHits:
        return VorlageHits(vorlage_id=vid, kommune=kommune, score=score)

    groups = [g("a1", "A", 5), g("a2", "A", 4), g("a3", "A", 3), g("b1", "B", 2), g("c1", "C", 1)]
    spread = spread_across_kommunen(groups)
    assert [x.vorlage_id for x in spread] == ["a1", "b1", "c1", "a2", "a3"]
    assert spread_across_kommunen([]) == []


def test_excerpt_around_query_word() -> None:
    text = "Einleitung " * 60 + "Der Neubau der Kindertagesstätte wird vergeben. " + "Rest " * 80
    out = excerpt(text, "Kindertagesstätte Neubau", width=120)
    assert "Neubau der Kindertagesstätte" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) <= 122
    assert excerpt("kurz  und\nknapp", "x") == "kurz und knapp"
    assert excerpt("Wort " * 100, "fehlt", width=50).startswith("Wort")


# --- visibility -------------------------------------------------------------------------------


def test_visibility_defaults_to_public_only() -> None:
    assert visibility_filter(None, allow_nonpublic=False) == SearchFilter(oeffentlich=True)
    kept = visibility_filter(SearchFilter(kommune="Stadt A"), allow_nonpublic=False)
    assert kept == SearchFilter(kommune="Stadt A", oeffentlich=True)
    with pytest.raises(RetrievalError, match="Nichtöffentliche"):
        visibility_filter(SearchFilter(oeffentlich=False), allow_nonpublic=False)


def test_visibility_when_allowed_passes_filter_through() -> None:
    assert visibility_filter(None, allow_nonpublic=True) == SearchFilter()
    wanted = SearchFilter(oeffentlich=False)
    assert visibility_filter(wanted, allow_nonpublic=True) == wanted


# --- the retriever over in-memory fakes of the ports --------------------------------------------


class FakeEmbedder:
    """Bag-of-letters vectors: deterministic, no model."""

    name = "fake"
    dimension = 26

    def __init__(self) -> None:
        self.queries: list[str] = []

    def warm_up(self) -> None:
        pass

    def _vec(self, text: str) -> list[float]:
        counts = [float(text.lower().count(chr(97 + i))) for i in range(26)]
        norm = math.sqrt(sum(x * x for x in counts)) or 1.0
        return [x / norm for x in counts]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._vec(text)


class FakeIndex:
    """Returns fixed rankings, applying the filter like the real backends."""

    def __init__(self, ranking: list[Chunk], retriever: str) -> None:
        self.ranking = ranking
        self.retriever = retriever
        self.wheres: list[SearchFilter | None] = []
        self.depths: list[int] = []

    def warm_up(self) -> None:
        pass

    def _query(self, k: int, where: SearchFilter | None) -> list[Hit]:
        self.wheres.append(where)
        self.depths.append(k)
        kept = [c for c in self.ranking if where is None or where.matches(c.metadata)]
        n = len(kept)
        return [
            Hit(chunk=c, score=float(n - i), retriever=self.retriever)  # type: ignore[arg-type]
            for i, c in enumerate(kept[:k])
        ]


class FakeVectorIndex(FakeIndex):
    def query(
        self, embedding: Sequence[float], k: int, where: SearchFilter | None = None
    ) -> list[Hit]:
        return self._query(k, where)


class FakeKeywordIndex(FakeIndex):
    def query(self, text: str, k: int, where: SearchFilter | None = None) -> list[Hit]:
        return self._query(k, where)


def make_retriever(
    dense: list[Chunk], keyword: list[Chunk], **config: object
) -> tuple[HybridRetriever, FakeVectorIndex, FakeKeywordIndex, FakeEmbedder]:
    embedder = FakeEmbedder()
    vindex = FakeVectorIndex(dense, "dense")
    kindex = FakeKeywordIndex(keyword, "keyword")
    retriever = HybridRetriever(
        embedder,
        vindex,  # type: ignore[arg-type]
        kindex,  # type: ignore[arg-type]
        RetrieverConfig(**config),  # type: ignore[arg-type]
    )
    return retriever, vindex, kindex, embedder


def test_search_fuses_at_vorlage_level() -> None:
    # dense finds v2's summary first; BM25 finds v2's facts second and v1 first:
    # at the Vorlage level v2 is ranked 1 + 2, v1 is ranked 2 (dense) + 1 -> tie; v3 only once
    dense = [chunk("v2", "kurzfassung"), chunk("v1", "kurzfassung"), chunk("v3", "kurzfassung")]
    keyword = [chunk("v1", ordinal=0), chunk("v2", ordinal=0), chunk("v4", ordinal=0)]
    retriever, vindex, kindex, embedder = make_retriever(
        dense, keyword, rrf_k=60, dense_weight=1.0, phrase_weight=0.0
    )
    groups = retriever.search("Frage", k=3, allow_nonpublic=True)
    assert [g.vorlage_id for g in groups] == ["v2", "v1", "v3"]
    assert groups[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert {h.chunk.section for h in groups[0].hits} == {"kurzfassung", "sachdarstellung"}
    assert all(h.retriever == "hybrid" for g in groups for h in g.hits)
    assert embedder.queries == ["Frage"]  # the raw query: the embedder adds its own prefix
    assert vindex.depths == [50] and kindex.depths == [50]


def test_phrase_ranking() -> None:
    exact = chunk("v1", text="Bebauungsplan „Am Storrenacker/Herdweg“: Satzungsbeschluss")
    split = chunk("v2", text="Am\nStorrenacker, Herdweg und mehr")
    other = chunk("v3", text="Herdweg am Storrenacker")
    hits = [hit(other), hit(split), hit(exact)]
    assert normalise_words(" Am  Storrenacker/HERDWEG ") == "am storrenacker herdweg"
    found = phrase_ranking("am Storrenacker - Herdweg", hits, [hit(exact)])
    assert [h.chunk.vorlage_id for h in found] == ["v2", "v1"]  # order kept, each once
    assert phrase_ranking("Herdweg", hits) == []  # one word: left to BM25
    assert phrase_ranking("Storrenacker Herd", hits) == []  # word boundaries count


def test_exact_phrase_lifts_a_bm25_only_hit() -> None:
    # dense knows nothing about the rare term; BM25 ranks the Vorlage saying it verbatim second
    dense = [chunk(f"d{i}", "kurzfassung") for i in range(5)]
    keyword = [
        chunk("near", text="Das Hoepfner Gelände und ein Areal"),
        chunk("exact", text="Planung für das Hoepfner-Areal"),
    ]
    plain, *_ = make_retriever(dense, keyword, phrase_weight=0.0)
    assert plain.search("Hoepfner-Areal", 5, allow_nonpublic=True)[0].vorlage_id != "exact"
    tuned, *_ = make_retriever(dense, keyword)
    assert tuned.search("Hoepfner-Areal", 5, allow_nonpublic=True)[0].vorlage_id == "exact"


def test_search_caps_chunks_per_vorlage() -> None:
    keyword = [chunk("v1", ordinal=i) for i in range(5)] + [chunk("v2")]
    retriever, *_ = make_retriever([], keyword, max_chunks_per_vorlage=2)
    groups = retriever.search("Frage", k=5, allow_nonpublic=True)
    assert [g.vorlage_id for g in groups] == ["v1", "v2"]
    assert len(groups[0].hits) == 2
    flat = retriever.retrieve("Frage", k=10, allow_nonpublic=True)
    assert [h.chunk.vorlage_id for h in flat] == ["v1", "v1", "v2"]


def test_search_single_modes_keep_native_order_and_scores() -> None:
    dense = [chunk("d1"), chunk("d2")]
    keyword = [chunk("k1"), chunk("k2")]
    retriever, _vindex, kindex, embedder = make_retriever(dense, keyword)
    only_dense = retriever.search("Frage", 5, allow_nonpublic=True, mode="dense")
    assert [g.vorlage_id for g in only_dense] == ["d1", "d2"]
    assert only_dense[0].hits[0].retriever == "dense"
    assert kindex.wheres == []  # BM25 not asked
    only_keyword = retriever.search("Frage", 5, allow_nonpublic=True, mode="keyword")
    assert [g.vorlage_id for g in only_keyword] == ["k1", "k2"]
    assert len(embedder.queries) == 1  # no embedding for BM25-only


def test_search_default_filter_is_public_only() -> None:
    public = chunk("pub", oeffentlich=True)
    secret = chunk("secret", oeffentlich=False)
    unknown = chunk("unknown", oeffentlich=None)
    retriever, vindex, kindex, _ = make_retriever([secret, unknown, public], [secret, public])
    groups = retriever.search("Frage", 5)
    assert [g.vorlage_id for g in groups] == ["pub"]
    assert vindex.wheres[-1] == SearchFilter(oeffentlich=True)
    assert kindex.wheres[-1] == SearchFilter(oeffentlich=True)
    assert [h.chunk.vorlage_id for h in retriever.retrieve("Frage", 5)] == ["pub"]
    everything = retriever.search("Frage", 5, allow_nonpublic=True)
    assert {g.vorlage_id for g in everything} == {"pub", "secret", "unknown"}
    with pytest.raises(RetrievalError):
        retriever.search("Frage", 5, SearchFilter(oeffentlich=False))


def test_search_passes_filters_into_both_indexes() -> None:
    old = chunk("old", datum=date(2010, 5, 1))
    other = chunk("other", kommune="Stadt B")
    new = chunk("new", datum=date(2024, 2, 1))
    mv = chunk("mv", art="Mitteilungsvorlage")
    retriever, vindex, kindex, _ = make_retriever([old, other, new, mv], [mv, new, other, old])
    filters = SearchFilter(kommune="Stadt A", since=date(2020, 1, 1), art="Beschlussvorlage")
    groups = retriever.search("Frage", 5, filters)
    assert [g.vorlage_id for g in groups] == ["new"]
    expected = filters.model_copy(update={"oeffentlich": True})
    assert vindex.wheres == [expected] and kindex.wheres == [expected]


def test_search_spreads_kommunen_when_configured() -> None:
    keyword = [
        chunk("a1", kommune="A"),
        chunk("a2", kommune="A"),
        chunk("b1", kommune="B"),
    ]
    retriever, *_ = make_retriever([], keyword, spread_kommunen=True)
    groups = retriever.search("Frage", 3, allow_nonpublic=True)
    assert [g.vorlage_id for g in groups] == ["a1", "b1", "a2"]


def test_search_depth_grows_with_k() -> None:
    retriever, vindex, kindex, _ = make_retriever([chunk("v")], [chunk("v")])
    retriever.search("Frage", 20, allow_nonpublic=True)
    assert vindex.depths == [200] and kindex.depths == [200]


def test_search_rejects_bad_input() -> None:
    retriever, *_ = make_retriever([], [])
    with pytest.raises(RetrievalError, match="leer"):
        retriever.search("   ")
    with pytest.raises(RetrievalError):
        retriever.search("Frage", 0)
    with pytest.raises(RetrievalError):
        retriever.search("Frage", 5, mode="sparse")  # type: ignore[arg-type]
    assert retriever.search("Frage", 5, allow_nonpublic=True) == []


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        RetrieverConfig(rrf_k=-1)
    with pytest.raises(ValueError):
        RetrieverConfig(max_chunks_per_vorlage=0)
