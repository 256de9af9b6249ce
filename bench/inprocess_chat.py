"""A bench-only chat model: the GGUF model in this process (issue 4's design), as a baseline.

Implements :class:`assistant.ports.ChatModelFactory` with ``llama_cpp.Llama`` loaded here and
the worker's parameters, so that ``bench/draft_speed.py`` can run the same drafts through the
in-process model and through the worker process in one run. Not part of the product: a crash
in here takes the process with it, which is why the product runs the model in a worker.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.bundled_model import REPEAT_PENALTY, StreamBackedChatModel
from assistant.chat_models import bundled_model_name
from assistant.model_worker import WorkerSettings
from assistant.ports import ChatMessage


class InProcessChatModel(StreamBackedChatModel):
    def __init__(
        self, path: Path, settings: WorkerSettings, temperature: float = 0.1, max_tokens: int = 1024
    ) -> None:
        import llama_cpp

        from assistant.llama_backends import load_cpu_backend

        load_cpu_backend()
        threads = settings.n_threads or os.cpu_count() or 1
        self.llama: Any = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=settings.n_ctx,
            n_batch=settings.n_batch,
            n_threads=threads,
            n_threads_batch=threads,
            flash_attn=settings.flash_attn,
            seed=settings.seed,
            verbose=False,
        )
        self.lock = threading.RLock()
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._name = bundled_model_name(path) + " (in-process)"

    @property
    def name(self) -> str:
        return self._name

    def warm_up(self) -> None:
        pass

    def _stream(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        cancelled: threading.Event,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]:
        response_format = (
            {"type": "json_object", "schema": schema.model_json_schema()} if schema else None
        )
        with self.lock:
            chunks = self.llama.create_chat_completion(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                max_tokens=max_tokens or self.max_tokens,
                temperature=self.temperature,
                repeat_penalty=REPEAT_PENALTY,
                response_format=response_format,
                stream=True,
            )
            for chunk in chunks:
                if cancelled.is_set():
                    break
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    yield text


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of process ``pid`` (``VmHWM``), in MiB; 0 if unknown.

    (``RUSAGE_CHILDREN`` would report the parent's size at the time it started the worker.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
