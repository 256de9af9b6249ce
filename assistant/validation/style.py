"""Rule ``style``: the language of an administration.

No first person outside quotations ("ich", "wir", "uns": errors; "unsere Stadt" is a warning,
real Vorlagen use it) and no phrases of a chat assistant ("Gerne!", "Hier ist …", "Als KI …");
warnings for a section whose length lies outside :data:`LENGTH_BOUNDS` and for Markdown in the
Finanzielle Auswirkungen (in the sections the model writes Markdown is an error of the rule
``formularreste``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from assistant.schema import Draft, Finding, Severity
from assistant.validation.findings import FIELD_TITLES, GENERATED_FIELDS, finding, texts

RE_QUOTED = re.compile(
    r"„[^“”\"\n]{0,300}[“”\"]|\"[^\"\n]{0,300}\"|»[^«\n]{0,300}«|«[^»\n]{0,300}»|“[^”\n]{0,300}”"
)
RE_FIRST_PERSON = re.compile(
    r"(?<![\w])(?:[Ii]ch|[Ww]ir|[Uu]ns|[Mm]ir|[Mm]ich|[Mm]ein|[Mm]eine[mrs]?)(?![\w])"
)
# "unsere Stadt", "unserer Kommunalverwaltung" occur in real Vorlagen (seed 002): a warning.
RE_OUR = re.compile(r"(?<![\w])[Uu]nser(?:e[mnrs]?)?(?![\w])")
_CHATTY: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"(?:^|(?<=[.!?]\s))(?:Sehr\s+)?[Gg]erne?\s*[!,.]",
        r"\bHier (?:ist|sind) (?:der|die|das|ein|eine|Ihr|Ihre)\b",
        r"\bHier finden Sie\b",
        r"\bIch hoffe\b|\b[Ii]ch helfe\b|\bLassen Sie mich\b|\bViel Erfolg\b",
        r"\bAls (?:KI|künstliche Intelligenz|Sprachmodell|KI-Modell|AI)\b|\bSprachmodell\b",
        r"\b(?:Haben Sie (?:noch )?(?:weitere )?Fragen|Zögern Sie nicht|Melden Sie sich gern)",
        r"(?:^|(?<=[.!?]\s))(?:Natürlich|Selbstverständlich|Klar|Super|Toll)!",
        r"\b(?:Sure|Certainly|Here is|Here's|I hope)\b",
    )
)
RE_MARKDOWN = re.compile(r"```|^[ \t]*#{1,6}[ \t]|\*\*", re.M)
# (min, max) characters per field; outside is a warning.
LENGTH_BOUNDS: dict[str, tuple[int, int]] = {
    "beschlussvorschlag": (25, 2500),
    "sachdarstellung": (150, 12000),
    "begruendung": (50, 8000),
    "finanzielle_auswirkungen": (4, 4000),
}


def _outside_quotes(text: str, start: int) -> bool:
    return not any(m.start() < start < m.end() for m in RE_QUOTED.finditer(text))


def _style_first_person(name: str, text: str) -> Iterator[Finding]:
    for pattern, severity in ((RE_FIRST_PERSON, "error"), (RE_OUR, "warning")):
        for match in pattern.finditer(text):
            if _outside_quotes(text, match.start()):
                yield finding(
                    "style",
                    f"Eine Vorlage spricht nicht in der ersten Person („{match.group()}“). "
                    "Bitte sachlich formulieren, z. B. „Die Verwaltung …“.",
                    severity=cast(Severity, severity),
                    field_name=name,
                    span=match.span(),
                    token=match.group(),
                )


def _style_chatty(name: str, text: str) -> Iterator[Finding]:
    for pattern in _CHATTY:
        for match in pattern.finditer(text):
            yield finding(
                "style",
                f"Die Wendung „{match.group().strip()}“ gehört nicht in eine Vorlage.",
                field_name=name,
                span=match.span(),
                token=match.group().strip(),
            )


def _style_format(name: str, text: str) -> Iterator[Finding]:
    match = None if name in GENERATED_FIELDS else RE_MARKDOWN.search(text)
    if match:
        yield finding(
            "style",
            "Der Text enthält Formatierungszeichen (z. B. „**“, „#“ oder „```“), die in der "
            "Vorlage nicht erscheinen sollen.",
            severity="warning",
            field_name=name,
            span=match.span(),
            token=match.group().strip(),
        )
    bounds = LENGTH_BOUNDS.get(name)
    length = len(text.strip())
    if bounds and length < bounds[0]:
        yield finding(
            "style",
            f"Der Abschnitt „{FIELD_TITLES[name]}“ ist mit {length} Zeichen sehr kurz.",
            severity="warning",
            field_name=name,
        )
    elif bounds and length > bounds[1]:
        yield finding(
            "style",
            f"Der Abschnitt „{FIELD_TITLES[name]}“ ist mit {length} Zeichen sehr lang "
            f"(empfohlen höchstens {bounds[1]}).",
            severity="warning",
            field_name=name,
        )


def check_style(draft: Draft) -> Iterator[Finding]:
    """No first person, no chatty phrases, no Markdown (in the clerk's texts; see
    ``formularreste`` for the generated ones), length within bounds."""
    for name, text in texts(draft):
        yield from _style_first_person(name, text)
        yield from _style_chatty(name, text)
        yield from _style_format(name, text)
