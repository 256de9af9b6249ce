"""The drafting service (docs/architecture.md): request -> similar cases -> Sachdarstellung
part by part -> Beschlussvorschlag from a form -> validation -> Draft.

:class:`DraftingService` sees only ports: a :class:`CaseRetriever` (``HybridRetriever`` is one)
and a :class:`~assistant.ports.ChatModelFactory`. It keeps no state per request, so one instance
serves concurrent requests; the chat model serialises access to its single loaded model
itself (the bundled one in its worker process, ``assistant/bundled_model.py``). A worker that
dies or hangs during a draft ends that draft with :data:`DRAFT_CRASHED` (the request can be
sent again as it was; the worker is restarted).

The bundled 1.5B model is the ceiling of free text, so since issue 9 it writes little of it and
code does what code can do reliably:

1. **Similar cases** (:mod:`assistant.draft_sources`): the Betreff and the facts as query, at
   most ``min(request.k, k)`` public Vorlagen (unless the caller may see others), screened for
   injected instructions, as numbered citations. They are *not* shown to the model: shown
   them, it told their stories as this case's.
2. **Sachdarstellung along an outline** (:mod:`assistant.outline`): the clerk's facts are put
   into the parts Anlass und Ausgangslage, Sachstand, Ziele und Maßnahmen, Beteiligung,
   Kosten, Weiteres Vorgehen; parts without facts are left out. The model writes one short
   paragraph per part from that part's facts only (:class:`SachdarstellungOut`, streamed, a
   looping answer stopped early). Each paragraph is checked (:mod:`assistant.draft_checks`:
   the validator's rules on it, and every number and date of its facts present); a failing
   one is asked for again with the findings (up to ``max_repairs`` times, kept only when it
   has fewer findings) and otherwise replaced by the clerk's facts as sentences. Code adds
   the precedents as context with their markers ("Vergleichbare Vorlagen wurden bereits
   andernorts beraten: „…“ [1].") after Anlass/Sachstand, and in the Kosten part a reference
   to the Finanzielle Auswirkungen instead of their text.
3. **Beschlussvorschlag from a form** (:mod:`assistant.resolution`): the form (beschließt,
   genehmigt, stimmt … zu, nimmt … zur Kenntnis) is chosen from the request and the similar
   past resolutions; code writes the deciding body exactly as the request names it, the
   Vorberatung and the verb, the model fills only the object and an optional instruction to
   the administration (:class:`~assistant.resolution.ResolutionOut`). The composed sentence
   is checked like a paragraph (plus ``operative``, ``deciding-body`` and the topic warning),
   asked for again, and else built around the Betreff.
4. **Validation**: the whole Draft is validated once (``assistant.validation``) and returned
   with its ValidationReport (never silently broken), the model name and the seconds per
   stage (``retrieval``, ``sachdarstellung``, ``beschlussvorschlag``, ``validation``,
   ``total``).

The Finanzielle Auswirkungen and the Beratungsfolge come from the request alone
(:mod:`assistant.draft_case`).

Streaming (:meth:`DraftingService.stream`) yields the events of :mod:`assistant.draft_events`:
``retrieval``, then per section ``section_started``, ``token``\\*, ``section_done``, then
``validation`` and ``draft``. The Sachdarstellung's tokens arrive as the model writes each
paragraph (paragraphs separated by a blank line); when a paragraph is written again or
replaced, a ``section_started`` with a higher ``attempt`` is followed by the whole text so
far. The Beschlussvorschlag arrives as one ``token`` event (its sentence is composed at the
end). With ``tokens=False`` no ``token`` events come.

Speed: every prompt opens with the same system prompt and the same case
(``prompts/_fall.j2``), so llama.cpp reuses the evaluated prefix and each paragraph and the
resolution read only their own short task.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from assistant.draft_case import NO_FINANCIAL_IMPACT, beratungsfolge_for, finanzen_for
from assistant.draft_checks import paragraph_findings, repair_findings, resolution_findings
from assistant.draft_cleanup import clean_section, cut_repetition, mark_quotes, repetition_at
from assistant.draft_events import (
    DraftDone,
    DraftEvent,
    RetrievalDone,
    Section,
    SectionDone,
    SectionStarted,
    TokenEvent,
    ValidationDone,
)
from assistant.draft_sources import (
    WITHHELD_SPARE,
    CaseRetriever,
    CaseSources,
    cut_passage,
    injection_patterns,
    screen,
)
from assistant.draft_text import TextStream, json_part, salvage_text
from assistant.outline import (
    Part,
    cost_reference,
    fact_lines,
    fact_prose,
    is_sentence,
    plan,
)
from assistant.outline import precedent_sentence as precedent_for
from assistant.ports import ChatMessage, ChatModelFactory, ModelCrashedError, StructuredOutputError
from assistant.resolution import (
    Form,
    ResolutionOut,
    choose_form,
    clean_instruction,
    clean_object,
    compose,
    fallback_object,
    recommending_bodies,
)
from assistant.resolution_kinds import fixed_resolution
from assistant.schema import Beratungsschritt, Citation, Draft, DraftRequest, Finding
from assistant.schema import ValidationReport as ValidationReport
from assistant.validation import validate
from assistant.validation.findings import finding
from prompts import render

__all__ = [
    "DRAFT_CRASHED",
    "NO_FINANCIAL_IMPACT",
    "SECTIONS",
    "WITHHELD_SPARE",
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
    "cut_passage",
    "finanzen_for",
    "injection_patterns",
    "salvage_text",
]

log = logging.getLogger(__name__)

DRAFT_CRASHED = "Das Sprachmodell ist während des Entwurfs abgebrochen; bitte erneut versuchen."
"""What a clerk reads when the model process died or hung during a draft (it is restarted)."""

SECTIONS: tuple[Section, ...] = ("sachdarstellung", "beschlussvorschlag")
_EXAMPLE_OBJECTS: dict[Form, tuple[str, str]] = {
    "beschliesst": ("Akkusativ", "die Erneuerung des Spielplatzes am Lindenweg"),
    "genehmigt": ("Akkusativ", "die Erneuerung des Spielplatzes am Lindenweg"),
    "stimmt_zu": ("Dativ", "der Erneuerung des Spielplatzes am Lindenweg"),
    "kenntnis": ("Akkusativ", "den Prüfbericht zum Spielplatz am Lindenweg"),
}
_FRONT_PARTS = ("anlass", "sachstand")


class SachdarstellungOut(BaseModel):
    """The model's answer for one paragraph of the Sachdarstellung."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Der Absatz als Fließtext in ganzen Sätzen.")


