"""The precomputed embedder: table hits, misses delegated, a mismatching table not used."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.ports import Embedder, EmbedderError
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.precomputed import (
    PROBE_TEXT,
    Fingerprint,
    PrecomputedEmbedder,
    PrecomputedVectors,
    text_key,
)

KITA = "Der Gemeinderat beschließt den Neubau der Kindertagesstätte am Stadtpark."
HAUSHALT = "Die Haushaltssatzung für das Jahr 2024 wird mit dem Stellenplan erlassen."
BEBAUUNG = "Abwägung der Stellungnahmen zum Bebauungsplan Nr. 12 Gewerbegebiet Nord."


class CountingEmbedder:
    """A HashingEmbedder that records every text it embeds (``shift`` makes another model)."""

    def __init__(self, dimension: int = 32, name: str = "test-hashing", shift: int = 0) -> None:
        self._inner = HashingEmbedder(dimension, name)
        self.shift = shift
        self.calls: list[list[str]] = []
        self.queries: list[str] = []

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def warm_up(self) -> None:
        pass

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        vectors = self._inner.embed_documents(texts)
        return [v[self.shift :] + v[: self.shift] for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._inner.embed_query(text)

    def embedded(self) -> list[str]:
        """Every text embedded, apart from the fingerprint's probe."""
        return [t for call in self.calls for t in call if t != PROBE_TEXT]


def table_of(embedder: CountingEmbedder, texts: Sequence[str]) -> PrecomputedVectors:
    vectors = embedder.embed_documents(list(texts))
    table = PrecomputedVectors(
        Fingerprint.of(embedder), {text_key(t): v for t, v in zip(texts, vectors, strict=True)}
    )
    embedder.calls.clear()
    return table


def test_it_is_an_embedder_with_the_wrapped_name_and_dimension() -> None:
    inner = CountingEmbedder()
    wrapped = PrecomputedEmbedder(inner, None)
    assert isinstance(wrapped, Embedder)
    assert (wrapped.name, wrapped.dimension) == (inner.name, inner.dimension)
    assert wrapped.embed_documents([]) == []


def test_texts_in_the_table_are_not_embedded_again() -> None:
    inner = CountingEmbedder()
    table = table_of(inner, [KITA, HAUSHALT])
    wrapped = PrecomputedEmbedder(inner, table)

    vectors = wrapped.embed_documents([HAUSHALT, KITA])

    assert vectors == [table.get(HAUSHALT), table.get(KITA)]
    assert inner.embedded() == []
    assert (wrapped.hits, wrapped.misses, wrapped.mismatch) == (2, 0, None)


def test_misses_are_embedded_by_the_wrapped_embedder_in_one_call_and_in_order() -> None:
    inner = CountingEmbedder()
    table = table_of(inner, [KITA])
    wrapped = PrecomputedEmbedder(inner, table)

    vectors = wrapped.embed_documents([HAUSHALT, KITA, BEBAUUNG])

    expected = HashingEmbedder(32).embed_documents([HAUSHALT, KITA, BEBAUUNG])
    assert vectors == expected
    assert [c for c in inner.calls if c != [PROBE_TEXT]] == [[HAUSHALT, BEBAUUNG]]
    assert (wrapped.hits, wrapped.misses) == (1, 2)


def test_queries_always_go_to_the_wrapped_embedder() -> None:
    inner = CountingEmbedder()
    wrapped = PrecomputedEmbedder(inner, table_of(inner, [KITA]))
    assert wrapped.embed_query(KITA) == inner._inner.embed_query(KITA)
    assert inner.queries == [KITA]


