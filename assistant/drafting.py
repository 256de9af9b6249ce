"""The drafting service (DESIGN.md section 4): request -> retrieve -> prompt -> generate ->
validate -> repair -> Draft.

:class:`DraftingService` sees only ports: a :class:`CaseRetriever` (``HybridRetriever`` is one)
and a :class:`~assistant.ports.ChatModelFactory`. It keeps no state per request, so one instance
serves concurrent requests; the chat model serialises access to its single loaded model
itself (the bundled one in its worker process, ``assistant/bundled_model.py``), no model is
loaded per request. A worker that dies or hangs during a draft ends that draft with
:data:`DRAFT_CRASHED` (the request can be sent again as it was; the worker is restarted).

One draft, step by step:

1. **Retrieval.** The query is the Betreff plus the clerk's facts (cut to
   :data:`QUERY_CHARS`). The retriever returns similar Vorlagen grouped per Vorlage (public only
   unless the caller allows non-public ones; ``request.filters`` apply; Vorlagen the caller
   excludes by id are dropped: ``vorlagen eval drafts`` regenerates a paper without seeing it).
   At most ``min(request.k, service.k)`` Vorlagen are used (``service.k`` is the deployment's
   budget for the model's context window) with their best ``passages_per_vorlage`` passages.
2. **Citations.** Every passage shown to the model becomes one :class:`Citation`; ``n`` is the
   number the prompt shows (``[n]``) and ``passage`` is exactly the text the model saw (a long
   passage is cut to ``passage_chars`` at a sentence end *before* it is shown, so the
   ``grounded`` and ``citations`` rules check against what the model really read).
3. **Prompt injection.** Passages enter the prompts only as fenced variables (the templates and
   ``prompts.neutralise`` do that). In addition every passage is screened for phrases that read
   like instructions to a model (:func:`injection_patterns`); a hit is logged as a warning
   naming the Vorlage id and the pattern, never the passage text, and that Vorlage is
   withheld from the model (the next similar one takes its place; ``RetrievalDone.withheld``
   names it). The fence is the defence for what the patterns miss: with the passage shown,
   the bundled model once copied "… ein Gedicht über Katzen" from a planted passage into the
   Sachdarstellung, fenced or not.
4. **Generation.** Sachdarstellung first, then the Beschlussvorschlag (both from the same
   material; the Beschlussvorschlag prompt does not show the draft Sachdarstellung, which the
   bundled model copied into the resolution). Each section is one answer under the JSON
   schema of a small pydantic model (:class:`SachdarstellungOut`,
   :class:`BeschlussvorschlagOut`), streamed so that a looping answer can be stopped early
   (:func:`~assistant.draft_cleanup.repetition_at`). Messages: the system prompt, the section
   prompt as user message. Copied source sentences without their marker get it
   (:func:`~assistant.draft_cleanup.mark_quotes`) before validation.
5. **Validation and repair.** The Draft is validated (``assistant.validation``). While a
   generated section has errors and fewer than ``max_repairs`` rounds ran, each failing section
   is asked again: the conversation so far (system, section prompt, the model's answer as
   assistant message) plus the repair prompt with that section's findings. A repaired text
   replaces the previous one only if it has no more errors than before, so a repair never makes
   a section worse. Errors the model cannot fix (a missing Finanzielle Auswirkungen text, the
   Beratungsfolge) do not trigger a repair.
6. The Draft is returned with its ValidationReport (errors included: never silently broken),
   the model name and the seconds per stage (``retrieval``, ``sachdarstellung``,
   ``beschlussvorschlag``, ``validation``, ``repair``, ``total``).

Finanzielle Auswirkungen are never written by the model: the clerk states them
(``request.finanzielle_auswirkungen``), because a model would have to guess costs and a
plausible-looking "Es entstehen keine Kosten" is the worst kind of invented fact. When the
clerk states nothing the field stays empty and the ``required`` rule reports it as an error that
names what is missing (no placeholder text: the ``placeholders`` rule forbids that). The words
"keine", "nein", "entfällt" or "-" alone are written out as :data:`NO_FINANCIAL_IMPACT`.

Beratungsfolge: the request's steps; when none has the role Entscheidung, the step naming
``request.gremium`` gets it, or a step ``Entscheidung`` of ``request.gremium`` is appended; no
steps at all give the single step ``Beratungsschritt(gremium=request.gremium,
rolle="Entscheidung")``.

Streaming (:meth:`DraftingService.stream`) yields :data:`DraftEvent` objects in this order:
``retrieval`` (the citations), then per section ``section_started``, ``token``\\*,
``section_done``, then ``validation``; after each repair round again ``section_started`` /
``token`` / ``section_done`` for the repaired sections (``attempt`` 1, 2) and ``validation``;
last ``draft``. With ``tokens=True`` (the default)
the model's answer is streamed under the section's JSON schema (``ChatModelFactory.astream``
with ``schema``: grammar-constrained on llama.cpp, ``json_schema`` on servers) and the ``token``
events carry the decoded text of the answer's ``text`` field as it grows (the JSON syntax is
not shown); the answer is validated with the section model at the end. An answer cut off by
``max_tokens`` is salvaged (:func:`~assistant.draft_text.salvage_text`); one without any
``text`` field (a server in JSON mode can still send one) is asked for once more with a
structured call. With ``tokens=False`` every section is one structured call and no ``token``
events come (the CLI uses this for its progress display).

Speed: both section prompts and the repair conversations open with the same system prompt and
the same material (the case and the sources, ``prompts/_material.j2``); llama.cpp keeps the
evaluated tokens of the previous call and reuses the longest common prefix, so only the first
section pays for reading the sources.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.draft_cleanup import clean_section, cut_repetition, mark_quotes, repetition_at
from assistant.draft_text import TextStream, json_part, salvage_text
from assistant.ports import (
    ChatMessage,
    ChatModelFactory,
    ModelCrashedError,
    StructuredOutputError,
)
from assistant.retrieval import VorlageHits
from assistant.schema import (
    Beratungsschritt,
    Citation,
    Draft,
    DraftRequest,
    Finding,
    SearchFilter,
    ValidationReport,
)
from assistant.validation import validate
from prompts import render

__all__ = [
    "NO_FINANCIAL_IMPACT",
    "SECTIONS",
    "BeschlussvorschlagOut",
    "CaseRetriever",
    "DraftDone",
    "DraftEvent",
    "DraftingService",
    "RetrievalDone",
    "SachdarstellungOut",
    "SectionDone",
    "SectionStarted",
    "TokenEvent",
    "ValidationDone",
    "beratungsfolge_for",
    "finanzen_for",
    "injection_patterns",
    "salvage_text",
]

log = logging.getLogger(__name__)

DRAFT_CRASHED = "Das Sprachmodell ist während des Entwurfs abgebrochen; bitte erneut versuchen."
"""What a clerk reads when the model process died or hung during a draft (it is restarted)."""

Section = Literal["sachdarstellung", "beschlussvorschlag"]
SECTIONS: tuple[Section, ...] = ("sachdarstellung", "beschlussvorschlag")

QUERY_CHARS = 1000
WITHHELD_SPARE = 2  # further Vorlagen asked of the retriever, in case some are withheld
MAX_REPAIR_FINDINGS = 8  # per section and round: more would crowd the context window
NO_FINANCIAL_IMPACT = "Es entstehen keine finanziellen Auswirkungen."
_NO_WORDS = {"keine", "nein", "entfällt", "-", "–", "keine.", "entfällt."}


# --- ports and section models -----------------------------------------------------------------


class CaseRetriever(Protocol):
    """What the service needs from retrieval: similar Vorlagen, grouped, best first.

    :class:`assistant.retrieval.HybridRetriever` implements it. Contract as
    ``HybridRetriever.search``: at most ``k`` groups, public Vorlagen only unless
    ``allow_nonpublic``; raises ``RetrievalError`` (German) for a refused request.
    """

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
    ) -> list[VorlageHits]: ...


class _SectionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SachdarstellungOut(_SectionOut):
    """The model's answer for the Sachdarstellung."""

    text: str = Field(
        description="Die Sachdarstellung als Fließtext in Absätzen, mit Quellenverweisen [n]."
    )


