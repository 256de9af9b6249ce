"""Rule checks for a Draft: ``validate(draft) -> ValidationReport`` (docs/architecture.md).

Pure functions, no LLM and no I/O (``anweisung`` reads the prompt templates shipped in the
``prompts`` package once). Each rule is one function ``Draft -> Iterable[Finding]`` in the
registry :data:`RULES` under a stable id (``required``, ``operative``, ``deciding-body``,
``chronology``, ``grounded``, ``citations``, ``placeholders``, ``style``, and the rules that
catch what a clerk would not keep: ``vollstaendig``, ``formularreste``, ``finanzen``,
``wiederholung``, ``anweisung``, ``abdeckung``, ``fremder-fall``). Every finding carries its
rule id, a German message for the clerk and where it applies (field, character span into that
field's text, the quoted token).

Each rule has a module of its own whose docstring says what it checks and why (``required``,
``operative`` with its topic warning in ``topic``, ``deciding_body``, ``chronology``,
``grounded``, ``citations``, ``placeholders``, ``style``, ``vollstaendig``, ``formularreste``,
``finanzen``, ``wiederholung``, ``anweisung``, ``abdeckung``, ``fremder_fall``). They share
the helpers in ``findings`` (building findings, the draft's texts, masking), ``markers``
(citation markers ``[n]``), ``sentences`` (sentences, words and word runs), ``facts`` (the
checkable tokens of a text, for ``grounded``, ``abdeckung`` and ``fremder_fall``) and
``bodies`` (names of council bodies and the clauses in which they act). A new rule is a module
with a ``check_…`` function and an entry in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.schema import Draft, Finding, ValidationReport
from assistant.validation.abdeckung import check_abdeckung
from assistant.validation.anweisung import check_anweisung
from assistant.validation.bodies import RE_CLAUSE, RE_INVERTED_CLAUSE, same_body
from assistant.validation.chronology import check_chronology
from assistant.validation.citations import check_citations, unmarked_quotes
from assistant.validation.deciding_body import check_deciding_body
from assistant.validation.facts import Fact, extract_facts
from assistant.validation.finanzen import check_finanzen
from assistant.validation.formularreste import check_formularreste
from assistant.validation.fremder_fall import check_fremder_fall
from assistant.validation.grounded import check_grounded
from assistant.validation.markers import CITATION_MARKER
from assistant.validation.operative import check_operative
from assistant.validation.placeholders import check_placeholders
from assistant.validation.required import check_required
from assistant.validation.sentences import RE_WORD
from assistant.validation.style import check_style
from assistant.validation.vollstaendig import check_vollstaendig
from assistant.validation.wiederholung import check_wiederholung

__all__ = [
    "CITATION_MARKER",
    "RE_CLAUSE",
    "RE_INVERTED_CLAUSE",
    "RE_WORD",
    "RULES",
    "RULE_IDS",
    "Fact",
    "Rule",
    "extract_facts",
    "same_body",
    "unmarked_quotes",
    "validate",
]


@dataclass(frozen=True)
class Rule:
    """A validation rule: stable id, one-line German summary, the check."""

    id: str
    summary: str
    check: Callable[[Draft], Iterable[Finding]]


RULES: tuple[Rule, ...] = (
    Rule("required", "Pflichtangaben vorhanden", check_required),
    Rule("operative", "Beschlussvorschlag ist ein Beschluss", check_operative),
    Rule("deciding-body", "Richtiges Gremium entscheidet", check_deciding_body),
    Rule("chronology", "Beratungsfolge in zeitlicher Ordnung", check_chronology),
    Rule("grounded", "Zahlen, Daten und Nummern belegt", check_grounded),
    Rule("citations", "Quellenverweise stimmen", check_citations),
    Rule("placeholders", "Keine Platzhalter", check_placeholders),
    Rule("style", "Verwaltungsstil", check_style),
    Rule("vollstaendig", "Abschnitte enden mit vollständigen Sätzen", check_vollstaendig),
    Rule("formularreste", "Keine Formular-, Markdown- oder JSON-Reste", check_formularreste),
    Rule("finanzen", "Finanzielle Auswirkungen nicht in der Sachdarstellung", check_finanzen),
    Rule("wiederholung", "Kein Satz doppelt", check_wiederholung),
    Rule("anweisung", "Keine Anweisungen aus dem Prompt im Text", check_anweisung),
    Rule("abdeckung", "Fakten der Sachbearbeitung verwendet", check_abdeckung),
    Rule("fremder-fall", "Keine Angaben eines anderen Falls", check_fremder_fall),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)


def validate(draft: Draft, rules: Iterable[str] | None = None) -> ValidationReport:
    """Check ``draft`` against every rule (or only those in ``rules``); no side effects.

    Raises ValueError for an unknown rule id.
    """
    selected = RULES
    if rules is not None:
        wanted = set(rules)
        unknown = wanted - set(RULE_IDS)
        if unknown:
            raise ValueError(f"unknown rule ids: {', '.join(sorted(unknown))}")
        selected = tuple(rule for rule in RULES if rule.id in wanted)
    return ValidationReport.from_findings(f for rule in selected for f in rule.check(draft))
