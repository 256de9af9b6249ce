"""The events of a streamed draft (:meth:`assistant.drafting.DraftingService.stream`).

Order: ``retrieval`` (the citations), then per section ``section_started``, ``token``\\*,
``section_done``; then ``validation`` and last ``draft``. A ``section_started`` with
``attempt`` > 0 inside a section means the text so far is replaced by what follows (a
paragraph of the Sachdarstellung was written again or replaced by the clerk's facts).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.schema import Citation, Draft, ValidationReport

__all__ = [
    "DraftDone",
    "DraftEvent",
    "RetrievalDone",
    "Section",
    "SectionDone",
    "SectionStarted",
    "TokenEvent",
    "ValidationDone",
]

Section = Literal["sachdarstellung", "beschlussvorschlag"]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalDone(_Event):
    """Similar cases were found; ``withheld`` lists the ids of Vorlagen that were found but not
    shown to the model because their passage reads like injected instructions (logged)."""

    type: Literal["retrieval"] = "retrieval"
    citations: list[Citation]
    withheld: list[str] = Field(default_factory=list)


class SectionStarted(_Event):
    """The model starts writing ``section``; ``attempt`` 0 is the first draft; a higher one
    means a part was written again (a client replaces the section's text with what follows,
    which repeats the finished paragraphs)."""

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
