"""Checks of one model answer before it enters the draft (issue 9): a paragraph of the
Sachdarstellung, or the resolution composed around the model's object.

The answer is checked with the validator's own rules (:func:`assistant.validation.validate` on
a draft that holds only this text), restricted to what the model can get wrong in it
(:data:`PARAGRAPH_RULES`, :data:`RESOLUTION_RULES`), plus coverage: every number, date and
amount of the facts the paragraph was given must be in it (:func:`missing_facts`). A failing
answer is asked for again with these findings, and replaced by code's fallback when it still
fails (:mod:`assistant.drafting`), so the draft itself carries only text that passed.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.schema import Draft, DraftRequest, Finding
from assistant.validation import extract_facts, validate
from assistant.validation.findings import finding

__all__ = [
    "MAX_REPAIR_FINDINGS",
    "PARAGRAPH_RULES",
    "RESOLUTION_RULES",
    "missing_facts",
    "paragraph_findings",
    "repair_findings",
    "resolution_findings",
]

PARAGRAPH_RULES = frozenset(
    {
        "grounded",
        "placeholders",
        "vollstaendig",
        "formularreste",
        "finanzen",
        "wiederholung",
        "anweisung",
        "citations",
    }
)
"""What the model can get wrong in a paragraph made from given facts."""
RESOLUTION_RULES = PARAGRAPH_RULES | {"operative", "deciding-body"}
"""... and in a resolution (with the topic warning of ``operative``: it resolved on another
matter)."""
MAX_REPAIR_FINDINGS = 8  # per answer and round: more would crowd the context window


def _own(findings: Sequence[Finding], field: str, rules: frozenset[str]) -> list[Finding]:
    return [f for f in findings if f.field == field and f.rule in rules]


def missing_facts(text: str, facts: Sequence[str]) -> list[Finding]:
    """One finding per number, date, amount, § or Nr. of ``facts`` that ``text`` lacks."""
    have = {key for fact in extract_facts(text) for key in fact.provides}
    out: list[Finding] = []
    seen: set[str] = set()
    for fact in extract_facts("\n".join(facts)):
        if fact.raw in seen or all(key in have for key in fact.needs):
            continue
        seen.add(fact.raw)
        out.append(
            finding(
                "abdeckung",
                f"Die Angabe „{fact.raw}“ aus Ihren Fakten fehlt im Text.",
                field_name="sachdarstellung",
                token=fact.raw,
            )
        )
    return out


def paragraph_findings(
    request: DraftRequest, text: str, facts: Sequence[str], finanzen: str = ""
) -> list[Finding]:
    """What is wrong with a paragraph of the Sachdarstellung made from ``facts``
    (``finanzen``: the draft's Finanzielle Auswirkungen, which must not be pasted in)."""
    draft = Draft(request=request, sachdarstellung=text, finanzielle_auswirkungen=finanzen)
    report = validate(draft)
    errors = _own([*report.errors], "sachdarstellung", PARAGRAPH_RULES)
    return errors + missing_facts(text, facts)


def resolution_findings(request: DraftRequest, text: str) -> list[Finding]:
    """What is wrong with a composed resolution: the rules' errors and the topic warning."""
    report = validate(Draft(request=request, beschlussvorschlag=text))
    return _own([*report.errors, *report.warnings], "beschlussvorschlag", RESOLUTION_RULES)


def repair_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings shown in one repair prompt: one per (rule, token), at most
    :data:`MAX_REPAIR_FINDINGS`."""
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for item in findings:
        key = (item.rule, item.token or item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_REPAIR_FINDINGS]
