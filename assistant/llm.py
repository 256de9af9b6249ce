"""Chat models: the only module that imports LangChain chat-model providers (docs/architecture.md).

:class:`OpenAICompatibleChatModel` implements :class:`assistant.ports.ChatModelFactory` for any
OpenAI-compatible Chat Completions server (vLLM, Ollama, llama.cpp server, TGI, Azure OpenAI,
...) through ``langchain_openai.ChatOpenAI`` (``use_responses_api=False``). The bundled model
uses it too: it runs in a supervised worker process that is such a server
(:mod:`assistant.bundled_model`), so production servers and the bundled default share this one
code path. The API key is a ``SecretStr`` and is never logged or put into a message.

Structured output (one pydantic model per section), by ``schema_format``:

* ``json_schema`` (default, OpenAI's standard): ``response_format`` of type ``json_schema``;
  when the server rejects JSON schemas (older vLLM/Ollama/TGI versions) the instance switches
  to JSON mode for good, with the schema given to the model in a system message.
* ``llama_cpp`` (llama-cpp-python's server, the bundled worker): ``response_format =
  {"type": "json_object", "schema": <JSON schema>}``, which llama-cpp-python turns into a GBNF
  grammar (``LlamaGrammar.from_json_schema``): only tokens the schema allows are sampled. It is
  sent in the request body as is (``extra_body``), and no schema text goes into the prompt, so
  the prompt prefix that the server keeps evaluated stays the same between sections.

Extra sampling parameters that the OpenAI API lacks (llama.cpp's ``repeat_penalty``) go into
every request body through ``extra_body``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, SecretStr, ValidationError

from assistant.ports import (
    ChatMessage,
    LLMError,
    ModelTimeoutError,
    StructuredOutputError,
    StructuredT,
)

__all__ = ["OpenAICompatibleChatModel", "SchemaFormat", "to_langchain", "validate_answer"]

log = logging.getLogger(__name__)

SchemaFormat = Literal["json_schema", "llama_cpp"]

DEFAULT_MAX_TOKENS = 1024
DEFAULT_TEMPERATURE = 0.1


def to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    """Our provider-neutral messages as LangChain messages."""
    converted: list[BaseMessage] = []
    for message in messages:
        if message.role == "system":
            converted.append(SystemMessage(content=message.content))
        elif message.role == "user":
            converted.append(HumanMessage(content=message.content))
        else:
            converted.append(AIMessage(content=message.content))
    return converted


def _text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


def validate_answer(schema: type[StructuredT], raw: str) -> StructuredT:
    try:
        return schema.model_validate_json(raw)
    except ValidationError as err:
        raise StructuredOutputError(
            f"Die Antwort des Sprachmodells passt nicht zum erwarteten Format {schema.__name__} "
            f"({err.error_count()} Fehler, z. B. {_first_error(err)}).",
            raw,
        ) from err


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "Antwort"
    return f"{where}: {first['msg']}"


# --- OpenAI-compatible servers ----------------------------------------------------------------


class OpenAICompatibleChatModel:
    """Any OpenAI-compatible Chat Completions server through ``langchain_openai.ChatOpenAI``."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        temperature: float = DEFAULT_TEMPERATURE,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        timeout_s: float = 300,
        max_retries: int = 1,
        connect_timeout_s: float | None = None,
        schema_format: SchemaFormat = "json_schema",
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """``timeout_s``: seconds to wait for the next bytes of an answer (for a stream: between
        two tokens); ``connect_timeout_s``: for the connection (default: ``timeout_s``)."""
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.max_retries = max_retries
        self.schema_format: SchemaFormat = schema_format
        self._extra_body = dict(extra_body or {})
        self._chat: Any = None
        self._json_schema_supported = True
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAICompatibleChatModel(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        return f"openai:{self.model}@{self.base_url}"

    def warm_up(self) -> None:
        with self._lock:
            if self._chat is None:
                self._chat = self._build()

    def _build(self) -> Any:
        import httpx
        from langchain_openai import ChatOpenAI

        # Servers without authentication still need some key for the client library.
        key = self._api_key or SecretStr("nicht-gesetzt")
        timeout = httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s or self.timeout_s)
        return ChatOpenAI(
            base_url=self.base_url,
            model=self.model,
            api_key=key,
            temperature=self.temperature,
            max_tokens=self.max_tokens,  # type: ignore[call-arg]  # alias of max_completion_tokens
            timeout=timeout,
            max_retries=self.max_retries,
            use_responses_api=False,
            extra_body=self._extra_body or None,
        )

    def _bound(self, max_tokens: int | None, schema: type[BaseModel] | None = None) -> Any:
        """The chat model for one call: its answer limit, and in the llama.cpp dialect the
        request body's extra fields (``max_tokens``, which llama-cpp-python reads instead of
        ``max_completion_tokens``, and the grammar's schema)."""
        self.warm_up()
        if self.schema_format == "llama_cpp":
            body = {**self._extra_body, "max_tokens": max_tokens or self.max_tokens}
            if schema is not None:
                body["response_format"] = {
                    "type": "json_object",
                    "schema": schema.model_json_schema(),
                }
            return self._chat.bind(extra_body=body)
        if max_tokens and max_tokens != self.max_tokens:
            return self._chat.bind(max_tokens=max_tokens)
        return self._chat

    def _failure(self, err: Exception) -> LLMError:
        import openai

        if isinstance(err, LLMError):
            return err
        if isinstance(err, openai.APITimeoutError):
            return ModelTimeoutError(
                f"Der Modellserver {self.base_url} hat {self.timeout_s:.0f} s lang nichts "
                "geschickt (llm.timeout_s)."
            )
        if isinstance(err, openai.APIConnectionError):
            return LLMError(
                f"Der Modellserver {self.base_url} ist nicht erreichbar "
                f"({type(err).__name__}); bitte Adresse (llm.base_url) und Netz prüfen."
            )
        if isinstance(err, openai.AuthenticationError | openai.PermissionDeniedError):
            return LLMError(
                f"Der Modellserver {self.base_url} lehnt den API-Schlüssel ab (llm.api_key)."
            )
        if isinstance(err, openai.NotFoundError):
            return LLMError(
                f"Der Modellserver {self.base_url} kennt das Modell „{self.model}“ nicht "
                "(llm.model) oder bietet keine Chat-Completions-Schnittstelle."
            )
        status = getattr(err, "status_code", None)
        detail = f"HTTP {status}" if status else type(err).__name__
        return LLMError(f"Der Modellserver {self.base_url} meldet einen Fehler ({detail}).")

    def generate(self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None) -> str:
        try:
            answer = self._bound(max_tokens).invoke(to_langchain(messages))
        except Exception as err:
            raise self._failure(err) from err
        return _text_of(answer)

    async def agenerate(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        try:
            answer = await self._bound(max_tokens).ainvoke(to_langchain(messages))
        except Exception as err:
            raise self._failure(err) from err
        return _text_of(answer)

    def _streaming(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        schema: type[BaseModel] | None,
    ) -> tuple[Any, list[BaseMessage]]:
        """The runnable and messages of a (JSON) stream: the schema as ``json_schema`` response
        format, or JSON mode with the schema in a system message once the server refused it."""
        if self.schema_format == "llama_cpp":
            return self._bound(max_tokens, schema), to_langchain(messages)
        bound = self._bound(max_tokens)
        if schema is None:
            return bound, to_langchain(messages)
        if self._json_schema_supported:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
            }
            return bound.bind(response_format=response_format), to_langchain(messages)
        return (
            bound.bind(response_format={"type": "json_object"}),
            self._json_mode_messages(messages, schema),
        )

    def _stream_failure(
        self, err: Exception, schema: type[BaseModel] | None, started: bool
    ) -> bool:
        """Whether to retry a failed stream in JSON mode (the server refused the schema before
        the first token); otherwise the caller raises :meth:`_failure`."""
        if schema is None or started or not self._json_schema_supported:
            return False
        if not self._rejects_schema(err):
            return False
        log.warning("%s: json_schema abgelehnt, nutze json_mode", self.base_url)
        self._json_schema_supported = False
        return True

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        started = False
        try:
            runnable, converted = self._streaming(messages, max_tokens, schema)
            for chunk in runnable.stream(converted):
                text = _text_of(chunk)
                if text:
                    started = True
                    yield text
        except GeneratorExit:
            raise
        except Exception as err:
            if not self._stream_failure(err, schema, started):
                raise self._failure(err) from err
            yield from self.stream(messages, max_tokens=max_tokens, schema=schema)

    async def astream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> AsyncIterator[str]:
        started = False
        retry = False
        try:
            runnable, converted = self._streaming(messages, max_tokens, schema)
            async for chunk in runnable.astream(converted):
                text = _text_of(chunk)
                if text:
                    started = True
                    yield text
        except GeneratorExit:
            raise
        except Exception as err:
            if not self._stream_failure(err, schema, started):
                raise self._failure(err) from err
            retry = True
        if retry:
            async for text in self.astream(messages, max_tokens=max_tokens, schema=schema):
                yield text

    def _structured(self, schema: type[BaseModel], method: str, max_tokens: int | None) -> Any:
        return self._bound(max_tokens).with_structured_output(
            schema, method=method, include_raw=True
        )

    def _json_mode_messages(
        self, messages: Sequence[ChatMessage], schema: type[BaseModel]
    ) -> list[BaseMessage]:
        instruction = (
            "Antworte ausschließlich mit einem JSON-Objekt nach diesem JSON-Schema, ohne "
            "weiteren Text:\n" + json.dumps(schema.model_json_schema(), ensure_ascii=False)
        )
        return [SystemMessage(content=instruction), *to_langchain(messages)]

    def _finish(self, schema: type[StructuredT], result: Any) -> StructuredT:
        parsed = result.get("parsed")
        if isinstance(parsed, schema):
            return parsed
        raw = _text_of(result["raw"]) if result.get("raw") is not None else ""
        if isinstance(parsed, dict):
            raw = json.dumps(parsed, ensure_ascii=False)
        return validate_answer(schema, raw)

    @staticmethod
    def _rejects_schema(err: Exception) -> bool:
        import openai

        return isinstance(err, openai.BadRequestError | openai.UnprocessableEntityError)

    @staticmethod
    def _invalid(schema: type[BaseModel], err: ValidationError) -> StructuredOutputError:
        """The client library validated the answer itself (json_schema) and it failed."""
        errors = err.errors()
        raw = errors[0].get("input") if errors else None
        raw_text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
        return StructuredOutputError(
            f"Die Antwort des Sprachmodells passt nicht zum erwarteten Format {schema.__name__} "
            f"({err.error_count()} Fehler, z. B. {_first_error(err)}).",
            raw_text,
        )

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        if self.schema_format == "llama_cpp":
            try:
                answer = self._bound(max_tokens, schema).invoke(to_langchain(messages))
            except Exception as err:
                raise self._failure(err) from err
            return validate_answer(schema, _text_of(answer))
        if self._json_schema_supported:
            try:
                result = self._structured(schema, "json_schema", max_tokens).invoke(
                    to_langchain(messages)
                )
                return self._finish(schema, result)
            except StructuredOutputError:
                raise
            except ValidationError as err:
                raise self._invalid(schema, err) from err
            except Exception as err:
                if not self._rejects_schema(err):
                    raise self._failure(err) from err
                log.warning("%s: json_schema abgelehnt, nutze json_mode", self.base_url)
                self._json_schema_supported = False
        try:
            result = self._structured(schema, "json_mode", max_tokens).invoke(
                self._json_mode_messages(messages, schema)
            )
        except ValidationError as err:
            raise self._invalid(schema, err) from err
        except Exception as err:
            raise self._failure(err) from err
        return self._finish(schema, result)

    async def agenerate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        """The blocking call in a worker thread: one code path for the schema fallback."""
        return await asyncio.to_thread(
            self.generate_structured, messages, schema, max_tokens=max_tokens
        )
