"""The outline of a Sachdarstellung: facts into parts, precedents, the cost reference."""

from __future__ import annotations

import pytest

from assistant.outline import (
    cost_reference,
    fact_lines,
    fact_prose,
    plan,
    precedent_sentence,
)
from assistant.schema import Citation


def test_fact_lines_reads_lists_and_prose() -> None:
    assert fact_lines("- eins\n- zwei,\n  Fortsetzung\n* drei") == [
        "eins",
        "zwei, Fortsetzung",
        "drei",
    ]
    assert fact_lines("1. erstens\n2) zweitens") == ["erstens", "zweitens"]
    prose = "Der Rat hat am 3. Mai beraten. Die Kosten betragen ca. 5.000 Euro. Nr. 4 folgt."
    assert fact_lines(prose) == [
        "Der Rat hat am 3. Mai beraten.",
        "Die Kosten betragen ca. 5.000 Euro.",
        "Nr. 4 folgt.",
    ]
    assert fact_lines("") == []


@pytest.mark.parametrize(
    ("fact", "part"),
    [
        ("Die Sanierung kostet 2,4 Mio. Euro", "kosten"),
        ("Fördermittel des Landes wurden beantragt", "kosten"),
        ("Der Migrationsbeirat wurde beteiligt", "beteiligung"),
        ("Workshops mit Trägern und Vereinen fanden statt", "beteiligung"),
        ("Antrag der Fraktion vom 12.03.2025", "anlass"),
        ("Nach § 45 GemO ist ein Beschluss erforderlich", "anlass"),
        ("Die Maßnahmen sollen ab 2027 umgesetzt werden", "vorgehen"),
        ("Das Konzept nennt sechs Handlungsfelder und 40 Maßnahmen", "ziele"),
        ("Ziel ist der Ausbau der Sprachförderung in Kitas", "ziele"),
    ],
)
def test_facts_go_to_their_part(fact: str, part: str) -> None:
    # a neutral fact first, so that the fact under test is not taken as the Anlass
    parts = plan(f"- Die Lage ist unverändert.\n- {fact}")
    assert fact in {p.key: p.facts for p in parts}[part]  # type: ignore[index]


def test_plan_keeps_the_outline_order_and_every_fact_once() -> None:
    facts = (
        "- Die Verwaltung soll bis Ende 2026 berichten.\n"
        "- Die Kosten betragen 8.000 Euro.\n"
        "- Die Stadt hat 1.200 Geflüchtete aufgenommen.\n"
        "- Der Integrationsbeirat hat zugestimmt.\n"
        "- Die Zahl der Kita-Plätze reicht nicht aus."
    )
    parts = plan(facts)
    assert [p.key for p in parts] == ["anlass", "sachstand", "beteiligung", "kosten", "vorgehen"]
    assert parts[0].facts == ("Die Stadt hat 1.200 Geflüchtete aufgenommen.",)
    assert sorted(f for p in parts for f in p.facts) == sorted(fact_lines(facts))
    assert parts[0].title == "Anlass und Ausgangslage"
    assert plan("") == []


def test_fact_prose_makes_sentences_of_notes() -> None:
    assert fact_prose(["spielplatz abgängig,", "Kosten 41.700 Euro", "Fertig!"]) == (
        "Spielplatz abgängig. Kosten 41.700 Euro. Fertig!"
    )


def _citation(
    n: int, vid: str, betreff: str | None, kommune: str | None = "Stadt Wedel"
) -> Citation:
    return Citation(
        n=n, vorlage_id=vid, betreff=betreff, kommune=kommune, section="kurzfassung", passage="…"
    )


def test_precedents_are_named_with_their_markers() -> None:
    one = [_citation(1, "a", "Integrationskonzept der Stadt Wedel")]
    assert precedent_sentence(one) == (
        "Eine vergleichbare Vorlage wurde bereits andernorts beraten: "
        "„Integrationskonzept der Stadt Wedel“ (Stadt Wedel) [1]."
    )
    several = [
        _citation(1, "a", "Erstes"),
        _citation(2, "a", "Erstes"),  # a second passage of the same Vorlage
        _citation(3, "b", "Zweites", None),
        _citation(4, "c", "Drittes"),
    ]
    assert precedent_sentence(several) == (
        "Vergleichbare Vorlagen wurden bereits andernorts beraten: „Erstes“ (Stadt Wedel) [1] "
        "und „Zweites“ [3]."
    )
    long = precedent_sentence([_citation(1, "a", "Wort " * 40)])
    assert "…“" in long and len(long) < 200
    assert precedent_sentence([_citation(1, "a", None)]) == ""
    assert precedent_sentence([]) == ""


def test_cost_reference_only_for_stated_costs() -> None:
    none = "Es entstehen keine finanziellen Auswirkungen."
    assert cost_reference("12.000 Euro im Haushalt", none).startswith("Die finanziellen")
    assert cost_reference("", none) == ""
    assert cost_reference(none, none) == ""
