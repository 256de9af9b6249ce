"""The Sachdarstellung, paragraph by paragraph along an outline (issue 9).

:class:`ParagraphWriter` puts the clerk's facts into the parts of the outline
(:mod:`assistant.outline`). Per part, the clerk's full sentences are kept word for word and
only the notes go to the model, which writes them as sentences (:class:`SachdarstellungOut`,
streamed; a looping answer is stopped early). Each paragraph is checked
(:func:`~assistant.draft_checks.paragraph_findings`), asked for again with its findings up to
``max_repairs`` times (kept only when it has fewer findings), and otherwise replaced by the
notes themselves as sentences. Code adds the precedents with their markers after Anlass and
Sachstand, and in the Kosten part a reference to the Finanzielle Auswirkungen.

Events: ``token`` events as the model writes; when a streamed paragraph is written again or
replaced, a ``section_started`` with a higher ``attempt`` and then the whole text so far.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from assistant.draft_case import NO_FINANCIAL_IMPACT
from assistant.draft_checks import paragraph_findings
from assistant.draft_cleanup import clean_section, cut_repetition, repetition_at
from assistant.draft_events import DraftEvent, SectionStarted, TokenEvent
from assistant.draft_konzept import concept_sentence
from assistant.draft_state import DRAFT_CRASHED, Answer, DraftState, repair_messages
from assistant.draft_text import TextStream, json_part, salvage_text
from assistant.outline import Part, cost_reference, fact_prose, is_sentence, plan
from assistant.outline import precedent_sentence as precedent_for
from assistant.ports import ChatMessage, ChatModelFactory, ModelCrashedError
from assistant.schema import Citation

__all__ = ["ParagraphWriter", "SachdarstellungOut"]

log = logging.getLogger(__name__)

_FRONT_PARTS = ("anlass", "sachstand")


class SachdarstellungOut(BaseModel):
    """The model's answer for one paragraph of the Sachdarstellung."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Der Absatz als Fließtext in ganzen Sätzen.")


@dataclass
class _Prose:
    """The model's sentences for a part's notes, and whether a client was shown other text."""

    text: str = ""
    replaced: bool = False


class ParagraphWriter:
    """Writes ``job.texts["sachdarstellung"]`` (see the module docstring).

    Args:
        chat: the chat model.
        max_tokens: the answer limit of one paragraph.
        max_repairs: how often a failing paragraph is asked for again.
    """

    def __init__(self, chat: ChatModelFactory, max_tokens: int, max_repairs: int) -> None:
        self.chat = chat
        self.max_tokens = max_tokens
        self.max_repairs = max_repairs

    async def write(
        self, job: DraftState, tokens: bool, *, precedents: bool = True
    ) -> AsyncIterator[DraftEvent]:
        """Write the paragraphs of the outline into ``job.texts["sachdarstellung"]``;
        ``precedents=False`` leaves out the paragraph on comparable Vorlagen."""
        parts = plan(job.request.fakten)
        paragraphs: list[str] = []
        precedent = _sources_sentence(job.citations) if parts and precedents else ""
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
        self, job: DraftState, part: Part, paragraphs: list[str], tokens: bool
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
        job: DraftState,
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
        answer = Answer()
        async for token in self._ask(messages, answer, tokens, prefix):
            yield token
        text = shown = _clean_paragraph(answer.text, part)
        problems = paragraph_findings(job.request, text, notes, job.finanzen)
        for _ in range(self.max_repairs):
            if not problems:
                break
            retry = Answer()
            restart = self._restart(job, paragraphs, tokens, separator, f"{before} " * bool(before))
            async for event in restart:
                yield event
            async for token in self._ask(
                repair_messages(messages, answer, problems), retry, tokens
            ):
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
        self, job: DraftState, paragraphs: list[str], tokens: bool, prefix: str, tail: str = ""
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
        answer: Answer,
        tokens: bool,
        prefix: str = "",
    ) -> AsyncIterator[TokenEvent]:
        """Stream one paragraph answer into ``answer``; ``token`` events if asked. A looping
        answer is stopped as soon as it repeats itself and cut before the repetition."""
        decoder = TextStream()
        looped = False
        stream = self.chat.astream(messages, max_tokens=self.max_tokens, schema=SachdarstellungOut)
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


def _around_notes(facts: Sequence[str]) -> tuple[str, str]:
    """(the clerk's sentences before the first note, the sentences after it) as text."""
    first = next((i for i, fact in enumerate(facts) if not is_sentence(fact)), len(facts))
    after = [fact for fact in facts[first:] if is_sentence(fact)]
    return fact_prose(facts[:first]), fact_prose(after)


def _sources_sentence(citations: Sequence[Citation]) -> str:
    """The measure of the own concept the draft corresponds to, then comparable Vorlagen."""
    return " ".join(s for s in (concept_sentence(citations), precedent_for(citations)) if s)


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
