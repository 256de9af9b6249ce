"""Chat models: the only module that imports LangChain chat-model providers (DESIGN.md 1 and 7).

Two backends implement :class:`assistant.ports.ChatModelFactory`:

* :class:`LlamaCppChatModel` — the bundled GGUF model (or any GGUF file) in-process through
  ``langchain_community.chat_models.ChatLlamaCpp`` (llama-cpp-python). One loaded model is
  shared by every request; a lock serialises generation, because a ``llama_cpp.Llama`` object
  is not safe for concurrent use (a waiting request blocks until the running one is done).
* :class:`OpenAICompatibleChatModel` — any OpenAI-compatible server (vLLM, Ollama, llama.cpp
  server, TGI, Azure OpenAI, ...) through ``langchain_openai.ChatOpenAI`` on the Chat
  Completions API (``use_responses_api=False``). The API key is a ``SecretStr`` from the
  settings and is never logged or put into a message.

Structured output (one pydantic model per section):

* llama.cpp: grammar-constrained JSON. ``ChatLlamaCpp`` passes extra call arguments straight to
  ``llama_cpp.Llama.create_chat_completion``, so each structured call passes
  ``response_format={"type": "json_object", "schema": <the model's JSON schema>}``;
  llama-cpp-python turns that schema into a GBNF grammar (``LlamaGrammar.from_json_schema``)
  and samples only tokens the grammar allows. The answer is then validated with pydantic.
  (``ChatLlamaCpp.with_structured_output`` is not used: it relies on tool calling, which the
  GGUF's chat template does not constrain.)
* OpenAI-compatible: ``with_structured_output(schema, method="json_schema")``; when the server
  rejects JSON schemas (older vLLM/Ollama/TGI versions) the instance switches to
  ``method="json_mode"`` for good, with the schema given to the model in a system message.

:func:`make_chat_model` builds either from plain values (``api/container.py`` reads settings).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, SecretStr, ValidationError

from assistant.model_files import BUNDLED_MODEL, ModelFileError, ensure_model
from assistant.ports import ChatMessage, LLMError, StructuredOutputError, StructuredT

__all__ = [
    "LlamaCppChatModel",
    "OpenAICompatibleChatModel",
    "make_chat_model",
    "to_langchain",
]

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 8192
DEFAULT_MAX_TOKENS = 1024
DEFAULT_TEMPERATURE = 0.1
N_BATCH = 512  # prompt tokens evaluated per batch; ChatLlamaCpp's default of 8 is very slow
# Against loops of a small model at low temperature (1.05 let the bundled model repeat three
# sentences until the token limit); the drafting service also stops a repeating answer.
REPEAT_PENALTY = 1.1
# flash_attn: reading a prompt is ~10 % faster on CPU (95 -> 104 tokens/s, 2 cores, measured
# with the bundled model); a quantised KV cache (q8_0) was slower (74 tokens/s).


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


def _validate(schema: type[StructuredT], raw: str) -> StructuredT:
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


class _ThreadedAsync(ABC):
    """Async variants for a backend whose work is blocking: run it in a worker thread.

    Subclasses implement the three blocking methods; the async ones are derived here.
    """

    @abstractmethod
    def generate(self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None) -> str:
        raise NotImplementedError

    @abstractmethod
    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        raise NotImplementedError

    @abstractmethod
    def _stream(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        cancelled: threading.Event,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        raise NotImplementedError

    async def agenerate(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        return await asyncio.to_thread(self.generate, messages, max_tokens=max_tokens)

    async def agenerate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        return await asyncio.to_thread(
            self.generate_structured, messages, schema, max_tokens=max_tokens
        )

    async def astream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> AsyncIterator[str]:
        """Tokens from a worker thread; leaving the loop early stops the generation."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[Literal["token", "error", "end"], Any]] = asyncio.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                for token in self._stream(messages, max_tokens, cancelled, schema):
                    loop.call_soon_threadsafe(queue.put_nowait, ("token", token))
            except BaseException as err:  # handed to the consumer
                loop.call_soon_threadsafe(queue.put_nowait, ("error", err))
            else:
                loop.call_soon_threadsafe(queue.put_nowait, ("end", None))

        worker = loop.run_in_executor(None, produce)
        try:
            while True:
                kind, value = await queue.get()
                if kind == "token":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    break
        finally:
            cancelled.set()
            await asyncio.shield(worker)


# --- llama.cpp -----------------------------------------------------------------------------