@dataclass
class _Answer:
    """One model answer: the text and the raw JSON (for a repair conversation)."""

    text: str = ""
    raw: str = ""


@dataclass
class _Prose:
    """The model's sentences for a part's notes, and whether a client was shown other text."""

    text: str = ""
    replaced: bool = False


@dataclass
class _Job:
    """One request in progress (never shared between requests)."""

    request: DraftRequest
    citations: list[Citation]
    beratungsfolge: list[Beratungsschritt]
    finanzen: str
    system: str
    texts: dict[Section, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    attempts: int = 0

    @classmethod
    def start(cls, request: DraftRequest, citations: list[Citation]) -> _Job:
        return cls(
            request=request,
            citations=citations,
            beratungsfolge=beratungsfolge_for(request),
            finanzen=finanzen_for(request),
            system=render("system"),
        )

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 3)

    def case(self) -> dict[str, object]:
        """The variables of the shared case (``prompts/_fall.j2``)."""
        request = self.request
        return {
            "betreff": request.betreff,
            "kommune": request.kommune,
            "gremium": request.gremium,
            "beratungsfolge": self.beratungsfolge,
            "art": request.art,
        }

    def messages(self, template: str, **task: object) -> list[ChatMessage]:
        return [
            ChatMessage("system", self.system),
            ChatMessage("user", render(template, **self.case(), **task)),
        ]

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
        max_repairs: how often a failing paragraph or resolution is asked for again before
            code's fallback is used (0 to 2 is sensible).
        k: at most this many similar Vorlagen per draft (``request.k`` may ask for fewer).
        passages_per_vorlage: passages of one Vorlage kept as citations.
        passage_chars: a passage is cut to this many characters.
        max_tokens: answer limits per paragraph ("sachdarstellung") and for the resolution's
            object ("beschlussvorschlag"); ``None``: 220 and 160.

    Cheap to construct; thread- and task-safe (no per-request state on the instance).
    """

    def __init__(
        self,
        retriever: CaseRetriever,
        chat: ChatModelFactory,
        *,
        max_repairs: int = 1,
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
        self.sources = CaseSources(retriever, k, passages_per_vorlage, passage_chars)
        self.max_tokens: dict[Section, int] = {
            "sachdarstellung": 220,
            "beschlussvorschlag": 160,
            **(max_tokens or {}),
        }

    @property
    def k(self) -> int:
        return self.sources.k

    # --- public API ---------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load what a draft needs before the first clerk waits for it: the chat model, the
        retriever's indexes and embedder (one search), and the system prompt (one token is
        generated after it, so a local model keeps its evaluated tokens). Blocking."""
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
        """As :meth:`draft`, for callers inside an event loop."""
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
        citations, withheld = await asyncio.to_thread(
            self.sources.find, request, exclude_ids, allow_nonpublic
        )
        job = _Job.start(request, citations)
        job.add_time("retrieval", time.perf_counter() - started)
        yield RetrievalDone(citations=citations, withheld=withheld)

        t0 = time.perf_counter()
        yield SectionStarted(section="sachdarstellung")
        async for event in self._sachdarstellung(job, tokens):
            yield event
        job.add_time("sachdarstellung", time.perf_counter() - t0)
        yield SectionDone(section="sachdarstellung", text=job.texts["sachdarstellung"])

        t0 = time.perf_counter()
        yield SectionStarted(section="beschlussvorschlag")
        job.texts["beschlussvorschlag"] = await self._resolution(job)
        if tokens:
            yield TokenEvent(section="beschlussvorschlag", text=job.texts["beschlussvorschlag"])
        job.add_time("beschlussvorschlag", time.perf_counter() - t0)
        yield SectionDone(section="beschlussvorschlag", text=job.texts["beschlussvorschlag"])

        report = self._validate(job)
        yield ValidationDone(report=report)
        job.add_time("total", time.perf_counter() - started)
        yield DraftDone(draft=job.draft(self.chat.name, report))

    def retrieve(
        self,
        request: DraftRequest,
        *,
        exclude_ids: Collection[str] = (),
        allow_nonpublic: bool = False,
    ) -> list[Citation]:
        """The numbered passages of the similar cases for ``request`` (step 1)."""
        return self.sources.find(request, exclude_ids, allow_nonpublic)[0]

    def messages_for(self, request: DraftRequest) -> list[ChatMessage]:
        """The messages of the first model call of a draft (the first paragraph of the
        Sachdarstellung): for benchmarks and tools."""
        job = _Job.start(request, [])
        parts = plan(request.fakten)
        facts = parts[0].facts if parts else ()
        title = parts[0].title if parts else "Sachstand"
        return job.messages("sachdarstellung", teil=title, angaben=list(facts))

    @staticmethod
    def screen(vorlage_id: str, betreff: str | None, passage: str) -> list[str]:
        """See :func:`assistant.draft_sources.screen`."""
        return screen(vorlage_id, betreff, passage)

    # --- the Sachdarstellung ------------------------------------------------------------------

    async def _sachdarstellung(self, job: _Job, tokens: bool) -> AsyncIterator[DraftEvent]:
        """Write the paragraphs of the outline into ``job.texts["sachdarstellung"]``."""
        parts = plan(job.request.fakten)
        paragraphs: list[str] = []
        precedent = precedent_for(job.citations) if parts else ""
        for i, part in enumerate(parts):
            async for event in self._paragraph(job, part, paragraphs, tokens):
                yield event
            if part.key == "kosten":
                reference = cost_reference(job.finanzen, NO_FINANCIAL_IMPACT)
                paragraphs[-1] = f"{paragraphs[-1]} {reference}".strip()
                if tokens and reference:
                    yield TokenEvent(section="sachdarstellung", text=f" {reference}")
            if precedent and _precedent_after(parts, i):
                paragraphs.append(precedent)
                if tokens:
                    yield TokenEvent(section="sachdarstellung", text=f"\n\n{precedent}")
        job.texts["sachdarstellung"] = "\n\n".join(p for p in paragraphs if p)

    async def _paragraph(
        self, job: _Job, part: Part, paragraphs: list[str], tokens: bool
    ) -> AsyncIterator[DraftEvent]:
        """One paragraph, appended to ``paragraphs``: the clerk's sentences word for word, their
        notes put into sentences by the model (checked, asked again, else the notes
        themselves), in the clerk's order."""
        prefix = "\n\n" if paragraphs else ""
        notes = [fact for fact in part.facts if not is_sentence(fact)]
        before, after = _around_notes(part.facts)
        if not notes:
            text = fact_prose(part.facts)
            if tokens:
                yield TokenEvent(section="sachdarstellung", text=prefix + text)
            paragraphs.append(text)
            return
        if tokens and before:
            yield TokenEvent(section="sachdarstellung", text=f"{prefix}{before} ")
            prefix = ""
        prose = _Prose()
        lead = (before, prefix)
        async for event in self._notes(job, part, notes, paragraphs, prose, tokens, lead):
            yield event
        text = " ".join(t for t in (before, prose.text, after) if t)
        if prose.replaced:
            async for event in self._restart(
                job, paragraphs, tokens, "\n\n" * bool(paragraphs), text
            ):
                yield event
        elif tokens and after:
            yield TokenEvent(section="sachdarstellung", text=f" {after}")
        paragraphs.append(text)

    async def _notes(
        self,
        job: _Job,
        part: Part,
        notes: list[str],
        paragraphs: list[str],
        prose: _Prose,
        tokens: bool,
        lead: tuple[str, str],
    ) -> AsyncIterator[DraftEvent]:
        """The model's sentences for ``notes`` into ``prose``: checked, asked again with the
        findings, else the notes themselves (``prose.replaced`` when the streamed text was not
        kept). ``lead``: the paragraph's sentences before the notes, and the separator still
        to be streamed before the first token."""
        before, prefix = lead
        separator = "\n\n" if paragraphs else ""
        messages = job.messages("sachdarstellung", teil=part.title, angaben=notes)
        answer = _Answer()
        async for token in self._ask(messages, answer, tokens, prefix):
            yield token
        text = shown = _clean_paragraph(answer.text, part)
        problems = paragraph_findings(job.request, text, notes, job.finanzen)
        for _ in range(self.max_repairs):
            if not problems:
                break
            retry = _Answer()
            restart = self._restart(job, paragraphs, tokens, separator, f"{before} " * bool(before))
            async for event in restart:
                yield event
            async for token in self._ask(_repair(messages, answer, problems), retry, tokens):
                yield token
            prose.replaced = True
            shown = _clean_paragraph(retry.text, part)
            again = paragraph_findings(job.request, shown, notes, job.finanzen)
            if len(again) < len(problems):
                text, answer, problems = shown, retry, again
        if problems:
            log.info("Absatz %s: Notizen der Sachbearbeitung übernommen", part.title)
            text = fact_prose(notes)
        prose.text = text
        prose.replaced = prose.replaced or text != shown

    async def _restart(
        self, job: _Job, paragraphs: list[str], tokens: bool, prefix: str, tail: str = ""
    ) -> AsyncIterator[DraftEvent]:
        """Tell a streaming client to replace the section's text by what follows: the
        finished paragraphs (and ``tail``)."""
        if not tokens:
            return
        job.attempts += 1
        yield SectionStarted(section="sachdarstellung", attempt=job.attempts)
        done = "\n\n".join(paragraphs)
        if done or tail:
            yield TokenEvent(section="sachdarstellung", text=f"{done}{prefix}{tail}")

    async def _ask(
        self,
        messages: list[ChatMessage],
        answer: _Answer,
        tokens: bool,
        prefix: str = "",
    ) -> AsyncIterator[TokenEvent]:
        """Stream one paragraph answer into ``answer``; ``token`` events if asked. A looping
        answer is stopped as soon as it repeats itself and cut before the repetition."""
        decoder = TextStream()
        looped = False
        stream = self.chat.astream(
            messages, max_tokens=self.max_tokens["sachdarstellung"], schema=SachdarstellungOut
        )
        try:
            async for piece in stream:
                new = decoder.feed(piece)
                if new and repetition_at(decoder.text) is not None:
                    looped = True
                    break
                if new and tokens:
                    yield TokenEvent(section="sachdarstellung", text=prefix + new)
                    prefix = ""
        except ModelCrashedError as err:
            raise ModelCrashedError(DRAFT_CRASHED) from err
        finally:
            close = getattr(stream, "aclose", None)  # async generators: stop the model now
            if close is not None:
                await close()
        answer.text, answer.raw = _read_answer(decoder, looped)

    # --- the Beschlussvorschlag ---------------------------------------------------------------

    async def _resolution(self, job: _Job) -> str:
        """The resolution: the chosen form around the model's object, checked, asked again,
        else around the Betreff."""
        request = job.request
        form = choose_form(request, [c.passage for c in job.citations])
        recommending = recommending_bodies(request, job.beratungsfolge)
        fixed = fixed_resolution(request.betreff, request.art, form)
        if fixed is not None:  # a kind of matter with a fixed wording: no model call
            log.info("Beschlussvorschlag: feste Formulierung (%s)", fixed.kind)
            return compose(
                fixed.form,
                request.gremium,
                fixed.gegenstand,
                recommending=recommending,
                instruction=fixed.auftrag,
                clause=fixed.clause,
            )
        kasus, example = _EXAMPLE_OBJECTS[form]
        frame = compose(form, request.gremium, "…", recommending=recommending)
        messages = job.messages(
            "beschlussvorschlag",
            angaben=fact_lines(request.fakten),
            rahmen=frame,
            kasus=kasus,
            beispiel=example,
        )

        def judge(out: ResolutionOut | None) -> tuple[str, list[Finding]]:
            text = _compose_answer(out, form, request.gremium, recommending)
            if not text:
                return "", [_unusable_object(out, frame)]
            return text, resolution_findings(request, text)

        answer = await self._ask_resolution(messages)
        text, problems = judge(answer[0])
        for _ in range(self.max_repairs):
            if not problems:
                break
            repair = _repair(messages, _Answer(raw=answer[1]), problems, "beschlussvorschlag")
            retry = await self._ask_resolution(repair)
            retried, again = judge(retry[0])
            if len(again) < len(problems) or (retried and not text):
                text, answer, problems = retried, retry, again
        if text and not problems:
            return text
        log.info("Beschlussvorschlag: Gegenstand aus dem Betreff")
        return compose(
            form, request.gremium, fallback_object(request.betreff, form), recommending=recommending
        )

    async def _ask_resolution(
        self, messages: list[ChatMessage]
    ) -> tuple[ResolutionOut | None, str]:
        """(the model's structured answer or None when unusable, the raw answer)."""
        try:
            out = await self.chat.agenerate_structured(
                messages, ResolutionOut, max_tokens=self.max_tokens["beschlussvorschlag"]
            )
        except ModelCrashedError as err:
            raise ModelCrashedError(DRAFT_CRASHED) from err
        except StructuredOutputError as err:
            log.info("Beschlussvorschlag: Antwort passt nicht zum Format")
            return None, err.raw
        return out, out.model_dump_json()

    def _validate(self, job: _Job) -> ValidationReport:
        t0 = time.perf_counter()
        job.texts["sachdarstellung"] = mark_quotes(job.draft(self.chat.name))
        report = validate(job.draft(self.chat.name))
        job.add_time("validation", time.perf_counter() - t0)
        return report


