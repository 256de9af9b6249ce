"""The dense index on Chroma (``assistant.ports.VectorIndex``).

Embedded by default (``chromadb.PersistentClient`` on a directory), or a Chroma server through
``chromadb.HttpClient``. Either way:

* we always pass our own embeddings: the collection is created and opened with
  ``embedding_function=None``, so Chroma's default embedding function (which downloads a model)
  is never used, and documents are never sent without their vectors;
* telemetry is off (``Settings(anonymized_telemetry=False)``);
* the collection uses cosine distance (``configuration={"hnsw": {"space": "cosine"}}``); a
  hit's score is ``1 - distance``, the cosine similarity;
* writes use ``upsert`` only, in batches within ``client.get_max_batch_size()``;
* the collection metadata records the embedder (``embedder_name``, ``embedder_dimension``);
  opening it with another embedder raises :class:`EmbedderMismatchError`.

Chunk metadata is stored flat, because Chroma filters on scalar fields only: ``datum`` as ISO
text for display plus ``datum_int`` (yyyymmdd) for ``since`` filters (Chroma compares numbers
only); ``None`` values are left out (Chroma stores no nulls), ``gremien`` as a list.

Security: Chroma's server 1.0.0 to 1.5.9 has an unauthenticated code-injection flaw
(CVE-2026-45829). Bind a Chroma server to loopback or a private network, and put an
authenticating proxy in front of it before anything else can reach it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings
from chromadb.errors import ChromaError, NotFoundError

from assistant.ports import BackendError, EmbedderMismatchError
from assistant.schema import Chunk, ChunkMetadata, Hit, SearchFilter

log = logging.getLogger(__name__)

DEFAULT_COLLECTION = "vorlagen"
SCHEMA_VERSION = 1
REBUILD_HINT = "vorlagen ingest --rebuild PFAD..."


class ChromaIndex:
    """Chunks and their vectors in one Chroma collection.

    Args:
        embedder_name / dimension: the configured embedder (``Embedder.name`` and
            ``.dimension``); recorded when the collection is created, checked when it is opened.
        path: the directory of an embedded store (``PersistentClient``).
        host / port / ssl / headers: a Chroma server instead (``HttpClient``); ``headers``
            carries e.g. the proxy's ``Authorization``. Give either ``path`` or ``host``.
        collection: the collection's name.
    """

    OVERFETCH = 8
    MIN_OVERFETCH = 64

    def __init__(
        self,
        *,
        embedder_name: str,
        dimension: int,
        path: str | Path | None = None,
        host: str | None = None,
        port: int = 8000,
        ssl: bool = False,
        headers: Mapping[str, str] | None = None,
        collection: str = DEFAULT_COLLECTION,
    ) -> None:
        if (path is None) == (host is None):
            raise ValueError("give either path (embedded store) or host (Chroma server)")
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._embedder_name = embedder_name
        self._dimension = dimension
        self.path = Path(path) if path is not None else None
        self.host = host
        self.port = port
        self.ssl = ssl
        self._headers = dict(headers or {})
        self.collection_name = collection
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None
        self._max_batch: int | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else f"{self.host}:{self.port}"
        return f"ChromaIndex({where!r}, collection={self.collection_name!r})"

    # --- opening ----------------------------------------------------------------------------

    @property
    def embedder_name(self) -> str:
        return self._embedder_name

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        """Connect, open or create the collection, and check which embedder built it."""
        self._open()

    def close(self) -> None:
        """Release the client (an embedded store's files close when no other client of the
        same path is open); the next call connects again."""
        with self._lock:
            client, self._client, self._collection = self._client, None, None
        close = getattr(client, "close", None)  # chromadb's Client has it, ClientAPI not
        if close is not None:
            close()

    def _open(self) -> Collection:
        with self._lock:
            if self._collection is not None:
                return self._collection
            client = self._client or self._connect()
            self._client = client
            try:
                collection = client.get_collection(self.collection_name, embedding_function=None)
            except NotFoundError:
                collection = self._create(client)
            except ChromaError as err:
                raise self._unavailable(err) from err
            self._check(collection)
            self._collection = collection
            return collection

    def _connect(self) -> ClientAPI:
        settings = Settings(anonymized_telemetry=False)
        try:
            if self.path is not None:
                self.path.mkdir(parents=True, exist_ok=True)
                return chromadb.PersistentClient(path=str(self.path), settings=settings)
            assert self.host is not None
            return chromadb.HttpClient(
                host=self.host,
                port=self.port,
                ssl=self.ssl,
                headers=self._headers or None,
                settings=settings,
            )
        except (ChromaError, OSError, ValueError) as err:
            raise self._unavailable(err) from err

    def _unavailable(self, err: Exception) -> BackendError:
        where = f"im Verzeichnis {self.path}" if self.path else f"unter {self.host}:{self.port}"
        return BackendError(
            f"Der Vektorindex {where} ist nicht verfügbar ({type(err).__name__}: {err})."
        )

    def _create(self, client: ClientAPI) -> Collection:
        metadata: dict[str, Any] = {
            "embedder_name": self._embedder_name,
            "embedder_dimension": self._dimension,
            "schema_version": SCHEMA_VERSION,
        }
        try:
            return client.create_collection(
                self.collection_name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=metadata,
                embedding_function=None,
            )
        except ChromaError:  # created by another process meanwhile
            return client.get_collection(self.collection_name, embedding_function=None)

    def _check(self, collection: Collection) -> None:
        meta = collection.metadata or {}
        built_name = meta.get("embedder_name")
        built_dim = meta.get("embedder_dimension")
        if built_name == self._embedder_name and built_dim == self._dimension:
            return
        built = (
            f"mit dem Embedder {built_name} ({built_dim} Dimensionen)"
            if built_name
            else "ohne Angabe des Embedders"
        )
        raise EmbedderMismatchError(
            f"Der Suchindex wurde {built} erstellt, konfiguriert ist "
            f"{self._embedder_name} ({self._dimension} Dimensionen). Bitte den Index neu "
            f"aufbauen: {REBUILD_HINT}"
        )

    # --- writing ----------------------------------------------------------------------------

    def _batch_size(self) -> int:
        if self._max_batch is None:
            assert self._client is not None
            self._max_batch = max(1, self._client.get_max_batch_size())
        return self._max_batch

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        if len(chunks) != len(embeddings):
            raise ValueError(f"{len(chunks)} chunks but {len(embeddings)} embeddings")
        latest: dict[str, tuple[Chunk, Sequence[float]]] = {}
        for chunk, vector in zip(chunks, embeddings, strict=True):
            if len(vector) != self._dimension:
                raise ValueError(
                    f"embedding of {chunk.id} has {len(vector)} dimensions, "
                    f"the index takes {self._dimension}"
                )
            latest[chunk.id] = (chunk, vector)  # Chroma refuses duplicate ids in one call
        if not latest:
            return
        collection = self._open()
        items = list(latest.values())
        size = self._batch_size()
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            collection.upsert(
                ids=[chunk.id for chunk, _ in batch],
                embeddings=np.asarray([vector for _, vector in batch], dtype=np.float32),
                documents=[chunk.text for chunk, _ in batch],
                metadatas=[_to_metadata(chunk) for chunk, _ in batch],
            )

    def delete_vorlage(self, vorlage_id: str) -> int:
        ids = sorted(self.ids_for(vorlage_id))
        if not ids:
            return 0
        collection = self._open()
        size = self._batch_size()
        for start in range(0, len(ids), size):
            collection.delete(ids=ids[start : start + size])
        return len(ids)

    def reset(self) -> None:
        """Drop the collection and create an empty one for the configured embedder."""
        with self._lock:
            client = self._client or self._connect()
            self._client = client
            self._collection = None
            with contextlib.suppress(NotFoundError):
                client.delete_collection(self.collection_name)
            self._collection = self._create(client)
            self._check(self._collection)

    # --- reading ----------------------------------------------------------------------------

    def query(
        self, embedding: Sequence[float], k: int, where: SearchFilter | None = None
    ) -> list[Hit]:
        """The ``k`` nearest chunks that ``where`` keeps.

        A filtered Chroma query costs time in proportion to the number of chunks the filter
        keeps (measured: 100,000 chunks, a filter keeping 80 % of them: 330 ms, unfiltered
        4 ms). So a filtered search first asks for the ``OVERFETCH * k`` nearest chunks
        without a filter and filters them here; only when fewer than ``k`` survive does it ask
        Chroma again with the ``where`` clause. Both ways give the same hits (the nearest
        chunks that match, as far as the HNSW index finds them).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        if len(embedding) != self._dimension:
            raise ValueError(
                f"query embedding has {len(embedding)} dimensions, the index takes "
                f"{self._dimension}"
            )
        clause = chroma_where(where)
        if clause is None or where is None:
            return self._query(embedding, k, None)
        wanted = max(k * self.OVERFETCH, self.MIN_OVERFETCH)
        nearest = self._query(embedding, wanted, None)
        kept = [hit for hit in nearest if where.matches(hit.chunk.metadata)]
        if len(kept) >= k or len(nearest) < wanted:  # enough, or the whole index was seen
            return kept[:k]
        return self._query(embedding, k, clause)

    def _query(
        self, embedding: Sequence[float], k: int, clause: dict[str, Any] | None
    ) -> list[Hit]:
        result = self._open().query(
            query_embeddings=np.asarray([embedding], dtype=np.float32),
            n_results=k,
            where=clause,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        hits = []
        for cid, text, meta, distance in zip(ids, documents, metadatas, distances, strict=True):
            chunk = _from_record(cid, text, meta)
            hits.append(Hit(chunk=chunk, score=1.0 - float(distance), retriever="dense"))
        return hits

    def count(self) -> int:
        return self._open().count()

    def ids_for(self, vorlage_id: str) -> set[str]:
        result = self._open().get(where={"vorlage_id": vorlage_id}, include=[])
        return set(result["ids"])

    def _records(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        collection = self._open()
        size = self._batch_size()
        offset = 0
        while True:
            page = collection.get(include=["metadatas"], limit=size, offset=offset)
            ids = page["ids"]
            metas = page["metadatas"] or [{} for _ in ids]
            for cid, meta in zip(ids, metas, strict=True):
                yield cid, meta or {}
            if len(ids) < size:
                return
            offset += len(ids)

    def vorlage_ids(self) -> set[str]:
        return {str(meta.get("vorlage_id", "")) for _, meta in self._records()}

    def manifest(self) -> dict[str, str]:
        return {cid: str(meta.get("fingerprint", "")) for cid, meta in self._records()}


# --- metadata mapping (pure functions) ----------------------------------------------------------


def date_int(day: date) -> int:
    """yyyymmdd as an int: Chroma's ``$gte`` compares numbers only."""
    return day.year * 10000 + day.month * 100 + day.day


def chroma_where(where: SearchFilter | None) -> dict[str, Any] | None:
    """The Chroma ``where`` clause for a :class:`SearchFilter` (``None`` for no filter)."""
    if where is None:
        return None
    conditions: list[dict[str, Any]] = []
    if where.kommune is not None:
        conditions.append({"kommune": {"$eq": where.kommune}})
    if where.art is not None:
        conditions.append({"art": {"$eq": where.art}})
    if where.oeffentlich is not None:
        conditions.append({"oeffentlich": {"$eq": where.oeffentlich}})
    if where.since is not None:
        conditions.append({"datum_int": {"$gte": date_int(where.since)}})
    if where.kind == "konzept":
        conditions.append({"kind": {"$eq": "konzept"}})
    elif where.kind == "vorlage":  # chunks without a kind are Vorlagen ($ne keeps them)
        conditions.append({"kind": {"$ne": "konzept"}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


_SCALAR_KEYS = (
    "kommune",
    "vorlagen_nr",
    "betreff",
    "art",
    "oeffentlich",
    "kind",
    "zeitraum",
    "handlungsfeld",
    "massnahme",
)


def _to_metadata(chunk: Chunk) -> dict[str, Any]:
    """Chroma metadata: scalars and non-empty lists only, no ``None``."""
    meta = chunk.metadata
    out: dict[str, Any] = {
        "vorlage_id": chunk.vorlage_id,
        "section": chunk.section,
        "fingerprint": chunk.fingerprint(),
    }
    for key in _SCALAR_KEYS:
        value = getattr(meta, key)
        if value is not None:
            out[key] = value
    if meta.datum is not None:
        out["datum"] = meta.datum.isoformat()
        out["datum_int"] = date_int(meta.datum)
    if meta.gremien:
        out["gremien"] = list(meta.gremien)
    return out


def _from_record(cid: str, text: str | None, meta: Mapping[str, Any] | None) -> Chunk:
    meta = meta or {}
    datum = meta.get("datum")
    gremien = meta.get("gremien")
    return Chunk(
        id=cid,
        vorlage_id=str(meta.get("vorlage_id", "")),
        section=str(meta.get("section", "")),
        text=text or "",
        metadata=ChunkMetadata(
            kommune=cast("str | None", meta.get("kommune")),
            vorlagen_nr=cast("str | None", meta.get("vorlagen_nr")),
            betreff=cast("str | None", meta.get("betreff")),
            datum=date.fromisoformat(datum) if isinstance(datum, str) else None,
            art=cast("str | None", meta.get("art")),
            oeffentlich=cast("bool | None", meta.get("oeffentlich")),
            gremien=[str(g) for g in gremien] if isinstance(gremien, list) else [],
            kind="konzept" if meta.get("kind") == "konzept" else None,
            zeitraum=cast("str | None", meta.get("zeitraum")),
            handlungsfeld=cast("str | None", meta.get("handlungsfeld")),
            massnahme=cast("str | None", meta.get("massnahme")),
        ),
    )
