"""Follow-up messages that refine the open draft, read by rules (no model; issue 11).

A clerk with a draft open may write „Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2“,
„Fakt ergänzen: …“, „kürzer“ or „sachlicher“; :func:`read_refinement` turns such a message
into a :class:`Refinement` (what :mod:`assistant.usecases.refine` applies) and anything else
into ``None``, so that the chat reads it as usual. An addition without its text is not usable:
the chat answers with the refinements that exist (:data:`assistant.presenter.REFINE_HELP`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RefineKind", "Refinement", "read_refinement"]

RefineKind = Literal["finanzierung", "fakt", "kuerzer", "sachlicher"]

_LEAD = r"^(?:@\S+\s+)*(?:/vorlagen?\s+)?(?:bitte\s+)?"
_ADD = r"\s+(?:ergänzen|hinzufügen|nachtragen)\b\s*[:–-]?\s*(?P<text>.*?)\s*$"
_PATTERNS: tuple[tuple[RefineKind, re.Pattern[str]], ...] = (
    (
        "finanzierung",
        re.compile(_LEAD + r"(?:finanzierung|finanzen|finanzielle\s+auswirkungen)" + _ADD, re.I),
    ),
    ("fakt", re.compile(_LEAD + r"(?:fakt|fakten|angabe|angaben)" + _ADD, re.I | re.S)),
    (
        "kuerzer",
        re.compile(_LEAD + r"(?:etwas\s+)?kürzer(?:\s+fassen|\s+bitte)?\s*[.!]?\s*$", re.I),
    ),
    (
        "sachlicher",
        re.compile(
            _LEAD + r"(?:etwas\s+)?sachlicher(?:\s+formulieren|\s+bitte)?\s*[.!]?\s*$", re.I
        ),
    ),
)


class Refinement(BaseModel):
    """One refinement of the open draft: ``kind`` and, for an addition, its ``text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RefineKind
    text: str = Field(default="", description="What is added (Finanzierung, Fakt).")

    @property
    def usable(self) -> bool:
        """Whether it can be applied: an addition only with its text."""
        return self.kind in ("kuerzer", "sachlicher") or bool(self.text)


def read_refinement(text: str) -> Refinement | None:
    """The refinement a message asks for, or ``None`` when it asks for none."""
    message = text.strip()
    for kind, pattern in _PATTERNS:
        match = pattern.match(message)
        if match is not None:
            added = match.groupdict().get("text") or ""
            return Refinement(kind=kind, text=" ".join(added.split()))
    return None
