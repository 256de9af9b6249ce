"""The bundled chat model: a GGUF model in a supervised worker process, spoken to over HTTP.

:class:`BundledChatModel` implements :class:`assistant.ports.ChatModelFactory`. It starts the
worker (:class:`assistant.model_worker.ModelWorker`, llama-cpp-python's OpenAI-compatible server
on a loopback port) on first use and talks to it with :class:`assistant.llm.
OpenAICompatibleChatModel` in llama-cpp-python's dialect (grammar-constrained JSON,
``repeat_penalty``), so that it shares its code path with production model servers.

What issue 4 built on the in-process model is kept (docs/models.md measures both designs):

* **the shared prompt prefix**: the worker holds one ``llama_cpp.Llama``; every request is
  matched against the tokens it evaluated last, so the system prompt and the material shared by
  the two sections are read once;
* **grammar-constrained JSON per section** and **streaming** token by token (Server-Sent
  Events);
* **the early stop of a looping answer**: closing a stream closes the HTTP response, and the
  server stops generating when its client is gone;
* **concurrent callers share one model**: one request at a time goes to the worker (a lock
  here; a waiting caller blocks, it is not refused), so the stall timeout below measures the
  model, not a queue.

Failures:

* the worker **dies** during an answer (a segfault, the OOM killer, SIGKILL): the call raises
  :class:`ModelCrashedError` ("Das Sprachmodell ist abgebrochen …; bitte erneut versuchen."),
  and a new worker is started at once in the background; the next call uses it;
* the worker **hangs** (no token for ``stall_timeout_s``): it is killed, and the same follows.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from pydantic import BaseModel, SecretStr

from assistant.llm import OpenAICompatibleChatModel, validate_answer
from assistant.model_worker import MODEL_ALIAS, ModelWorker, WorkerInfo
from assistant.ports import (
    ChatMessage,
    LLMError,
    ModelCrashedError,
    ModelTimeoutError,
    StructuredT,
)

__all__ = ["BundledChatModel"]

log = logging.getLogger(__name__)

REPEAT_PENALTY = 1.1
"""Against loops of a small model at low temperature (1.05 let the bundled model repeat three
sentences until the token limit); the drafting service also stops a repeating answer."""

CONNECT_TIMEOUT_S = 10.0
IDLE_CHECK_S = 60.0
"""After this many idle seconds the worker is asked whether it still answers before use."""
EXIT_GRACE_S = 3.0
"""How long a worker whose connection broke may take to be seen as ended."""


class StreamBackedChatModel(ABC):
    """A chat model whose every call is derived from one blocking token stream.

    Subclasses implement :meth:`_stream` (and ``name``/``warm_up``); whole answers, structured
    answers and the async variants (run in a worker thread) are derived here, so a hang is
    noticed between two tokens whatever the caller asked for.
    """

    @abstractmethod
    def _stream(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        cancelled: threading.Event,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        """The answer's tokens; stop early when ``cancelled`` is set (the caller left)."""

    def generate(self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None) -> str:
        return "".join(self._stream(messages, max_tokens, threading.Event()))

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        raw = "".join(self._stream(messages, max_tokens, threading.Event(), schema))
        return validate_answer(schema, raw)

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        """Tokens as they come; the model is busy until the iterator is exhausted or closed.

        With ``schema`` the tokens are sampled under the schema's JSON grammar."""
        return self._stream(messages, max_tokens, threading.Event(), schema)

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


class BundledChatModel(StreamBackedChatModel):
    """A GGUF model served by a supervised :class:`ModelWorker`; cheap until first use."""

    def __init__(
        self,
        worker: ModelWorker,
        *,
        name: str,
        temperature: float,
        max_tokens: int,
        stall_timeout_s: float = 300.0,
    ) -> None:
        self.worker = worker
        self._name = name
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stall_timeout_s = stall_timeout_s
        self._lock = threading.RLock()
        self._client: OpenAICompatibleChatModel | None = None
        self._client_worker = 0
        self._last_used = time.monotonic()

    @property
    def name(self) -> str:
        return self._name

    def warm_up(self) -> None:
        """Start the worker (assembling the bundled model file first if need be)."""
        with self._lock:
            self._connected()

    def worker_info(self) -> WorkerInfo:
        """The running worker (started if need be): PID, CPU features, load time."""
        with self._lock:
            self._connected()
            info = self.worker.info
            assert info is not None
            return info

    def _connected(self) -> OpenAICompatibleChatModel:
        """The client of the running worker (started if need be; after an idle spell it is
        asked whether it still answers, and replaced when it does not)."""
        idle = time.monotonic() - self._last_used
        if self.worker.alive() and idle > IDLE_CHECK_S and not self.worker.healthy():
            log.info("Sprachmodell antwortet nach %.0f s Pause nicht; Neustart", idle)
            self.worker.kill()
        info = self.worker.ensure_running()
        self._last_used = time.monotonic()
        if self._client is None or self._client_worker != info.pid:
            self._client = OpenAICompatibleChatModel(
                base_url=info.base_url,
                model=MODEL_ALIAS,
                api_key=SecretStr(self.worker.api_key),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                timeout_s=self.stall_timeout_s,
                connect_timeout_s=CONNECT_TIMEOUT_S,
                max_retries=0,  # a crash ends the answer; a retry would hide it
                schema_format="llama_cpp",
                extra_body={"repeat_penalty": REPEAT_PENALTY},
            )
            self._client_worker = info.pid  # a new worker has a new key, maybe the same port
        return self._client

    def _stream(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        cancelled: threading.Event,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        with self._lock:
            if cancelled.is_set():  # the caller left while waiting for the worker
                return
            client = self._connected()
            try:
                for text in client.stream(messages, max_tokens=max_tokens, schema=schema):
                    if cancelled.is_set():
                        break
                    yield text
            except GeneratorExit:
                raise
            except LLMError as err:
                raise self._failure(err) from err

    def _failure(self, err: LLMError) -> LLMError:
        """A hang or a dead worker as :class:`ModelCrashedError` (and a restart); else ``err``."""
        if isinstance(err, ModelTimeoutError):
            self.worker.kill()
            how = f"keine Antwort seit {self.stall_timeout_s:.0f} s"
        elif self.worker.ended_within(EXIT_GRACE_S):
            how = self.worker.exit_description() or "beendet"
        else:
            # the worker lives but broke off the answer (e.g. a prompt longer than n_ctx):
            # the backend's words would name an internal address and the network
            log.info("Sprachmodell-Prozess brach die Antwort ab: %s", err)
            return LLMError(
                "Das Sprachmodell hat die Antwort abgebrochen (vermutlich ist die Anfrage zu "
                "lang für llm.n_ctx); Einzelheiten mit VORLAGEN_LOG_LEVEL=DEBUG."
            )
        log.info("Sprachmodell abgebrochen (%s); Neustart", how)
        self.worker.restart_in_background()
        return ModelCrashedError(
            f"Das Sprachmodell ist abgebrochen ({how}) und wird neu gestartet; "
            "bitte erneut versuchen."
        )
