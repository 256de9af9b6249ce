"""The checks that compare a draft with its sources (assistant/validation): grounded and
citations. The drafts and requests are those of ``tests/assistant/test_validation.py``."""

from __future__ import annotations

import pytest

from assistant.schema import Draft
from assistant.validation import extract_facts, validate
from tests.assistant.test_validation import DATA, SACHDARSTELLUNG, draft, errors, request

# --- grounded -----------------------------------------------------------------------------------

UNGROUNDED = "steht weder in Ihren Angaben noch in einer zitierten Quelle."


def test_grounded_catches_the_trial_case() -> None:
    """The bundled model wrote "wurde 2018 und 2020 fortgeschrieben" without such years given."""
    d = Draft.model_validate_json((DATA / "trial_invented_years.json").read_text("utf-8"))
    report = validate(d)
    assert [f.token for f in report.errors] == ["2018", "2020"]
    assert report.errors[0].message == f"Die Zahl „2018“ {UNGROUNDED}"
    assert {f.rule for f in report.errors} == {"grounded"}


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("Das Konzept wurde 2018 und 2020 fortgeschrieben.", ["2018", "2020"]),
        ("Die Kosten betragen 350.000 Euro.", ["350.000 Euro"]),
        ("Die Kosten betragen 12.500 €.", ["12.500 €"]),
        ("Das ergibt 1,5 Mio. Euro.", ["1,5 Mio. Euro"]),
        ("Vgl. die Vorlage BV/2023/999.", ["BV/2023/999"]),
        ("Vgl. die Vorlage 2017/1900.", ["2017/1900"]),
        ("Der Ausschuss tagte am 07.11.2023.", ["07.11.2023"]),
        ("Der Ausschuss tagte am 6. Dezember 2023.", ["6. Dezember 2023"]),
        ("Die Quote liegt bei 17 %.", ["17 %"]),
        ("Rechtsgrundlage ist § 5 Abs. 3 BauGB.", ["§ 5 Abs. 3 BauGB"]),
        ("Die Sitzung beginnt um 17:30 Uhr.", ["17:30 Uhr"]),
        ("Es gibt 14 Träger.", ["14"]),
        ("Der Rat beschließt: 7. Die Mittel werden bereitgestellt.", ["7"]),  # no item 7
        # in a passage the draft does not cite: not grounded
        ("Die Moderation kostete 4.800 Euro.", ["4.800 Euro"]),
    ],
)
def test_grounded_rejects_invented_tokens(sentence: str, tokens: list[str]) -> None:
    d = draft(sachdarstellung=f"{SACHDARSTELLUNG} {sentence}")
    found = errors(d, "grounded")
    assert [f.token for f in found] == tokens
    for f in found:
        assert f.field == "sachdarstellung" and f.start is not None and f.end is not None
        assert d.sachdarstellung[f.start : f.end] == f.token
        assert f.message.endswith(UNGROUNDED) and f"„{f.token}“" in f.message


