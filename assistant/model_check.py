"""The self-check of the configured chat model (``vorlagen models --testlauf``).

Generates a few tokens through the same path a draft uses (for the bundled model: its worker
process) and measures what an admin needs to judge a machine: how long the model takes to be
ready, to the first token, and tokens per second. For the bundled model it also reports the
CPU features the llama.cpp build uses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from assistant.bundled_model import BundledChatModel
from assistant.ports import ChatMessage, ChatModelFactory, LLMError

__all__ = ["SelfTest", "run_self_test"]

PROMPT = [
    ChatMessage("system", "Du schreibst kurze, sachliche Sätze auf Deutsch."),
    ChatMessage("user", "Schreibe zwei Sätze darüber, dass der Gemeinderat heute tagt."),
]


@dataclass(frozen=True)
class SelfTest:
    """What one self-check measured. ``cpu_features`` is None for a model server."""

    model: str
    load_s: float
    first_token_s: float
    tokens: int
    tokens_per_s: float
    text: str
    cpu_features: list[str] | None
    worker_pid: int | None


def run_self_test(chat: ChatModelFactory, max_tokens: int = 48) -> SelfTest:
    """Start the model if need be and generate up to ``max_tokens`` tokens.

    Raises:
        LLMError: the model cannot run (German), including a worker that crashed.
    """
    started = time.perf_counter()
    chat.warm_up()
    features: list[str] | None = None
    pid: int | None = None
    if isinstance(chat, BundledChatModel):
        info = chat.worker_info()
        features, pid = info.cpu_features(), info.pid
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    first_at: float | None = None
    pieces: list[str] = []
    for piece in chat.stream(PROMPT, max_tokens=max_tokens):
        if first_at is None:
            first_at = time.perf_counter()
        pieces.append(piece)
    ended = time.perf_counter()
    if first_at is None or not "".join(pieces).strip():
        raise LLMError("Das Sprachmodell hat beim Testlauf keinen Text erzeugt.")
    rate = (len(pieces) - 1) / (ended - first_at) if len(pieces) > 1 else 0.0
    return SelfTest(
        model=chat.name,
        load_s=load_s,
        first_token_s=first_at - started,
        tokens=len(pieces),
        tokens_per_s=rate,
        text="".join(pieces).strip(),
        cpu_features=features,
        worker_pid=pid,
    )
