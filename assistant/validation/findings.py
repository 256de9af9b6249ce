"""Building findings and reading a draft's texts: the helpers every rule uses.

:func:`finding` makes a :class:`~assistant.schema.Finding` with a German ``where`` for the
clerk ("Sachdarstellung, Zeichen 12–20: „…“"); :func:`texts` yields the draft's non-empty texts
in document order, :func:`generated_texts` only those the model writes (the Finanzielle
Auswirkungen come from the clerk); :func:`mask` and :func:`mask_all` blank out parts of a text
without moving the offsets of the rest, so that findings still point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding, Severity

# The draft's own texts, in document order, with the German names clerks know.
TEXT_FIELDS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
)
# The sections the model writes; the Finanzielle Auswirkungen are the clerk's own words.
GENERATED_FIELDS: tuple[str, ...] = ("beschlussvorschlag", "sachdarstellung", "begruendung")
FIELD_TITLES: dict[str, str] = {
    "beschlussvorschlag": "Beschlussvorschlag",
    "sachdarstellung": "Sachdarstellung",
    "begruendung": "Begründung",
    "finanzielle_auswirkungen": "Finanzielle Auswirkungen",
    "beratungsfolge": "Beratungsfolge",
    "citations": "Quellen",
    "request.betreff": "Betreff",
    "request.fakten": "Fakten",
}


def _where(field_name: str | None, start: int | None, end: int | None, token: str | None) -> str:
    if field_name is None:
        return ""
    title = FIELD_TITLES.get(field_name, field_name)
    match = re.fullmatch(r"beratungsfolge\[(\d+)\](?:\.(\w+))?", field_name)
    if match:
        title = f"Beratungsfolge, Schritt {int(match.group(1)) + 1}"
    parts = [title]
    if start is not None and end is not None:
        parts.append(f"Zeichen {start + 1}–{end}")
    text = ", ".join(parts)
    return f"{text}: „{token}“" if token else text


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
        where=_where(field_name, start, end, token),
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