class LlamaCppChatModel(_ThreadedAsync):
    """A GGUF model in-process through LangChain's ``ChatLlamaCpp``; cheap until ``warm_up()``.

    ``model_file`` returns the path of the GGUF file; for the bundled model it assembles and
    verifies the file on first use (:func:`assistant.model_files.ensure_model`).
    """

    def __init__(
        self,
        model_file: Callable[[], Path],
        *,
        name: str,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        temperature: float = DEFAULT_TEMPERATURE,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        seed: int = 42,
    ) -> None:
        self._model_file = model_file
        self._name = name
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self.lock = threading.RLock()
        """Held while the model generates (and while it loads); hold it to use :meth:`llama`."""
        self._chat: Any = None
        self.load_seconds: float | None = None

    @property
    def name(self) -> str:
        return self._name

    def warm_up(self) -> None:
        with self.lock:
            if self._chat is not None:
                return
            try:
                path = self._model_file()
            except ModelFileError as err:
                raise LLMError(str(err)) from err
            if not path.is_file():
                raise LLMError(f"Die Modelldatei {path} wurde nicht gefunden.")
            started = time.perf_counter()
            self._chat = self._load(path)
            self.load_seconds = time.perf_counter() - started
            log.info("llama.cpp: %s geladen in %.1f s", path.name, self.load_seconds)

    def _load(self, path: Path) -> Any:
        from langchain_community.chat_models import ChatLlamaCpp

        try:
            return ChatLlamaCpp(
                model_path=str(path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_batch=N_BATCH,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                seed=self.seed,
                repeat_penalty=REPEAT_PENALTY,
                streaming=True,  # stream() yields tokens; invoke() collects them
                verbose=False,
                model_kwargs={"n_threads_batch": self.n_threads, "flash_attn": True},
            )
        except Exception as err:  # llama.cpp reports a broken file as a plain ValueError
            raise LLMError(
                f"Das Sprachmodell {path.name} konnte nicht geladen werden ({err})."
            ) from err

    def llama(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (for tools and tests; use it only holding ``lock``)."""
        self.warm_up()
        return self._chat.client

    def _params(self, max_tokens: int | None) -> dict[str, Any]:
        return {"max_tokens": max_tokens or self.max_tokens}

    def generate(self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None) -> str:
        self.warm_up()
        with self.lock:
            try:
                answer = self._chat.invoke(to_langchain(messages), **self._params(max_tokens))
            except Exception as err:
                raise LLMError(_llama_failure(err)) from err
        return _text_of(answer)

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        self.warm_up()
        response_format = _llama_json_format(schema)
        with self.lock:
            try:
                answer = self._chat.invoke(
                    to_langchain(messages),
                    response_format=response_format,
                    **self._params(max_tokens),
                )
            except Exception as err:
                raise LLMError(_llama_failure(err)) from err
        return _validate(schema, _text_of(answer))

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        """Tokens as they come; the lock is held until the iterator is exhausted or closed.

        With ``schema`` the tokens are sampled under the schema's JSON grammar."""
        return self._stream(messages, max_tokens, threading.Event(), schema)

    def _stream(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        cancelled: threading.Event,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        self.warm_up()
        params = self._params(max_tokens)
        if schema is not None:
            params["response_format"] = _llama_json_format(schema)
        with self.lock:
            try:
                chunks = self._chat.stream(to_langchain(messages), **params)
                for chunk in chunks:
                    if cancelled.is_set():
                        break
                    text = _text_of(chunk)
                    if text:
                        yield text
            except GeneratorExit:
                raise
            except Exception as err:
                raise LLMError(_llama_failure(err)) from err


def _llama_json_format(schema: type[BaseModel]) -> dict[str, Any]:
    """llama-cpp-python's response format for grammar-constrained JSON of ``schema``."""
    return {"type": "json_object", "schema": schema.model_json_schema()}


def _llama_failure(err: Exception) -> str:
    text = str(err)
    if "context window" in text or "exceed" in text:
        return (
            "Die Anfrage ist zu lang für das Kontextfenster des Sprachmodells "
            "(Einstellung llm.n_ctx erhöhen oder weniger Fundstellen übergeben)."
        )
    return f"Das Sprachmodell ist bei der Erzeugung gescheitert ({type(err).__name__}: {text})."


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.max_retries = max_retries
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
        from langchain_openai import ChatOpenAI

        # Servers without authentication still need some key for the client library.
        key = self._api_key or SecretStr("nicht-gesetzt")
        return ChatOpenAI(
            base_url=self.base_url,
            model=self.model,
            api_key=key,
            temperature=self.temperature,
            max_tokens=self.max_tokens,  # type: ignore[call-arg]  # alias of max_completion_tokens
            timeout=self.timeout_s,
            max_retries=self.max_retries,
            use_responses_api=False,
        )

    def _bound(self, max_tokens: int | None) -> Any:
        self.warm_up()
        if max_tokens and max_tokens != self.max_tokens:
            return self._chat.bind(max_tokens=max_tokens)
        return self._chat

    def _failure(self, err: Exception) -> LLMError:
        import openai

        if isinstance(err, LLMError):
            return err
        if isinstance(err, openai.APIConnectionError):  # includes timeouts
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
        return _validate(schema, raw)

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


# --- construction ----------------------------------------------------------------------------


def bundled_model_name(path: Path | None = None) -> str:
    """The ``name`` of a llama.cpp model: the GGUF file's stem."""
    stem = (path.name if path else BUNDLED_MODEL.filename).removesuffix(".gguf")
    return f"llama.cpp:{stem}"


def make_chat_model(
    backend: Literal["bundled", "openai"],
    *,
    models_dir: Path,
    model_path: Path | None = None,
    n_ctx: int = DEFAULT_N_CTX,
    n_threads: int | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: SecretStr | None = None,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    timeout_s: float = 300,
) -> LlamaCppChatModel | OpenAICompatibleChatModel:
    """The configured chat model; cheap (nothing is loaded or assembled before first use).

    ``bundled``: ``model_path`` when given, else the shipped model, assembled into
    ``models_dir`` on first use. ``openai``: needs ``base_url`` and ``model``.
    """
    if backend == "openai":
        if not base_url or not model:
            raise ValueError("the openai chat model needs base_url and model")
        return OpenAICompatibleChatModel(
            base_url=base_url,
            model=model,
            api_key=api_key,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout_s=timeout_s,
        )

    def model_file() -> Path:
        if model_path is not None:
            return model_path
        return ensure_model(BUNDLED_MODEL, models_dir)

    return LlamaCppChatModel(
        model_file,
        name=bundled_model_name(model_path),
        n_ctx=n_ctx,
        n_threads=n_threads,
        temperature=temperature,
        max_tokens=max_tokens,
    )
