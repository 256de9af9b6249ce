"""Fakes for the summary tests and bench/summarize_speed.py.

:func:`fake_answer` answers a summary prompt the way a careful model would, from the prompt
alone: the Betreff and the first amount of the fenced text, so its summaries are grounded.
:class:`FakeSummaryChat` is a chat model (the port) answering with it or from a script;
:func:`fake_model_server` serves it as an OpenAI-compatible ``/v1/chat/completions``
endpoint (for the Ray engine, whose actors run in other processes).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from assistant.ports import ChatMessage, StructuredOutputError, StructuredT
from tests.assistant.test_drafting import ScriptedChat
from tests.assistant.test_llm import chat_server, completion

_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?\s*(?:Euro|EUR|€)|\d+(?:,\d+)?\s*(?:Euro|EUR|€)")
_FENCED = re.compile(r"<<<QUELLE \[\d+\][^\n]*\n(.*?)\nQUELLE \[\d+\]>>>", re.S)


def fake_answer(
    schema_name: str, messages: Sequence[dict[str, str]] | Sequence[ChatMessage]
) -> str:
    """A grounded JSON answer for ``SummaryOut`` or ``PartNotes`` from the prompt's text."""
    texts = [m.content if isinstance(m, ChatMessage) else str(m["content"]) for m in messages]
    task = next(t for t in texts if "<<<QUELLE" in t)
    body = "\n".join(_FENCED.findall(task))
    if schema_name == "PartNotes":
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.strip()) > 20]
        return json.dumps({"punkte": sentences[:3] or ["Keine Aussage."]}, ensure_ascii=False)
    betreff = re.search(r"^Betreff: (.*)$", task, re.M)
    subject = betreff.group(1).strip() if betreff else "die Vorlage"
    amount = _AMOUNT.search(body)
    sentences = [
        f"Die Vorlage behandelt {subject}.",
        "Die Verwaltung legt den Sachverhalt dar.",
        "Das Gremium soll darüber entscheiden.",
    ]
    amounts = []
    if amount:
        sentences.append(f"Genannt werden {amount.group()}.")
        amounts.append({"betrag": amount.group(), "zweck": "die Maßnahme"})
    concept = "verweist" if "Integrationskonzept" in body else "keiner"
    return json.dumps(
        {
            "kurzfassung": " ".join(sentences),
            "beschluss": f"Das Gremium beschließt über {subject}.",
            "entscheidendes_gremium": "",
            "betraege": amounts,
            "schlagworte": [w for w in re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{6,}\b", subject)][:3],
            "betroffene_gruppen": [],
            "orte": [],
            "integrationskonzept": {"bezug": concept, "referenz": ""},
        },
        ensure_ascii=False,
    )


@dataclass
class FakeSummaryChat(ScriptedChat):
    """A chat model for summaries: scripted answers first (JSON text or an exception to
    raise), then :func:`fake_answer`. ``calls`` records each call's messages, ``schema_names``
    the schema asked for; ``delay_s`` stands in for the model's time."""

    answers: list[Any] = field(default_factory=list)
    schema_names: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return "fake:summary"

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT:
        with self.lock:
            self.calls.append(list(messages))
            self.schema_names.append(schema.__name__)
            step = self.answers.pop(0) if self.answers else None
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(step, Exception):
            raise step
        raw = step if step is not None else fake_answer(schema.__name__, messages)
        try:
            return schema.model_validate_json(raw)
        except ValueError as err:
            raise StructuredOutputError("Die Antwort passt nicht zum Format.", raw) from err


def _schema_name(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    if "json_schema" in fmt:
        return str(fmt["json_schema"].get("name", ""))
    return str((fmt.get("schema") or {}).get("title", ""))


@contextmanager
def fake_model_server(delay_s: float = 0.0) -> Iterator[str]:
    """An OpenAI-compatible server answering with :func:`fake_answer` after ``delay_s``
    seconds (a stand-in for the model's time); yields its base URL (``…/v1``)."""

    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if delay_s:
            time.sleep(delay_s)
        return 200, completion(fake_answer(_schema_name(body), body["messages"]))

    with chat_server(reply) as url:
        yield url