# --- helpers --------------------------------------------------------------------------------------


def _around_notes(facts: Sequence[str]) -> tuple[str, str]:
    """(the clerk's sentences before the first note, the sentences after it) as text."""
    first = next((i for i, fact in enumerate(facts) if not is_sentence(fact)), len(facts))
    after = [fact for fact in facts[first:] if is_sentence(fact)]
    return fact_prose(facts[:first]), fact_prose(after)


def _precedent_after(parts: Sequence[Part], i: int) -> bool:
    """Whether the precedents follow paragraph ``i``: after the last of Anlass and Sachstand,
    or after the first paragraph when there is neither."""
    if not any(p.key in _FRONT_PARTS for p in parts):
        return i == 0
    following = parts[i + 1].key if i + 1 < len(parts) else None
    return parts[i].key in _FRONT_PARTS and following not in _FRONT_PARTS


def _read_answer(decoder: TextStream, looped: bool) -> tuple[str, str]:
    """(text, raw JSON) of a streamed paragraph answer; a looping one cut, a broken one
    salvaged ("" when nothing can be read)."""
    if looped:
        text = cut_repetition(decoder.text)
        return text, json.dumps({"text": text}, ensure_ascii=False)
    try:
        return SachdarstellungOut.model_validate_json(json_part(decoder.raw)).text, decoder.raw
    except ValueError:
        return salvage_text(decoder.raw) or "", decoder.raw


