"""The Beschlussvorschlag from the forms councils use: form, object, instruction, sentence."""

from __future__ import annotations

import pytest

from assistant.resolution import (
    choose_form,
    clean_instruction,
    clean_object,
    compose,
    fallback_object,
    recommending_bodies,
)
from assistant.schema import Beratungsschritt, DraftRequest


def _request(**update: object) -> DraftRequest:
    values: dict[str, object] = {"betreff": "Vergabe der Bauleistungen", "gremium": "Bauausschuss"}
    values.update(update)
    return DraftRequest(**values)  # type: ignore[arg-type]


def test_compose_writes_body_vorberatung_verb_and_instruction() -> None:
    assert compose("beschliesst", "Rat der Stadt Wedel", "das Integrationskonzept") == (
        "Der Rat der Stadt Wedel beschließt das Integrationskonzept."
    )
    assert compose(
        "stimmt_zu", "Gemeinderat", "der Vergabe", recommending=["Bauausschuss", "Ortschaftsrat"]
    ) == (
        "Der Gemeinderat stimmt nach Vorberatung im Bauausschuss und im Ortschaftsrat der "
        "Vergabe zu."
    )
    assert compose(
        "kenntnis", "Stadtverordnetenversammlung", "den Bericht", recommending=["Sozialkommission"]
    ) == (
        "Die Stadtverordnetenversammlung nimmt nach Vorberatung in der Sozialkommission den "
        "Bericht zur Kenntnis."
    )
    assert compose("beschliesst", "Kreistag", "dass die Stelle besetzt wird") == (
        "Der Kreistag beschließt, dass die Stelle besetzt wird."
    )
    assert compose(
        "genehmigt", "Bauausschuss", "die Vergabe", instruction="dem Rat zu berichten"
    ) == (
        "Der Bauausschuss genehmigt die Vergabe. Die Verwaltung wird beauftragt, dem Rat zu "
        "berichten."
    )


@pytest.mark.parametrize(
    ("raw", "form", "expected"),
    [
        ("die Fortschreibung des Konzepts", "beschliesst", "die Fortschreibung des Konzepts"),
        ("Die Fortschreibung des Konzepts.", "beschliesst", "die Fortschreibung des Konzepts"),
        ("Der Rat beschließt das Konzept [2].", "beschliesst", "das Konzept"),
        ("der Vergabe zu", "stimmt_zu", "der Vergabe"),
        ("die Vergabe", "stimmt_zu", ""),  # not in the dative
        ("den Bericht zur Kenntnis", "kenntnis", "den Bericht"),
        ("", "beschliesst", ""),
        ("das Konzept. Es gilt ab sofort", "beschliesst", ""),  # a second sentence
        ("**das Konzept**", "beschliesst", ""),
        ("☐ die Maßnahme", "beschliesst", ""),
        ("eins\nzwei", "beschliesst", ""),
        ("x" * 401, "beschliesst", ""),
        ("Sanierung der Sporthalle", "beschliesst", "die Sanierung der Sporthalle"),
        ("Bauarbeiten am Rathaus", "genehmigt", "die Bauarbeiten am Rathaus"),
        ("Integrationskonzept 2023-2026", "beschliesst", "das Integrationskonzept 2023-2026"),
        ("Bebauungsplan Nord", "beschliesst", ""),  # masculine: "den", not guessed
        ("Ausscheiden der Stadträtin", "beschliesst", "das Ausscheiden der Stadträtin"),
        ("Vorhaben Nordring", "beschliesst", "das Vorhaben Nordring"),
        ("Maßnahmen im Quartier", "beschliesst", "die Maßnahmen im Quartier"),
        ("folgende Satzung", "beschliesst", "folgende Satzung"),
    ],
)
def test_clean_object(raw: str, form: str, expected: str) -> None:
    assert clean_object(raw, form) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("die Maßnahmen umzusetzen", "die Maßnahmen umzusetzen"),
        ("Die Verwaltung wird beauftragt, dem Rat 2027 zu berichten.", "dem Rat 2027 zu berichten"),
        (
            "die Umsetzung zu steuern und zu kontrollieren",
            "die Umsetzung zu steuern und zu kontrollieren",
        ),
        ("", ""),
        ("Umsetzung der Maßnahmen", ""),  # no infinitive
        ("zu erstellen", ""),  # a bare verb (eval drafts, seed 002)
        ("zu beschließen", ""),
        ("zu berichten. Außerdem zu prüfen", ""),
    ],
)
def test_clean_instruction(raw: str, expected: str) -> None:
    assert clean_instruction(raw) == expected


def test_choose_form_from_the_art_the_betreff_and_similar_resolutions() -> None:
    assert choose_form(_request(art="Mitteilungsvorlage"), []) == "kenntnis"
    assert choose_form(_request(betreff="Sachstandsbericht Integration 2025"), []) == "kenntnis"
    genehmigt = "Der Bauausschuss genehmigt die Vergabe folgender Arbeiten: Rohbau."
    zu = "Der Bauausschuss stimmt der Vergabe folgender Arbeiten zu: Dach."
    assert choose_form(_request(), [genehmigt, genehmigt, zu]) == "genehmigt"
    assert choose_form(_request(), [genehmigt, zu]) == "beschliesst"  # no majority of two
    other_body = "Der Gemeinderat genehmigt die Vergabe."
    assert choose_form(_request(), [other_body, other_body]) == "beschliesst"
    assert choose_form(_request(), []) == "beschliesst"


def test_recommending_bodies_are_those_before_the_decision() -> None:
    steps = [
        Beratungsschritt(gremium="Ortschaftsrat", rolle="Anhörung"),
        Beratungsschritt(gremium="Sozialausschuss", rolle="Vorberatung"),
        Beratungsschritt(gremium="Hauptausschuss"),
        Beratungsschritt(gremium="Gemeinderat", rolle="Entscheidung"),
        Beratungsschritt(gremium="Beirat", rolle="Vorberatung"),
    ]
    request = _request(gremium="Gemeinderat")
    assert recommending_bodies(request, steps) == ["Sozialausschuss", "Hauptausschuss"]
    assert recommending_bodies(request, []) == []


def test_fallback_object_points_at_the_betreff() -> None:
    assert fallback_object(" „Neue Satzung“ ", "beschliesst") == (
        "die Vorlage „Neue Satzung“ wie in der Sachdarstellung dargestellt"
    )
    assert fallback_object("Neue Satzung", "stimmt_zu").startswith("der Vorlage")
    assert fallback_object("Bericht", "kenntnis") == "die Ausführungen zu „Bericht“"