class BeschlussvorschlagOut(_SectionOut):
    """The model's answer for the Beschlussvorschlag."""

    text: str = Field(description="Der Beschlussvorschlag: ein operativer Beschluss.")


SECTION_MODELS: dict[Section, type[_SectionOut]] = {
    "sachdarstellung": SachdarstellungOut,
    "beschlussvorschlag": BeschlussvorschlagOut,
}
SECTION_TITLES: dict[Section, str] = {
    "sachdarstellung": "Sachdarstellung",
    "beschlussvorschlag": "Beschlussvorschlag",
}


# --- events -----------------------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalDone(_Event):
    """Similar cases were found; ``withheld`` lists the ids of Vorlagen that were found but not
    shown to the model because their passage reads like injected instructions (logged)."""

    type: Literal["retrieval"] = "retrieval"
    citations: list[Citation]
    withheld: list[str] = Field(default_factory=list)


class SectionStarted(_Event):
    """The model starts writing ``section``; ``attempt`` 0 is the first draft, 1 and 2 repairs
    (a client replaces the section's text with what follows)."""

    type: Literal["section_started"] = "section_started"
    section: Section
    attempt: int = 0


class TokenEvent(_Event):
    """A piece of the section's text as the model writes it."""

    type: Literal["token"] = "token"
    section: Section
    text: str


