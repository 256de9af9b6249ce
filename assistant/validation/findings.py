"""Building findings and reading a draft's texts: the helpers every rule uses.

:func:`finding` makes a :class:`~assistant.schema.Finding` with a German ``where`` for the
clerk ("Sachdarstellung, Zeichen 12–20: „…“", worded by :mod:`assistant.presenter`);
:func:`texts` yields the draft's non-empty texts in document order, :func:`generated_texts`
only those the model writes (the Finanzielle Auswirkungen come from the clerk); :func:`mask`
and :func:`mask_all` blank out parts of a text without moving the offsets of the rest, so that
findings still point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.presenter import FIELD_TITLES, finding_where
from assistant.schema import Draft, Finding, Severity

__all__ = [
    "FIELD_TITLES",
    "GENERATED_FIELDS",
    "TEXT_FIELDS",
    "finding",
    "generated_texts",
    "mask",
    "mask_all",
    "short",
    "texts",
]

# The draft's own texts, in document order (their German titles: assistant.presenter).
TEXT_FIELDS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
)
# The sections the model writes; the Finanzielle Auswirkungen are the clerk's own words.
GENERATED_FIELDS: tuple[str, ...] = ("beschlussvorschlag", "sachdarstellung", "begruendung")


def finding(
    rule: str,
    message: str,
    *,
    severity: Severity = "error",
    field_name: str | None = None,
    span: tuple[int, int] | None = None,
    token: str | None = None,
) -> Finding:
    start, end = span if span is not None else (None, None)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        where=finding_where(field_name, start, end, token),
        field=field_name,
        start=start,
        end=end,
        token=token,
    )


def texts(draft: Draft) -> Iterator[tuple[str, str]]:
    """(field, text) for each non-empty draft text."""
    for name in TEXT_FIELDS:
        value = getattr(draft, name)
        if isinstance(value, str) and value.strip():
            yield name, value


def generated_texts(draft: Draft) -> Iterator[tuple[str, str]]:
    """(field, text) for each non-empty section the model writes (:data:`GENERATED_FIELDS`)."""
    for name, text in texts(draft):
        if name in GENERATED_FIELDS:
            yield name, text


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mask(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` blanked out, offsets unchanged."""
    return text[:start] + " " * (end - start) + text[end:]


def mask_all(text: str, pattern: re.Pattern[str]) -> str:
    for match in pattern.finditer(text):
        text = mask(text, match.start(), match.end())
    return text
