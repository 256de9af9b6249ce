"""One structured, checked summary per Vorlage (issue 13; docs/summaries.md).

:class:`Summarizer` reads a parsed :class:`~assistant.schema.Vorlage` with the chat model:

* a Vorlage of at most ``part_chars`` characters is read whole, in one call
  (``prompts/zusammenfassung.j2``);
* a longer one is cut into parts (:func:`assistant.summary_parts.plan_parts`); the model notes
  the key statements of each part (``zusammenfassung_teil.j2``, the map step), then writes the
  summary from the notes (the reduce step); parts beyond ``max_parts`` and parts whose notes
  failed are recorded as not read, with the reason;
* the answer is checked against the whole document (:func:`assistant.summary_checks.
  summary_findings`); with errors it is asked for once more with the findings
  (``zusammenfassung_reparatur.j2``) and the better answer is kept, with its findings; list
  items that still fail (an invented amount) are then removed, each with a warning.

The record fields (Vorlagen-Nr., Betreff, dates, bodies) are never taken from the model: see
:mod:`assistant.summary_job`, which turns the result into a :class:`SummaryRecord`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

from assistant.ports import (
    ChatMessage,
    ChatModelFactory,
    LLMError,
    ModelCrashedError,
    StructuredOutputError,
    StructuredT,
)
from assistant.presenter_summaries import notes_missing
from assistant.schema import Finding, Vorlage
from assistant.summary_checks import document_sources, drop_failed_items, summary_findings
from assistant.summary_parts import Part, plan_parts
from assistant.summary_schema import PartNotes, PartRead, SummaryOut
from assistant.validation.facts import Sources
from prompts import render

__all__ = [
    "PROMPT_TEMPLATES",
    "Summarizer",
    "SummaryLimits",
    "SummaryResult",
    "prompt_version",
    "settle",
    "tidy_answer",
]

log = logging.getLogger(__name__)

PROMPT_TEMPLATES = (
    "zusammenfassung_system",
    "zusammenfassung",
    "zusammenfassung_teil",
    "zusammenfassung_reparatur",
)
CHECKS_VERSION = "2"  # raise when the checks change what a valid summary is


@dataclass(frozen=True)
class SummaryLimits:
    """How a Vorlage is read within the model's context.

    ``part_chars``: the most characters of document text in one prompt (the whole Vorlage when
    it fits, else one part); ``max_parts``: parts read at most (the rest is recorded as not
    read); ``max_tokens`` / ``notes_tokens``: answer limits of the summary and of one part's
    notes; ``notes_chars``: the notes of all parts together in the reduce prompt.
    """

    part_chars: int = 12_000
    max_parts: int = 8
    max_tokens: int = 900
    notes_tokens: int = 450
    notes_chars: int = 9_000

    @classmethod
    def for_context(cls, n_ctx: int, *, chars_per_token: float = 2.6) -> SummaryLimits:
        """Limits that fit a context window of ``n_ctx`` tokens (prompt, text and answer)."""
        budget = max(400, n_ctx - cls.max_tokens - 700)
        part = int(min(48_000, max(1_000, budget * chars_per_token)))
        return cls(part_chars=part, notes_chars=int(part * 0.75))


def prompt_version() -> str:
    """Changes whenever a template, the answer schemas or the checks change: a document is
    summarised again only then (or when its content changes)."""
    digest = hashlib.sha256(CHECKS_VERSION.encode())
    package = files("prompts")
    for name in PROMPT_TEMPLATES:
        digest.update(package.joinpath(f"{name}.j2").read_bytes())
    for schema in (SummaryOut, PartNotes):
        digest.update(json.dumps(schema.model_json_schema(), sort_keys=True).encode())
    return f"zf-{digest.hexdigest()[:10]}"


@dataclass
class SummaryResult:
    """What :meth:`Summarizer.summarize` found: the kept answer, its findings, the parts and
    whether each was read, whether a repair round ran, and the model calls it took."""

    out: SummaryOut
    findings: list[Finding]
    parts: list[PartRead]
    repaired: bool = False
    calls: int = 0
    map_reduce: bool = False

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


class Summarizer:
    """Summarises Vorlagen with ``chat`` (see the module docstring); safe to share between
    threads (it keeps no state between calls)."""

    def __init__(
        self,
        chat: ChatModelFactory,
        limits: SummaryLimits | None = None,
        *,
        max_repairs: int = 1,
    ) -> None:
        self.chat = chat
        self.limits = limits or SummaryLimits()
        self.max_repairs = max_repairs

    @property
    def model(self) -> str:
        return self.chat.name

    def summarize(self, vorlage: Vorlage) -> SummaryResult:
        """The checked summary of ``vorlage``.

        Raises:
            LLMError: the model failed (German message), also after one retry of a crash or
                an answer that did not fit the schema.
        """
        counter = _Calls()
        limits = self.limits
        parts, reads = plan_parts(vorlage, limits.part_chars, limits.max_parts)
        if len(parts) <= 1:
            texts = [{"label": p.label, "text": p.text} for p in parts]
            notizen = False
        else:
            texts = self._notes(vorlage, parts, reads, counter)
            notizen = True
        if not texts:
            raise LLMError("Kein Teil der Vorlage konnte gelesen werden.")
        messages = [
            ChatMessage("system", render("zusammenfassung_system")),
            ChatMessage("user", self._task(vorlage, texts, notizen)),
        ]
        out = tidy_answer(self._ask(messages, SummaryOut, limits.max_tokens, counter))
        sources = document_sources(vorlage)
        findings = summary_findings(out, vorlage, sources)
        result = SummaryResult(out, findings, reads, calls=0, map_reduce=notizen)
        for _ in range(self.max_repairs):
            if result.ok:
                break
            self._repair(vorlage, messages, result, sources, counter)
        if not result.ok:
            result.out, result.findings = settle(result.out, result.findings, vorlage, sources)
        result.calls = counter.n
        return result

    def _task(self, vorlage: Vorlage, texts: list[dict[str, str]], notizen: bool) -> str:
        return render(
            "zusammenfassung",
            betreff=vorlage.betreff,
            art=vorlage.art,
            vorlagen_nr=vorlage.vorlagen_nr,
            beratungsfolge=vorlage.beratungsfolge,
            teile=texts,
            notizen=notizen,
        )

    def _notes(
        self, vorlage: Vorlage, parts: list[Part], reads: list[PartRead], counter: _Calls
    ) -> list[dict[str, str]]:
        """The map step: notes per part, each part's share of ``notes_chars`` at most."""
        share = max(200, self.limits.notes_chars // len(parts))
        texts: list[dict[str, str]] = []
        for i, part in enumerate(parts):
            task = render(
                "zusammenfassung_teil",
                betreff=vorlage.betreff,
                nummer=i + 1,
                anzahl=len(parts),
                label=part.label,
                text=part.text,
            )
            messages = [
                ChatMessage("system", render("zusammenfassung_system")),
                ChatMessage("user", task),
            ]
            try:
                notes = self._ask(messages, PartNotes, self.limits.notes_tokens, counter)
            except LLMError as err:
                reads[i] = reads[i].model_copy(
                    update={"read": False, "reason": notes_missing(str(err))}
                )
                continue
            text, cut = _within(notes.punkte, share)
            if cut:
                reads[i] = reads[i].model_copy(
                    update={"reason": "Nur die ersten Notizen dieses Teils flossen ein."}
                )
            texts.append({"label": part.label, "text": text})
        return texts

    def _repair(
        self,
        vorlage: Vorlage,
        messages: list[ChatMessage],
        result: SummaryResult,
        sources: Sources,
        counter: _Calls,
    ) -> None:
        errors = [f for f in result.findings if f.severity == "error"]
        conversation = [
            *messages,
            ChatMessage("assistant", result.out.model_dump_json()),
            ChatMessage("user", render("zusammenfassung_reparatur", findings=errors)),
        ]
        try:
            answer = self._ask(conversation, SummaryOut, self.limits.max_tokens, counter)
            again = tidy_answer(answer)
        except LLMError as err:
            log.info("repair of a summary failed: %s", type(err).__name__)
            return
        findings = summary_findings(again, vorlage, sources)
        result.repaired = True
        if _errors(findings) < len(errors):
            result.out, result.findings = again, findings

    def _ask(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        max_tokens: int,
        counter: _Calls,
    ) -> StructuredT:
        """One structured answer; a crashed model or an answer outside the schema is asked
        for once more."""
        for attempt in (1, 2):
            counter.n += 1
            try:
                return self.chat.generate_structured(messages, schema, max_tokens=max_tokens)
            except (ModelCrashedError, StructuredOutputError) as err:
                if attempt == 2:
                    raise
                log.info("summary answer failed (%s); asking once more", type(err).__name__)
        raise AssertionError("unreachable")


# The task's own words echoed before the Kurzfassung („Die Kurzfassung in 3 bis 5 Sätzen für
# Laien: …“), as small models do.
_ECHOED_LABEL = re.compile(r"^\s*(?:die\s+)?kurzfassung\b[^:.\n]{0,80}:\s*", re.IGNORECASE)


def tidy_answer(out: SummaryOut) -> SummaryOut:
    """``out`` without an echoed label before the Kurzfassung (nothing else is changed)."""
    kurz = _ECHOED_LABEL.sub("", out.kurzfassung, count=1)
    return out if kurz == out.kurzfassung else out.model_copy(update={"kurzfassung": kurz})


def settle(
    out: SummaryOut, findings: list[Finding], vorlage: Vorlage, sources: Sources | None = None
) -> tuple[SummaryOut, list[Finding]]:
    """The summary kept when the repair round left errors: without the items and the concept
    relation that failed (:func:`~assistant.summary_checks.drop_failed_items`), checked again."""
    kept, dropped = drop_failed_items(out, findings)
    if not dropped:
        return out, findings
    return kept, summary_findings(kept, vorlage, sources) + dropped


@dataclass
class _Calls:
    n: int = 0


def _errors(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.severity == "error")


def _within(points: list[str], limit: int) -> tuple[str, bool]:
    """The points as "- " lines, as many whole ones as fit into ``limit`` characters."""
    lines: list[str] = []
    used = 0
    for point in points:
        line = f"- {' '.join(point.split())}"
        if used + len(line) > limit and lines:
            return "\n".join(lines), True
        lines.append(line[:limit])
        used += len(line) + 1
    return "\n".join(lines), False