def _clean_paragraph(text: str, part: Part) -> str:
    """The paragraph without a leading label ("Sachstand:") and without markers (the model
    saw no sources), whitespace tidied."""
    cleaned = clean_section(text, "beschlussvorschlag")  # also drops "[n]" markers
    for label in (part.title, "Sachdarstellung", "Absatz"):
        if cleaned.lower().startswith(label.lower() + ":"):
            cleaned = cleaned[len(label) + 1 :].strip()
    return " ".join(cleaned.split())


def _repair(
    messages: Sequence[ChatMessage],
    answer: _Answer,
    findings: Sequence[Finding],
    section: Section = "sachdarstellung",
) -> list[ChatMessage]:
    """The conversation that asks for one answer again with its findings."""
    return [
        *messages,
        ChatMessage("assistant", answer.raw or json.dumps({"text": answer.text})),
        ChatMessage("user", render("repair", section=section, findings=repair_findings(findings))),
    ]


def _unusable_object(out: ResolutionOut | None, frame: str) -> Finding:
    """The finding for an object that does not fit the resolution's sentence."""
    said = f"„{' '.join(out.gegenstand.split())[:80]}“ " if out and out.gegenstand.strip() else ""
    return finding(
        "operative",
        f"Der Gegenstand {said}passt nicht in den Satz „{frame}“: nur der Gegenstand mit "
        "Artikel, ohne Gremium, ohne Verb, ohne zweiten Satz.",
        field_name="beschlussvorschlag",
    )


def _compose_answer(
    out: ResolutionOut | None, form: Form, gremium: str, recommending: Sequence[str]
) -> str:
    """The resolution around the model's object ("" when the object cannot be used); an
    object that does not fit "stimmt … zu" is tried with "beschließt"."""
    if out is None:
        return ""
    instruction = clean_instruction(out.auftrag)
    candidates: list[Form] = [form, "beschliesst"] if form == "stimmt_zu" else [form]
    for candidate in candidates:
        obj = clean_object(out.gegenstand, candidate)
        if obj:
            return compose(
                candidate, gremium, obj, recommending=recommending, instruction=instruction
            )
    return ""