@pytest.mark.parametrize(
    ("configured", "reason"),
    [
        (CountingEmbedder(name="another-model"), "eingestellt ist „another-model-32“"),
        (CountingEmbedder(dimension=48), "48"),
        (CountingEmbedder(shift=5), "anderes Modell"),  # same name, other vectors
    ],
    ids=["name", "dimension", "probe"],
)
def test_a_table_of_another_embedder_is_not_used(configured: CountingEmbedder, reason: str) -> None:
    table = table_of(CountingEmbedder(), [KITA, HAUSHALT])
    reasons: list[str] = []
    wrapped = PrecomputedEmbedder(configured, table, on_mismatch=reasons.append)

    first = wrapped.embed_documents([KITA, HAUSHALT])
    second = wrapped.embed_documents([BEBAUUNG])

    assert configured.embedded() == [KITA, HAUSHALT, BEBAUUNG]  # everything embedded
    assert first == configured.embed_documents([KITA, HAUSHALT])
    assert len(second) == 1
    assert wrapped.mismatch is not None and reason in wrapped.mismatch
    assert reasons == [wrapped.mismatch]  # reported once
    assert (wrapped.hits, wrapped.misses) == (0, 3)


def test_the_fingerprint_is_checked_once() -> None:
    inner = CountingEmbedder()
    wrapped = PrecomputedEmbedder(inner, table_of(inner, [KITA]))
    for _ in range(3):
        wrapped.embed_documents([KITA])
    assert inner.calls.count([PROBE_TEXT]) == 1


def test_a_failing_wrapped_embedder_fails_the_call() -> None:
    class Broken(CountingEmbedder):
        def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
            if PROBE_TEXT in texts:
                return super().embed_documents(texts)
            raise EmbedderError("Der Embedding-Dienst ist nicht erreichbar.")

    inner = Broken()
    wrapped = PrecomputedEmbedder(inner, table_of(CountingEmbedder(), [KITA]))
    assert wrapped.embed_documents([KITA]) == [wrapped.table.get(KITA)]  # type: ignore[union-attr]
    with pytest.raises(EmbedderError):
        wrapped.embed_documents([KITA, HAUSHALT])


def test_collected_holds_hits_and_misses_with_the_wrapped_fingerprint(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    wrapped = PrecomputedEmbedder(inner, table_of(inner, [KITA]), collect=True)
    wrapped.embed_documents([KITA, HAUSHALT])

    collected = wrapped.collected()

    assert set(collected.vectors) == {text_key(KITA), text_key(HAUSHALT)}
    assert collected.fingerprint == Fingerprint.of(inner)
    assert collected.fingerprint.mismatch(inner) is None


def test_save_and_load_keep_the_table(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    table = table_of(inner, [KITA, HAUSHALT, BEBAUUNG])
    path = tmp_path / "vectors.npz"

    table.save(path)
    loaded = PrecomputedVectors.load(path)

    assert loaded.fingerprint.name == table.fingerprint.name
    assert loaded.fingerprint.probe == pytest.approx(table.fingerprint.probe, abs=1e-6)
    assert loaded.fingerprint.mismatch(inner) is None
    assert set(loaded.vectors) == set(table.vectors)
    for key, vector in table.vectors.items():
        assert loaded.vectors[key] == pytest.approx(vector, abs=1e-6)


def test_an_empty_table_saves_and_loads(tmp_path: Path) -> None:
    table = PrecomputedVectors(Fingerprint.of(CountingEmbedder()))
    table.save(tmp_path / "v.npz")
    assert len(PrecomputedVectors.load(tmp_path / "v.npz")) == 0


@pytest.mark.parametrize("damage", ["missing", "garbage", "format", "shape"])
def test_an_unreadable_file_raises_a_german_embedder_error(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "vectors.npz"
    if damage == "garbage":
        path.write_bytes(b"not a numpy file")
    elif damage in ("format", "shape"):
        table = table_of(CountingEmbedder(), [KITA])
        table.save(path)
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        if damage == "format":
            arrays["meta"] = np.array('{"format": "other", "version": 1}')
        else:
            arrays["vectors"] = arrays["vectors"][:, :5]
        np.savez(path, **arrays)
    with pytest.raises(EmbedderError, match="nicht lesbar"):
        PrecomputedVectors.load(path)


def test_concurrent_calls_check_the_fingerprint_once_and_count_every_text() -> None:
    inner = CountingEmbedder()
    wrapped = PrecomputedEmbedder(inner, table_of(inner, [KITA]))
    threads = [
        threading.Thread(target=wrapped.embed_documents, args=([KITA, HAUSHALT],)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inner.calls.count([PROBE_TEXT]) == 1
    assert (wrapped.hits, wrapped.misses) == (8, 8)
