"""„Sachlicher“ by rules: what goes, what stays (assistant/plain_style.py)."""

from __future__ import annotations

import pytest

from assistant.plain_style import matter_of_fact


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Die Sanierung ist sehr dringend.", "Die Sanierung ist dringend."),
        ("Eine Erweiterung ist dringend erforderlich.", "Eine Erweiterung ist erforderlich."),
        (
            "Die Frist muss unbedingt beachtet werden.",
            "Die Frist muss beachtet werden.",
        ),
        (
            "Es gab eine hervorragende Zusammenarbeit mit dem Jobcenter.",
            "Es gab eine Zusammenarbeit mit dem Jobcenter.",
        ),
        (
            "Die Maßnahme konnte leider nicht umgesetzt werden.",
            "Die Maßnahme konnte nicht umgesetzt werden.",
        ),
        (
            "Die Kosten sind, bedauerlicherweise, gestiegen.",
            "Die Kosten sind gestiegen.",
        ),
        ("Leider, die Mittel reichen nicht.", "Die Mittel reichen nicht."),
        ("Das Ergebnis ist erfreulich!", "Das Ergebnis ist erfreulich."),
        ("Die Zahl der Plätze ist massiv gestiegen!!", "Die Zahl der Plätze ist gestiegen."),
    ],
)
def test_judging_words_go(before: str, after: str) -> None:
    result = matter_of_fact(before)
    assert result.text == after
    assert result.removed


@pytest.mark.parametrize(
    "text",
    [
        # a predicate keeps its adjective: the sentence would lose its complement
        "Die Zusammenarbeit war hervorragend.",
        # a negated intensifier limits the statement („not necessarily“)
        "Eine Erweiterung ist nicht unbedingt erforderlich.",
        # a sentence adverb opening a sentence: German word order would need a new sentence
        "Leider konnte die Maßnahme nicht umgesetzt werden.",
        # after a comma it opens a clause
        "Wir haben geprüft, leider ist es nicht möglich.",
        # an intensifier before a preposition is no intensifier
        "Die Zahl stieg extrem in den Sommermonaten.",
        # figures, citations and line breaks stay
        "Der Zuschuss beträgt 20.000 EUR [1].\nDer Rat hat am 12.03.2026 beraten.",
    ],
)
def test_what_stays(text: str) -> None:
    assert matter_of_fact(text).text == text


def test_removed_words_are_reported_in_order() -> None:
    result = matter_of_fact("Die sehr gute Lage ist leider knapp! Eine großartige Leistung.")
    assert result.text == "Die gute Lage ist knapp. Eine Leistung."
    assert result.removed == ("sehr", "großartige", "leider", "!")


def test_a_plain_text_is_left_alone() -> None:
    result = matter_of_fact("Der Ausschuss empfiehlt die Fortschreibung des Konzepts.")
    assert result.removed == ()
