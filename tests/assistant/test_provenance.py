"""Where each number of a draft comes from (``assistant.usecases.provenance``)."""

from __future__ import annotations

from assistant.schema import Citation, Draft, DraftRequest
from assistant.usecases.provenance import provenance
from assistant.validation import validate

REQUEST = DraftRequest(
    betreff="Sanierung der Grundschule Nord",
    gremium="Gemeinderat",
    fakten="- Kosten von 1.500.000 Euro\n- Baubeginn am 05.12.2026",
)
PASSAGE = (
    "Der Gemeinderat hat am 14.07.2019 die Sanierung beschlossen. Die Förderung beträgt "
    "nach § 14 Abs. 2 KAG bis zu 60 Prozent der Kosten; der Rest wird aus Rücklagen gedeckt."
)
CITATIONS = [
    Citation(
        n=1,
        vorlage_id="a" * 16,
        vorlagen_nr="2019/0361",
        section="sachdarstellung",
        passage=PASSAGE,
    ),
    Citation(n=2, vorlage_id="b" * 16, section="sachdarstellung", passage="Im Jahr 2015 …"),
]


def draft(sachdarstellung: str, beschluss: str = "Der Gemeinderat beschließt.") -> Draft:
    return Draft(
        request=REQUEST,
        beschlussvorschlag=beschluss,
        sachdarstellung=sachdarstellung,
        citations=CITATIONS,
    )


def test_each_fact_is_from_the_request_a_source_or_not_grounded() -> None:
    text = (
        "Die Sanierung kostet 1,5 Mio. € und beginnt am 5. Dezember 2026. Bereits am "
        "14.07.2019 [1] wurde sie beschlossen; gefördert werden nach § 14 Abs. 2 KAG bis zu "
        "60 % [1]. Ein Gutachten von 2011 liegt vor."
    )
    found = provenance(draft(text))
    by_text = {b.text: b for b in found.belege}
    assert [b.text for b in found.belege] == [
        "1,5 Mio. €",
        "5. Dezember 2026",
        "14.07.2019",
        "§ 14 Abs. 2 KAG",
        "60 %",
        "2011",
    ]
    amount = by_text["1,5 Mio. €"]
    assert (amount.status, amount.label, amount.art) == ("angaben", "aus Ihren Angaben", "Betrag")
    assert (amount.section, text[amount.start : amount.end]) == ("sachdarstellung", "1,5 Mio. €")
    assert by_text["5. Dezember 2026"].status == "angaben"
    day = by_text["14.07.2019"]
    assert (day.status, day.label, day.quellen, day.stelle_quelle) == (
        "quelle",
        "aus Quelle [1]",
        [1],
        1,
    )
    assert day.stelle is not None and "14.07.2019" in day.stelle
    assert day.stelle_start is not None and day.stelle_end is not None
    assert PASSAGE[day.stelle_start : day.stelle_end] == "14.07.2019"
    paragraph = by_text["§ 14 Abs. 2 KAG"]
    assert paragraph.status == "quelle" and paragraph.art == "Vorschrift"
    assert by_text["60 %"].stelle is not None and "60 Prozent" in by_text["60 %"].stelle
    missing = by_text["2011"]
    assert (missing.status, missing.label, missing.quellen, missing.stelle) == (
        "nicht_belegt",
        "nicht belegt",
        [],
        None,
    )
    assert found.summary == "6 Angaben: 2 aus Ihren Angaben, 3 aus Quellen, 1 nicht belegt"
    assert found.sections == {
        "beschlussvorschlag": "Keine Zahlen, Daten, Beträge, Vorschriften oder Vorlagen-Nummern.",
        "sachdarstellung": found.summary,
    }


def test_the_same_facts_as_the_grounded_rule() -> None:
    text = "Kosten 1.500.000 Euro, 2011 und 2019/0361 [1], 2015 ohne Verweis."
    checked = draft(text)
    ungrounded = {
        f.token
        for f in validate(checked).errors + validate(checked).warnings
        if f.rule == "grounded"
    }
    found = provenance(checked)
    assert {b.text for b in found.belege if b.status == "nicht_belegt"} == ungrounded
    number = next(b for b in found.belege if b.text == "2019/0361")
    # the Vorlagen-Nr. of source [1] grounds it, but no passage says it
    assert (number.status, number.quellen, number.stelle) == ("quelle", [1], None)
    # source [2] says 2015 but is not cited: not grounded, as the rule counts it
    assert next(b for b in found.belege if b.text == "2015").status == "nicht_belegt"


def test_a_draft_without_facts() -> None:
    found = provenance(draft("Die Verwaltung berichtet."))
    assert found.belege == []
    assert found.summary.startswith("Keine Zahlen")
