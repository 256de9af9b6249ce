"""Building the configured chat model from plain values (``api/container.py`` reads settings).

Two backends implement :class:`assistant.ports.ChatModelFactory`:

* ``bundled``: :class:`assistant.bundled_model.BundledChatModel`, the shipped GGUF model (or
  ``model_path``) in a supervised worker process;
* ``openai``: :class:`assistant.llm.OpenAICompatibleChatModel`, any OpenAI-compatible server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from assistant.bundled_model import BundledChatModel
from assistant.llm import DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, OpenAICompatibleChatModel
from assistant.model_files import BUNDLED_MODEL, ModelFileError, ensure_model
from assistant.model_worker import ModelWorker, WorkerSettings
from assistant.ports import LLMError

__all__ = ["bundled_model_name", "make_chat_model"]


def bundled_model_name(path: Path | None = None) -> str:
    """The ``name`` of a llama.cpp model: the GGUF file's stem."""
    stem = (path.name if path else BUNDLED_MODEL.filename).removesuffix(".gguf")
    return f"llama.cpp:{stem}"


def make_chat_model(
    backend: Literal["bundled", "openai"],
    *,
    models_dir: Path,
    model_path: Path | None = None,
    worker: WorkerSettings | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: SecretStr | None = None,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    timeout_s: float = 300,
) -> BundledChatModel | OpenAICompatibleChatModel:
    """The configured chat model; cheap (nothing is started or assembled before first use).

    ``bundled``: ``model_path`` when given, else the shipped model, assembled into
    ``models_dir`` on first use, served by a worker process with ``worker`` settings;
    ``timeout_s`` is how long the worker may stay silent during an answer before it counts as
    hung. ``openai``: needs ``base_url`` and ``model``; ``timeout_s`` per request.
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
        try:
            return ensure_model(BUNDLED_MODEL, models_dir)
        except ModelFileError as err:
            raise LLMError(str(err)) from err

    return BundledChatModel(
        ModelWorker(model_file, worker),
        name=bundled_model_name(model_path),
        temperature=temperature,
        max_tokens=max_tokens,
        stall_timeout_s=timeout_s,
    )
