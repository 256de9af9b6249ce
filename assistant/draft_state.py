"""The state of one draft in progress, shared by the writers of its sections.

:class:`DraftState` holds the request, the citations, the Beratungsfolge and Finanzielle
Auswirkungen taken from the request, the texts written so far and the seconds per stage; it
renders the prompts of the shared case (``prompts/_fall.j2``), so that every model call of a
draft opens with the same prefix. Never shared between requests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.draft_case import beratungsfolge_for, finanzen_for
from assistant.draft_checks import repair_findings
from assistant.draft_events import Section
from assistant.ports import ChatMessage
from assistant.schema import Beratungsschritt, Citation, Draft, DraftRequest, Finding
from assistant.schema import ValidationReport as ValidationReport
from prompts import render

__all__ = ["DRAFT_CRASHED", "Answer", "DraftState", "repair_messages"]

DRAFT_CRASHED = "Das Sprachmodell ist während des Entwurfs abgebrochen; bitte erneut versuchen."
"""What a clerk reads when the model process died or hung during a draft (it is restarted)."""


@dataclass
class Answer:
    """One model answer: the text and the raw JSON (for a repair conversation)."""

    text: str = ""
    raw: str = ""


@dataclass
class DraftState:
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
    def start(cls, request: DraftRequest, citations: list[Citation]) -> DraftState:
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


def repair_messages(
    messages: Sequence[ChatMessage],
    answer: Answer,
    findings: Sequence[Finding],
    section: Section = "sachdarstellung",
) -> list[ChatMessage]:
    """The conversation that asks for one answer again with its findings."""
    return [
        *messages,
        ChatMessage("assistant", answer.raw or json.dumps({"text": answer.text})),
        ChatMessage("user", render("repair", section=section, findings=repair_findings(findings))),
    ]
