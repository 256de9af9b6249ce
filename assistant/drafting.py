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
import logging
import time
from collections.abc import AsyncIterator, Collection

from assistant.draft_case import NO_FINANCIAL_IMPACT, beratungsfolge_for, finanzen_for
from assistant.draft_cleanup import mark_quotes
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
from assistant.draft_konzept import ConceptSources
from assistant.draft_paragraphs import ParagraphWriter, SachdarstellungOut
from assistant.draft_resolution import ResolutionWriter
from assistant.draft_sources import (
    WITHHELD_SPARE,
    CaseRetriever,
    CaseSources,
    case_query,
    cut_passage,
    injection_patterns,
    screen,
)
from assistant.draft_state import DRAFT_CRASHED, DraftState
from assistant.draft_text import salvage_text
from assistant.outline import plan
from assistant.ports import ChatMessage, ChatModelFactory
from assistant.schema import Citation, Draft, DraftRequest
from assistant.schema import ValidationReport as ValidationReport
from assistant.validation import validate
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

SECTIONS: tuple[Section, ...] = ("sachdarstellung", "beschlussvorschlag")


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
        self.concepts = ConceptSources(retriever, passage_chars=passage_chars)
        self.max_tokens: dict[Section, int] = {
            "sachdarstellung": 220,
            "beschlussvorschlag": 160,
            **(max_tokens or {}),
        }
        self.paragraphs = ParagraphWriter(chat, self.max_tokens["sachdarstellung"], max_repairs)
        self.resolution = ResolutionWriter(chat, self.max_tokens["beschlussvorschlag"], max_repairs)

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
        citations += await asyncio.to_thread(
            self.concepts.find,
            case_query(request),
            request,
            len(citations) + 1,
            allow_nonpublic,
        )
        job = DraftState.start(request, citations)
        job.add_time("retrieval", time.perf_counter() - started)
        yield RetrievalDone(citations=citations, withheld=withheld)

        t0 = time.perf_counter()
        yield SectionStarted(section="sachdarstellung")
        async for event in self.paragraphs.write(job, tokens):
            yield event
        job.add_time("sachdarstellung", time.perf_counter() - t0)
        yield SectionDone(section="sachdarstellung", text=job.texts["sachdarstellung"])

        t0 = time.perf_counter()
        yield SectionStarted(section="beschlussvorschlag")
        job.texts["beschlussvorschlag"] = await self.resolution.write(job)
        if tokens:
            yield TokenEvent(section="beschlussvorschlag", text=job.texts["beschlussvorschlag"])
        job.add_time("beschlussvorschlag", time.perf_counter() - t0)
        yield SectionDone(section="beschlussvorschlag", text=job.texts["beschlussvorschlag"])

        report = self._validate(job)
        yield ValidationDone(report=report)
        job.add_time("total", time.perf_counter() - started)
        yield DraftDone(draft=job.draft(self.chat.name, report))

    async def rewrite(
        self, base: Draft, section: Section, *, tokens: bool = True, precedents: bool = True
    ) -> AsyncIterator[DraftEvent]:
        """One section of ``base`` written again from its request and citations (no new
        search); every other part is kept as ``base`` has it (the clerk's last saved
        version). Events as :meth:`stream`: ``retrieval`` (the kept citations), the kept
        section's ``section_done``, the section written again, ``validation`` of the whole
        draft and ``draft``. ``precedents=False``: a Sachdarstellung without the paragraph
        on comparable Vorlagen."""
        started = time.perf_counter()
        job = DraftState.start(base.request, list(base.citations))
        job.beratungsfolge = list(base.beratungsfolge)
        job.finanzen = base.finanzielle_auswirkungen
        job.texts = {name: getattr(base, name) for name in SECTIONS}
        yield RetrievalDone(citations=job.citations)
        for kept in SECTIONS:
            if kept != section:
                yield SectionDone(section=kept, text=job.texts[kept])
        yield SectionStarted(section=section)
        if section == "sachdarstellung":
            async for event in self.paragraphs.write(job, tokens, precedents=precedents):
                yield event
        else:
            job.texts["beschlussvorschlag"] = await self.resolution.write(job)
            if tokens:
                yield TokenEvent(section=section, text=job.texts[section])
        job.add_time(section, time.perf_counter() - started)
        yield SectionDone(section=section, text=job.texts[section])
        report = self._validate(job, mark=section == "sachdarstellung")
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
        job = DraftState.start(request, [])
        parts = plan(request.fakten)
        facts = parts[0].facts if parts else ()
        title = parts[0].title if parts else "Sachstand"
        return job.messages("sachdarstellung", teil=title, angaben=list(facts))

    @staticmethod
    def screen(vorlage_id: str, betreff: str | None, passage: str) -> list[str]:
        """See :func:`assistant.draft_sources.screen`."""
        return screen(vorlage_id, betreff, passage)

    def _validate(self, job: DraftState, *, mark: bool = True) -> ValidationReport:
        """The whole draft checked; ``mark``: first add the markers of copied sentences to
        the Sachdarstellung (code's text, not a clerk's)."""
        t0 = time.perf_counter()
        if mark:
            job.texts["sachdarstellung"] = mark_quotes(job.draft(self.chat.name))
        report = validate(job.draft(self.chat.name))
        job.add_time("validation", time.perf_counter() - t0)
        return report
