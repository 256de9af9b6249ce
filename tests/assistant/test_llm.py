"""Chat-model backends: conversion and wiring, and the OpenAI-compatible backend against a
scripted local server (all fast). The bundled model, which runs the same backend against its
worker process, is tested with the real model in ``test_bundled_model.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, SecretStr

from assistant.bundled_model import BundledChatModel
from assistant.chat_models import make_chat_model
from assistant.llm import OpenAICompatibleChatModel, to_langchain
from assistant.ports import (
    ChatMessage,
    ChatModelFactory,
    LLMError,
    ModelTimeoutError,
    StructuredOutputError,
)

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
    assert isinstance(bundled, BundledChatModel)
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


def test_llama_cpp_dialect_sends_the_schema_for_its_grammar_and_extra_parameters() -> None:
    """llama-cpp-python's server (the bundled worker) takes ``{"type": "json_object",
    "schema": ...}``; nothing about the schema goes into the prompt (the prefix stays shared)."""
    seen: list[dict[str, Any]] = []
    with chat_server(lambda body: (200, completion(BESCHLUSS_JSON)), seen) as url:
        model = OpenAICompatibleChatModel(
            base_url=url,
            model="lokal",
            schema_format="llama_cpp",
            extra_body={"repeat_penalty": 1.1},
        )
        messages = [ChatMessage("system", "S"), ChatMessage("user", "Beschluss?")]
        result = model.generate_structured(messages, Beschluss)
        streamed = "".join(model.stream(messages, schema=Beschluss))
        plain = model.generate(messages)
        model.generate(messages, max_tokens=7)
    assert result == Beschluss.model_validate_json(streamed)
    assert plain == BESCHLUSS_JSON
    for request in seen[:2]:
        body = request["body"]
        assert body["response_format"]["type"] == "json_object"
        assert body["response_format"]["schema"] == Beschluss.model_json_schema()
        assert body["repeat_penalty"] == 1.1
        assert [m["content"] for m in body["messages"]] == ["S", "Beschluss?"]
    assert "response_format" not in seen[2]["body"] and seen[2]["body"]["repeat_penalty"] == 1.1
    # llama-cpp-python reads max_tokens (without it, it writes until the context is full)
    assert [s["body"]["max_tokens"] for s in seen[:3]] == [1024, 1024, 1024]
    assert seen[3]["body"]["max_tokens"] == 7


def test_a_silent_server_is_a_timeout_error() -> None:
    def slow(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        time.sleep(3)
        return 200, completion("zu spät")

    with chat_server(slow) as url:
        model = OpenAICompatibleChatModel(base_url=url, model="q", timeout_s=0.5, max_retries=0)
        with pytest.raises(ModelTimeoutError, match="nichts geschickt"):
            list(model.stream([ChatMessage("user", "Hallo")]))
