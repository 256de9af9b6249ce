"""The checks of a draft's wording (assistant/validation): placeholders and style. The
drafts are those of ``tests/assistant/test_validation.py``."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.validation import validate
from tests.assistant.test_validation import SACHDARSTELLUNG, draft, errors, findings

# --- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "XX",
        "XXX",
        "[...]",
        "[…]",
        "TODO",
        "{{",
        "<Name>",
        "N.N.",
        "???",
        "[Datum]",
        "[Betrag einfügen]",
        "Musterstadt",
        "_____",
        "TT.MM.JJJJ",
    ],
)
def test_placeholders_rejects(token: str) -> None:
    text = f"{SACHDARSTELLUNG} Die Sitzung leitet {token} bis zum Ende."
    found = errors(draft(sachdarstellung=text), "placeholders")
    assert [f.token for f in found] == [token]
    assert found[0].start is not None and text[found[0].start : found[0].end] == token


@pytest.mark.parametrize(
    "sentence",
    [
        "Siehe die Quelle [1] und [1, 2].",
        "Mittel bereitgestellt: [ja] [nein]",
        "Die Stadt Wedel wird beraten.",
        "Erfasst wurden 10 bis 12 Träger?",
    ],
)
def test_placeholders_accepts(sentence: str) -> None:
    assert errors(draft(sachdarstellung=f"{SACHDARSTELLUNG} {sentence}"), "placeholders") == []


# --- style --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("Gerne! Hier ist der Entwurf der Sachdarstellung.", "Gerne!"),
        ("Ich hoffe, das hilft.", "Ich hoffe"),
        ("Als KI kann ich keine Haftung übernehmen.", "Als KI"),
        ("Wir schlagen vor, das Konzept zu beschließen.", "Wir"),
        ("Die Verwaltung bittet uns um Zustimmung.", "uns"),
        ("Haben Sie weitere Fragen?", "Haben Sie weitere Fragen"),
    ],
)
def test_style_rejects(text: str, token: str) -> None:
    found = errors(draft(sachdarstellung=f"{SACHDARSTELLUNG} {text}"), "style")
    assert token in [f.token for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "Das Programm „Wir sind Wedel“ läuft weiter.",
        "Gefördert durch „WIR – Wegweisende Integrationsprojekte Realisieren“.",
        "Das Förderprogramm WIR läuft weiter.",
        "Hier ist zu beachten, dass die Mittel begrenzt sind.",
        "Die Verwaltung steht für Rückfragen gerne zur Verfügung.",
    ],
)
def test_style_accepts(text: str) -> None:
    assert findings(draft(sachdarstellung=f"{SACHDARSTELLUNG} {text}"), "style") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sachdarstellung": "Kurz."}, "sachdarstellung"),
        ({"beschlussvorschlag": "Der Rat beschließt. " * 200}, "beschlussvorschlag"),
        # Markdown in the clerk's text; in a generated section it is a formularreste error
        (
            {"finanzielle_auswirkungen": "**Kosten**\n\nFür die Moderation entstehen 12.000 €."},
            "finanzielle_auswirkungen",
        ),
        ({"sachdarstellung": SACHDARSTELLUNG + " Dies betrifft unsere Stadt."}, "sachdarstellung"),
    ],
)
def test_style_warnings(changes: dict[str, Any], field: str) -> None:
    report = validate(draft(**changes), rules=["style"])
    assert report.ok
    assert [w.field for w in report.warnings] == [field]
