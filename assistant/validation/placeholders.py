"""Rule ``placeholders``: no template leftovers in the draft's texts.

No "XX", "[...]", "TODO", "{{", "<Name>", "N.N.", "???", "[Datum]", "Musterstadt",
"TT.MM.JJJJ" and the like; citation markers and form check boxes ("[ja]", "[x]") are not
placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, texts

_PLACEHOLDERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\b[Xx]{2,}\b|\bXY\b|\bX\s*(?:€|Euro\b|EUR\b)",
        r"\[\s*(?:\.{2,}|…)\s*\]|\(\s*(?:\.{3}|…)\s*\)",
        r"\b(?:TODO|FIXME|TBD)\b",
        r"\{\{|\}\}|\{%|%\}",
        r"<[^<>\n]{1,40}>",
        r"\bN\.\s?N\.(?!\w)",
        r"\?{2,}",
        # any other bracketed text; not citation markers, not form check boxes ("[ja]", "[x]")
        r"\[(?!\s*\d+(?:\s*(?:[,;]|-|–|bis)\s*\d+)*\s*\])(?!(?:ja|nein|[xX])\])[^\[\]\n]{1,60}\]",
        r"_{3,}",
        r"\b(?:Musterstadt|Mustergemeinde|Musterkreis|Mustermann|Musterfrau)\b",
        r"\b(?:TT\.MM\.JJJJ|TT\.MM\.JJ|JJJJ|00\.00\.0000)\b",
        r"\b(?:Lorem ipsum|Platzhalter)\b",
    )
)


def check_placeholders(draft: Draft) -> Iterator[Finding]:
    """No "XX", "[...]", "TODO", "{{", "<Name>", "N.N.", "???", "[Datum]" and the like."""
    for name, text in texts(draft):
        matches = sorted(
            (m for pattern in _PLACEHOLDERS for m in pattern.finditer(text)),
            key=lambda m: m.start(),
        )
        last_end = -1
        for match in matches:
            if match.start() < last_end:
                continue
            last_end = match.end()
            yield finding(
                "placeholders",
                f"Der Text enthält noch den Platzhalter „{match.group()}“. Bitte durch die "
                "richtige Angabe ersetzen.",
                field_name=name,
                span=match.span(),
                token=match.group(),
            )
