"""The Beschlussvorschlag: a sentence code writes around the model's object (issue 9).

:class:`ResolutionWriter` chooses the form (:func:`~assistant.resolution.choose_form`); for a
kind of matter with a fixed wording (:mod:`assistant.resolution_kinds`) code writes the whole
resolution without the model. Otherwise the model fills only the object and an optional
instruction (:class:`~assistant.resolution.ResolutionOut`); the composed sentence is checked
(:func:`~assistant.draft_checks.resolution_findings`), asked for again with its findings up to
``max_repairs`` times, and else built around the Betreff
(:func:`~assistant.resolution.fallback_object`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from assistant.draft_checks import resolution_findings
from assistant.draft_state import DRAFT_CRASHED, Answer, DraftState, repair_messages
from assistant.outline import fact_lines
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
from assistant.schema import Finding
from assistant.validation.findings import finding

__all__ = ["ResolutionWriter"]

log = logging.getLogger(__name__)

_EXAMPLE_OBJECTS: dict[Form, tuple[str, str]] = {
    "beschliesst": ("Akkusativ", "die Erneuerung des Spielplatzes am Lindenweg"),
    "genehmigt": ("Akkusativ", "die Erneuerung des Spielplatzes am Lindenweg"),
    "stimmt_zu": ("Dativ", "der Erneuerung des Spielplatzes am Lindenweg"),
    "kenntnis": ("Akkusativ", "den Prüfbericht zum Spielplatz am Lindenweg"),
}
"""The example object shown per form: the system prompt's invented playground, so that a copy
of it is caught by the ``anweisung`` rule."""


class ResolutionWriter:
    """Writes the Beschlussvorschlag of a draft (see the module docstring).

    Args:
        chat: the chat model.
        max_tokens: the answer limit of the object and instruction.
        max_repairs: how often an unusable answer is asked for again.
    """

    def __init__(self, chat: ChatModelFactory, max_tokens: int, max_repairs: int) -> None:
        self.chat = chat
        self.max_tokens = max_tokens
        self.max_repairs = max_repairs

    async def write(self, job: DraftState) -> str:
        """The resolution: the chosen form around the model's object, checked, asked again,
        else around the Betreff."""
        request = job.request
        form = choose_form(request, [c.passage for c in job.citations])
        recommending = recommending_bodies(request, job.beratungsfolge)
        fixed = fixed_resolution(request.betreff, form)
        if fixed is not None:  # a kind of matter with a fixed wording: no model call
            log.info("Beschlussvorschlag: feste Formulierung (%s)", fixed.kind)
            return fixed.written(request.gremium, recommending)
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

        answer = await self._ask(messages)
        text, problems = judge(answer[0])
        for _ in range(self.max_repairs):
            if not problems:
                break
            repair = repair_messages(
                messages, Answer(raw=answer[1]), problems, "beschlussvorschlag"
            )
            retry = await self._ask(repair)
            retried, again = judge(retry[0])
            if len(again) < len(problems) or (retried and not text):
                text, answer, problems = retried, retry, again
        if text and not problems:
            return text
        log.info("Beschlussvorschlag: Gegenstand aus dem Betreff")
        return compose(
            form, request.gremium, fallback_object(request.betreff, form), recommending=recommending
        )

    async def _ask(self, messages: list[ChatMessage]) -> tuple[ResolutionOut | None, str]:
        """(the model's structured answer or None when unusable, the raw answer)."""
        try:
            out = await self.chat.agenerate_structured(
                messages, ResolutionOut, max_tokens=self.max_tokens
            )
        except ModelCrashedError as err:
            raise ModelCrashedError(DRAFT_CRASHED) from err
        except StructuredOutputError as err:
            log.info("Beschlussvorschlag: Antwort passt nicht zum Format")
            return None, err.raw
        return out, out.model_dump_json()


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
