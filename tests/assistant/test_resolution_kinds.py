"""Matters whose resolution code writes whole (assistant/resolution_kinds.py)."""

from __future__ import annotations

import pytest

from assistant.resolution_kinds import fixed_resolution

AUSLEGUNG = (
    'Vorhabenbezogener Bebauungsplan "Karlsruher Weg 17", Karlsruhe-Nordweststadt: '
    "Auslegungsbeschluss gem. § 3 Abs. 2 Baugesetzbuch"
)


def _written(betreff: str, form: str = "beschliesst") -> str:
    fixed = fixed_resolution(betreff, form)  # type: ignore[arg-type]
    assert fixed is not None, betreff
    return fixed.written("Gemeinderat", ["Planungsausschuss"])


def test_the_laying_out_of_a_bebauungsplan_continues_its_procedure() -> None:
    assert _written(AUSLEGUNG) == (
        "Der Gemeinderat beschließt nach Vorberatung im Planungsausschuss, das Verfahren zur "
        "Aufstellung des vorhabenbezogenen Bebauungsplans „Karlsruher Weg 17“, "
        "Karlsruhe-Nordweststadt, mit der öffentlichen Auslegung des Planentwurfs fortzusetzen."
    )
    plain = _written('Bebauungsplan "Günther-Klotz-Anlage": Auslegungsbeschluss')
    assert "des Bebauungsplans „Günther-Klotz-Anlage“ mit der öffentlichen" in plain


def test_an_award_keeps_the_chosen_verb_and_commissions_the_award() -> None:
    betreff = "SSP Mühlburg, Umbau der Sonnenstraße Vergabe von Tiefbauarbeiten"
    assert _written(betreff, "genehmigt") == (
        "Der Gemeinderat genehmigt nach Vorberatung im Planungsausschuss die Vergabe "
        f"„{betreff}“ wie in der Sachdarstellung dargestellt. "
        "Die Verwaltung wird beauftragt, den Zuschlag zu erteilen."
    )
    assert "stimmt nach Vorberatung im Planungsausschuss der Vergabe „" in _written(
        betreff, "stimmt_zu"
    )


def test_donations_are_accepted() -> None:
    assert _written("Annahme des Angebots von Zuwendungen").endswith(
        "die Annahme der angebotenen Zuwendungen."
    )


@pytest.mark.parametrize(
    ("betreff", "form"),
    [
        ("Fortschreibung des Integrationskonzepts", "beschliesst"),
        ('Bebauungsplan "Gottesaue-Ostauepark": Satzungsbeschluss gem. § 10 BauGB', "beschliesst"),
        ("Vergabe der Reinigungsleistungen: Sachstandsbericht", "kenntnis"),
        ("Vergabegrundsätze für Wohnbaugrundstücke", "beschliesst"),
    ],
)
def test_other_matters_have_no_fixed_wording(betreff: str, form: str) -> None:
    assert fixed_resolution(betreff, form) is None  # type: ignore[arg-type]


def test_nothing_is_stated_that_the_betreff_does_not_state() -> None:
    text = _written(AUSLEGUNG)
    assert "§" not in text and "BauGB" not in text  # the Betreff's § stays in the Betreff