class SectionDone(_Event):
    """The section's final text for this attempt (after parsing the model's JSON)."""

    type: Literal["section_done"] = "section_done"
    section: Section
    text: str
    attempt: int = 0


class ValidationDone(_Event):
    """The draft was validated; ``round`` 0 is the first check, then one per repair round."""

    type: Literal["validation"] = "validation"
    report: ValidationReport
    round: int = 0


class DraftDone(_Event):
    """The finished Draft, validation included."""

    type: Literal["draft"] = "draft"
    draft: Draft


DraftEvent = Annotated[
    RetrievalDone | SectionStarted | TokenEvent | SectionDone | ValidationDone | DraftDone,
    Field(discriminator="type"),
]


# --- pure helpers -----------------------------------------------------------------------------


def finanzen_for(request: DraftRequest) -> str:
    """The Finanzielle Auswirkungen text: the clerk's own words; "keine" and the like are
    written out as :data:`NO_FINANCIAL_IMPACT`; nothing stated gives ""."""
    text = (request.finanzielle_auswirkungen or "").strip()
    if text.lower() in _NO_WORDS:
        return NO_FINANCIAL_IMPACT
    return text


def beratungsfolge_for(request: DraftRequest) -> list[Beratungsschritt]:
    """The Beratungsfolge of the draft: the request's, with exactly one deciding step."""
    steps = [step.model_copy() for step in request.beratungsfolge]
    if any(step.rolle == "Entscheidung" for step in steps):
        return steps
    wanted = " ".join(request.gremium.split()).casefold()
    for i in range(len(steps) - 1, -1, -1):
        if " ".join(steps[i].gremium.split()).casefold() == wanted and steps[i].rolle is None:
            steps[i] = steps[i].model_copy(update={"rolle": "Entscheidung"})
            return steps
    return [*steps, Beratungsschritt(gremium=request.gremium, rolle="Entscheidung")]


_INJECTION: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "ignoriere-anweisungen",
            r"\b(?:ignorier\w*|missacht\w*|vergiss|vergessen\s+sie|übergeh\w*)\b[^.\n]{0,40}?"
            r"\b(?:anweisung\w*|instruktion\w*|regeln|vorgaben|befehl\w*|aufgabe\w*|prompts?)\b",
        ),
        (
            "ignore-instructions",
            r"\b(?:ignore|disregard|forget)\b[^.\n]{0,40}?\b(?:instructions?|rules|prompts?)\b",
        ),
        ("rollenwechsel", r"\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort|ab\s+jetzt)\b"),
        ("role-change", r"\byou\s+are\s+now\b|\bact\s+as\b"),
        ("systemprompt", r"\bsystem[\s_-]?(?:prompt|nachricht|anweisung)\w*"),
        ("neue-anweisung", r"\bneue\s+anweisung\w*\b|\bnew\s+instructions?\b"),
        (
            "stattdessen",
            r"\b(?:schreib\w*|antworte\w*|gib)\b[^.\n]{0,30}?\bstattdessen\b"
            r"|\bstattdessen\s+(?:schreib\w*|ein\w*\s+gedicht)\b",
        ),
        ("chat-markup", r"<\|im_start\|>|<\|im_end\|>|<\|system\|>|\[/?INST\]"),
    )
)


def injection_patterns(text: str) -> list[str]:
    """Names of the instruction-like patterns found in ``text`` (empty: nothing suspicious)."""
    flat = " ".join(text.split())
    return [name for name, pattern in _INJECTION if pattern.search(flat)]