@pytest.mark.parametrize(
    ("sentence", "fakten"),
    [
        ("Die Kosten betragen 1.500,00 Euro.", "Kosten: 1500 EUR"),
        ("Die Kosten betragen 1.500 €.", "Kosten: 1.500,00 Euro"),
        ("Die Kosten betragen 1,5 Mio. €.", "Kosten: 1.500.000 Euro"),
        ("Der Ausschuss tagt am 5.12.2023.", "Sitzung am 05.12.2023"),
        ("Der Ausschuss tagt am 05.12.2023.", "Sitzung am 5. Dezember 2023"),
        ("Der Ausschuss tagt im Dezember 2023.", "Sitzung am 5. Dezember 2023"),
        ("Im Jahr 2023 tagt der Ausschuss.", "Sitzung am 5. Dezember 2023"),
        ("Die Quote liegt bei 17 Prozent.", "Quote: 17 %"),
        ("Rechtsgrundlage ist § 3 BauGB.", "nach § 3 Abs. 2 BauGB"),
        ("Die Vorlage 2022/366 berichtete darüber.", "siehe Drucksache 2022/366"),
        ("Die Moderation kostete 4.800 Euro [2].", ""),  # cited passage
        ("Dies entspricht der Vorlage BV/2021/077 [2].", ""),
        ("Dies entspricht der Vorlage BV/2023/162 [1].", ""),  # citation metadata
        ("Die Sitzung am 21.12.2023 entscheidet.", ""),  # a Beratungsfolge date
        ("Die Beratung ist in Anlage 3 dokumentiert [1, 2].", ""),  # not facts
        ("Die Vorlage verfolgt zwei Ziele:\n1. Teilhabe.\n2) Vielfalt.", ""),
        ("Betroffen sind CO2-Emissionen und die A7.", ""),
        # the source's list item repeated with the lines joined
        ("Der Rat beschließt: 3. Die Mittel werden bereitgestellt.", "Beschluss:\n3. Mittel"),
    ],
)
def test_grounded_accepts_normalised_forms(sentence: str, fakten: str) -> None:
    req = request(fakten=f"Das Integrationskonzept wurde 2014 fortgeschrieben.\n{fakten}")
    d = draft(request=req, sachdarstellung=f"{SACHDARSTELLUNG} {sentence}")
    assert errors(d, "grounded") == []


def test_grounded_range_in_betreff_gives_both_years() -> None:
    keys = {k for f in extract_facts("Integrationskonzept 2023 - 2026") for k in f.provides}
    assert {k[1] for k in keys} == {2023, 2026}


# --- citations ----------------------------------------------------------------------------------


def test_citations_unknown_number() -> None:
    d = draft(
        sachdarstellung=f"{SACHDARSTELLUNG} Dies wird in Wedel seit Jahren so gehandhabt [3]."
    )
    found = errors(d, "citations")
    assert [f.token for f in found] == ["[3]"]
    assert "2 gefundenen Quellen" in found[0].message


def test_citations_duplicate_numbers() -> None:
    base = draft()
    d = draft(citations=[base.citations[0], base.citations[0]])
    assert [f.field for f in errors(d, "citations")] == ["citations"]


COPIED = (
    "Die Stadt Wedel hat bereits 2009 mit einem Ratsbeschluss entschieden, dass ein "
    "Integrationskonzept erstellt werden soll, und hat damit die Weichen gestellt."
)


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        (COPIED, False),
        (COPIED.rstrip(".") + " [1].", True),
        (COPIED + " Dies bleibt richtig [1].\n\nNeuer Absatz.", True),
        (COPIED + "\n\nNeuer Absatz [1].", False),
    ],
)
def test_citations_verbatim_passages_are_marked(text: str, marked: bool) -> None:
    found = errors(draft(sachdarstellung=text), "citations")
    assert (found == []) is marked
    if not marked:
        assert "Quelle [1]" in found[0].message and found[0].field == "sachdarstellung"


def test_citations_no_markers_in_the_beschlussvorschlag() -> None:
    base = draft()
    d = draft(beschlussvorschlag=base.beschlussvorschlag.rstrip(".") + " [1].")
    found = errors(d, "citations")
    assert [(f.field, f.token) for f in found] == [("beschlussvorschlag", "[1]")]
    assert "Sachdarstellung" in found[0].message


@pytest.mark.parametrize(("sach_marker", "ok"), [(" [1]", True), ("", False)])
def test_citations_a_quote_in_the_beschlussvorschlag_is_marked_in_the_sachdarstellung(
    sach_marker: str, ok: bool
) -> None:
    base = draft()
    d = draft(
        beschlussvorschlag=f"Der Rat der Stadt beschließt: {COPIED}",
        sachdarstellung=base.sachdarstellung.replace(" [1]", "").rstrip(".") + f"{sach_marker}.",
    )
    found = [f for f in errors(d, "citations") if f.field == "beschlussvorschlag"]
    assert (found == []) is ok


def test_citations_own_words_need_no_marker() -> None:
    """A passage that repeats the clerk's own facts is not a quotation."""
    d = draft(request=request(fakten=COPIED), sachdarstellung=COPIED)
    assert errors(d, "citations") == []