def cut_passage(text: str, limit: int) -> str:
    """``text`` (whitespace tidied per line) cut to at most ``limit`` characters at a sentence
    end when one lies in the last third, else at a word boundary, marked with "…"."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(tidy) <= limit:
        return tidy
    head = tidy[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", head)]
    if ends and ends[-1] >= limit * 2 // 3:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + " …"


def _section_errors(report: ValidationReport) -> dict[Section, list[Finding]]:
    """The errors of ``report`` the model can repair, per generated section."""
    out: dict[Section, list[Finding]] = {}
    for finding in report.errors:
        for section in SECTIONS:
            if finding.field == section:
                out.setdefault(section, []).append(finding)
    return out


def repair_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings shown in one repair prompt: one per (rule, token), at most
    :data:`MAX_REPAIR_FINDINGS` (the rest come back in the next round if still there)."""
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        key = (finding.rule, finding.token or finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out[:MAX_REPAIR_FINDINGS]


# --- the service ------------------------------------------------------------------------------


@dataclass
class _Job:
    """One request in progress (never shared between requests)."""

    request: DraftRequest
    citations: list[Citation]
    beratungsfolge: list[Beratungsschritt]
    finanzen: str
    system: str
    started: float
    texts: dict[Section, str] = field(default_factory=dict)
    raw: dict[Section, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def start(cls, request: DraftRequest, citations: list[Citation], started: float) -> _Job:
        return cls(
            request=request,
            citations=citations,
            beratungsfolge=beratungsfolge_for(request),
            finanzen=finanzen_for(request),
            system=render("system"),
            started=started,
        )

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 3)

    def draft(self, model: str, validation: ValidationReport | None = None) -> Draft:
        return Draft(
            request=self.request,
            beschlussvorschlag=self.texts.get("beschlussvorschlag", ""),
            sachdarstellung=self.texts.get("sachdarstellung", ""),
            finanzielle_auswirkungen=self.finanzen,
            beratungsfolge=self.beratungsfolge,
            citations=self.citations,
            validation=validation,
            model=model,
            timings=dict(self.timings),
        )


class DraftingService:
    """Drafts Sachdarstellung and Beschlussvorschlag for a :class:`DraftRequest`.

    Args:
        retriever: similar past cases (:class:`CaseRetriever`).
        chat: the chat model (:class:`~assistant.ports.ChatModelFactory`).
        max_repairs: repair rounds after a failed validation (0 to 2 is sensible).
        k: at most this many similar Vorlagen per draft (``request.k`` may ask for fewer);
            the budget of the model's context window.
        passages_per_vorlage: passages of one Vorlage shown to the model.
        passage_chars: a passage is cut to this many characters before it is shown.
        max_tokens: answer limits per section (``None``: the chat model's default).

    Cheap to construct; thread- and task-safe (no per-request state on the instance).
    """

    def __init__(
        self,
        retriever: CaseRetriever,
        chat: ChatModelFactory,
        *,
        max_repairs: int = 2,
        k: int = 3,
        passages_per_vorlage: int = 1,
        passage_chars: int = 300,
        max_tokens: dict[Section, int] | None = None,
    ) -> None:
        if max_repairs < 0 or k < 1 or passages_per_vorlage < 1 or passage_chars < 100:
            raise ValueError("max_repairs >= 0, k >= 1, passages >= 1, passage_chars >= 100")
        self.retriever = retriever
        self.chat = chat
        self.max_repairs = max_repairs
        self.k = k
        self.passages_per_vorlage = passages_per_vorlage
        self.passage_chars = passage_chars
        self.max_tokens: dict[Section, int] = {
            "sachdarstellung": 500,
            "beschlussvorschlag": 200,
            **(max_tokens or {}),
        }

    # --- public API ---------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load what a draft needs before the first clerk waits for it: the chat model, the
        retriever's indexes and embedder (one search), and the system prompt (one token is
        generated after it, so a local model keeps the prompt's evaluated tokens and every
        draft starts after them). Blocking; for servers at start-up."""
        self.chat.warm_up()
        self.retriever.search("Beschlussvorlage", 1)
        self.chat.generate(
            [ChatMessage("system", render("system")), ChatMessage("user", "Bereit?")],
            max_tokens=1,
        )

    def draft(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
    ) -> Draft:
        """The validated Draft for ``request`` (blocking; not inside a running event loop).

        Raises:
            RetrievalError: the retriever refused the request (German message).
            LLMError: the chat model failed (German message).
            BackendError: an index or the embedder failed.
        """
        return asyncio.run(
            self.adraft(request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic)
        )

    async def adraft(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
    ) -> Draft:
        """As :meth:`draft`, for callers inside an event loop (constrained structured calls)."""
        final: Draft | None = None
        async for event in self.stream(
            request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic, tokens=False
        ):
            if isinstance(event, DraftDone):
                final = event.draft
        assert final is not None  # stream() always ends with DraftDone
        return final

    async def stream(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
        tokens: bool = True,
    ) -> AsyncIterator[DraftEvent]:
        """The drafting steps as events (see the module docstring for their order)."""
        started = time.perf_counter()
        t0 = time.perf_counter()
        citations, withheld = await asyncio.to_thread(
            self._retrieve, request, exclude_ids, allow_nonpublic
        )
        job = _Job.start(request, citations, started)
        job.add_time("retrieval", time.perf_counter() - t0)
        yield RetrievalDone(citations=citations, withheld=withheld)

        for section in SECTIONS:
            t0 = time.perf_counter()
            messages = self._messages(job, section)
            yield SectionStarted(section=section)
            async for event in self._generate(job, section, messages, tokens):
                yield event
            job.add_time(section, time.perf_counter() - t0)
            yield SectionDone(section=section, text=job.texts[section])

        report = self._validate(job)
        yield ValidationDone(report=report)

        for round_no in range(1, self.max_repairs + 1):
            failing = _section_errors(report)
            if not failing:
                break
            t0 = time.perf_counter()
            for section, findings in failing.items():
                before = (job.texts[section], job.raw[section])
                messages = [
                    *self._messages(job, section),
                    ChatMessage("assistant", job.raw[section]),
                    ChatMessage(
                        "user",
                        render("repair", section=section, findings=repair_findings(findings)),
                    ),
                ]
                yield SectionStarted(section=section, attempt=round_no)
                async for event in self._generate(job, section, messages, tokens):
                    yield event
                after = _section_errors(validate(job.draft(self.chat.name))).get(section, [])
                if len(after) > len(findings):
                    log.info(
                        "Überarbeitung von %s verworfen (%d statt %d Fehler)",
                        SECTION_TITLES[section],
                        len(after),
                        len(findings),
                    )
                    job.texts[section], job.raw[section] = before
                yield SectionDone(section=section, text=job.texts[section], attempt=round_no)
            job.add_time("repair", time.perf_counter() - t0)
            report = self._validate(job)
            yield ValidationDone(report=report, round=round_no)

        job.add_time("total", time.perf_counter() - started)
        yield DraftDone(draft=job.draft(self.chat.name, report))

    # --- steps --------------------------------------------------------------------------------

    def retrieve(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
    ) -> list[Citation]:
        """The numbered passages shown to the model for ``request`` (steps 1 to 3)."""
        return self._retrieve(request, exclude_ids, allow_nonpublic)[0]

    def _retrieve(
        self, request: DraftRequest, exclude_ids: Collection[str], allow_nonpublic: bool
    ) -> tuple[list[Citation], list[str]]:
        """(citations, ids of the Vorlagen withheld because their passage reads like an
        instruction to a model)."""
        query = request.betreff.strip()
        if request.fakten.strip():
            query = f"{query}\n{request.fakten.strip()}"
        query = query[:QUERY_CHARS]
        wanted = min(request.k, self.k)
        excluded = set(exclude_ids)
        groups = self.retriever.search(
            query,
            wanted + len(excluded) + WITHHELD_SPARE,
            request.filters,
            allow_nonpublic=allow_nonpublic,
        )
        citations: list[Citation] = []
        withheld: list[str] = []
        used = 0
        for group in [g for g in groups if g.vorlage_id not in excluded]:
            if used == wanted:
                break
            passages = [
                (hit, cut_passage(hit.chunk.text, self.passage_chars))
                for hit in group.hits[: self.passages_per_vorlage]
            ]
            if any(self.screen(group.vorlage_id, group.betreff, text) for _, text in passages):
                withheld.append(group.vorlage_id)
                continue
            used += 1
            for hit, passage in passages:
                if passage:
                    citations.append(
                        Citation(
                            n=len(citations) + 1,
                            vorlage_id=group.vorlage_id,
                            kommune=group.kommune,
                            vorlagen_nr=group.vorlagen_nr,
                            betreff=group.betreff,
                            section=hit.chunk.section,
                            passage=passage,
                            score=round(hit.score, 6),
                        )
                    )
        return citations, withheld

    def messages_for(
        self,
        request: DraftRequest,
        section: Section = "sachdarstellung",
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
    ) -> list[ChatMessage]:
        """The messages of the first attempt at ``section`` (retrieval included; for a
        Beschlussvorschlag without a draft Sachdarstellung): for benchmarks and tools."""
        citations = self.retrieve(request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic)
        return self._messages(_Job.start(request, citations, time.perf_counter()), section)

    @staticmethod
    def screen(vorlage_id: str, betreff: str | None, passage: str) -> list[str]:
        """The instruction-like patterns in what the model would see of a Vorlage (its Betreff
        and passage); a hit is logged with the Vorlage id and the pattern names, never the
        text, and the caller withholds the Vorlage."""
        patterns = injection_patterns(f"{betreff or ''}\n{passage}")
        if patterns:
            log.warning(
                "Mögliche Prompt-Injection in Vorlage %s: Muster %s; die Vorlage wird dem "
                "Sprachmodell nicht gezeigt.",
                vorlage_id,
                ", ".join(patterns),
            )
        return patterns

    def _messages(self, job: _Job, section: Section) -> list[ChatMessage]:
        request = job.request
        variables: dict[str, object] = {
            "betreff": request.betreff,
            "kommune": request.kommune,
            "gremium": request.gremium,
            "beratungsfolge": job.beratungsfolge,
            "art": request.art,
            "fakten": request.fakten,
            "finanzielle_auswirkungen": job.finanzen or None,
            "quellen": job.citations,
        }
        return [
            ChatMessage("system", job.system),
            ChatMessage("user", render(section, **variables)),
        ]

    async def _generate(
        self, job: _Job, section: Section, messages: list[ChatMessage], tokens: bool
    ) -> AsyncIterator[TokenEvent]:
        """Generate ``section`` into ``job.texts``/``job.raw``; ``token`` events if asked.

        The answer is always streamed under the section's schema, so a looping answer can be
        stopped as soon as it repeats itself (:func:`~assistant.draft_cleanup.repetition_at`)
        instead of running to ``max_tokens``: the text is cut before the repetition."""
        schema = SECTION_MODELS[section]
        decoder = TextStream()
        looped = False
        stream = self.chat.astream(messages, max_tokens=self.max_tokens[section], schema=schema)
        try:
            async for piece in stream:
                new = decoder.feed(piece)
                if new and repetition_at(decoder.text) is not None:
                    looped = True
                    break
                if new and tokens:
                    yield TokenEvent(section=section, text=new)
        except ModelCrashedError as err:
            raise ModelCrashedError(DRAFT_CRASHED) from err
        finally:
            close = getattr(stream, "aclose", None)  # async generators: stop the model now
            if close is not None:
                await close()
        raw = decoder.raw
        text: str | None
        if looped:
            text = cut_repetition(decoder.text)
            raw = json.dumps({"text": text}, ensure_ascii=False)
            log.info("%s: Wiederholung erkannt, Antwort gekürzt", SECTION_TITLES[section])
        else:
            try:
                text = schema.model_validate_json(json_part(raw)).model_dump()["text"]
            except ValueError:
                text = salvage_text(raw)
        if text is None:
            log.info("%s: Antwort ohne JSON, frage strukturiert nach", SECTION_TITLES[section])
            text, raw = await self._structured(messages, section)
        job.texts[section] = clean_section(text, section)
        job.raw[section] = raw or json.dumps({"text": text}, ensure_ascii=False)
        log.debug("%s: %d Zeichen Antwort, %d Zeichen Text", section, len(raw), len(text))

    async def _structured(self, messages: list[ChatMessage], section: Section) -> tuple[str, str]:
        """One structured call for ``section``: (text, raw answer); a cut-off answer salvaged."""
        schema = SECTION_MODELS[section]
        try:
            answer = await self.chat.agenerate_structured(
                messages, schema, max_tokens=self.max_tokens[section]
            )
        except ModelCrashedError as err:
            raise ModelCrashedError(DRAFT_CRASHED) from err
        except StructuredOutputError as err:
            log.warning("%s: Antwort unvollständig, gerettet", SECTION_TITLES[section])
            return salvage_text(err.raw) or "", err.raw
        return str(answer.model_dump()["text"]), answer.model_dump_json()

    def _validate(self, job: _Job) -> ValidationReport:
        t0 = time.perf_counter()
        job.texts["sachdarstellung"] = mark_quotes(job.draft(self.chat.name))
        report = validate(job.draft(self.chat.name))
        job.add_time("validation", time.perf_counter() - t0)
        return report
