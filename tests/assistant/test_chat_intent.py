"""Reading a clerk's chat message by rules (:mod:`assistant.usecases.chat`): commands, the
draft form from German free text, dates relative to a fixed day, and the questions for what is
missing. Nothing may be invented: every value in the form stands in the message."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from assistant.schema import Beratungsschritt, DraftRequest
from assistant.usecases.chat import (
    HELP,
    MAX_MESSAGE_CHARS,
    ChatIntent,
    ChatRequest,
    read_form,
    read_message,
    read_request,
)

TODAY = date(2026, 11, 30)


def _steps(intent: ChatIntent) -> list[tuple[str, str | None, date | None]]:
    assert intent.form is not None
    return [(s.gremium, s.rolle, s.datum) for s in intent.form.beratungsfolge]


def _required(intent: ChatIntent) -> dict[str, str]:
    return {m.field: m.question for m in intent.missing if m.required}


def _optional(intent: ChatIntent) -> set[str]:
    return {m.field for m in intent.missing if not m.required}


# --- commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["hilfe", "Hilfe", "HILFE!", "?", "@Vorlagen hilfe", "/vorlage hilfe"]
)
def test_help_is_the_help(text: str) -> None:
    intent = read_message(text, TODAY)
    assert intent.kind == "hilfe" and intent.hint is None and not intent.complete


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "Die Nachricht ist leer."),
        ("   ", "Die Nachricht ist leer."),
        ("Hallo, kannst du mir helfen?", "nicht verstanden"),
        ("Bitte einen Beschluss zur Kita", "nicht verstanden"),
        ("Entwurfsplanung Kita", "nicht verstanden"),  # not the command "Entwurf"
        ("suche", "Wonach soll gesucht werden"),
        ("Suche:   ", "Wonach soll gesucht werden"),
    ],
)
def test_anything_else_is_help_with_a_german_hint(text: str, hint: str) -> None:
    intent = read_message(text, TODAY)
    assert intent.kind == "hilfe" and intent.hint is not None and hint in intent.hint
    assert intent.form is None and intent.search is None


def test_the_help_names_the_commands() -> None:
    for command in ("Entwurf:", "Suche:", "Hilfe"):
        assert command in HELP


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("suche Kita Neubau", "Kita Neubau"),
        ("Suche: Integrationskonzept Fortschreibung", "Integrationskonzept Fortschreibung"),
        ("suche nach Hundesteuer", "Hundesteuer"),
        ("Suche ähnliche Vorlagen zu Radverkehr", "Radverkehr"),
        ("@Vorlagen suche - Straßenbeleuchtung LED", "Straßenbeleuchtung LED"),
    ],
)
def test_search_takes_the_words_after_the_command(text: str, query: str) -> None:
    intent = read_message(text, TODAY)
    assert intent.kind == "suche" and intent.search is not None
    assert intent.search.query == query and intent.form is None


def test_a_search_over_the_limit_is_a_german_hint_not_an_error() -> None:
    intent = read_message("suche " + "Kita " * 300, TODAY)
    assert intent.kind == "hilfe" and intent.hint == (
        "Die Suchanfrage ist zu lang (höchstens 1000 Zeichen)."
    )


# --- the draft form -----------------------------------------------------------------------------


def test_the_chat_page_example() -> None:
    intent = read_message(
        "Entwurf: Fortschreibung Integrationskonzept, der Rat entscheidet am 12.03., "
        "Sozialausschuss berät vorher am 20.02.",
        TODAY,
    )
    assert intent.kind == "entwurf" and intent.form is not None
    assert intent.form.betreff == "Fortschreibung Integrationskonzept"
    assert intent.form.gremium == "Rat"
    assert _steps(intent) == [
        ("Sozialausschuss", "Vorberatung", date(2027, 2, 20)),
        ("Rat", "Entscheidung", date(2027, 3, 12)),
    ]
    assert intent.complete and _required(intent) == {}
    # optional questions for what the message did not state; nothing filled in for them
    assert _optional(intent) == {"fakten", "finanzielle_auswirkungen"}
    assert intent.form.fakten == "" and intent.form.finanzielle_auswirkungen is None
    assert intent.form.kommune is None


def test_facts_are_split_and_kept_word_for_word() -> None:
    intent = read_message(
        "Entwurf: Neubau Kita Lindenweg, Gemeinderat beschließt am 12.3.2027; "
        "Fakten: Kosten 2,4 Mio. Euro; Baubeginn 2027",
        TODAY,
    )
    assert intent.form is not None
    assert intent.form.betreff == "Neubau Kita Lindenweg"
    assert intent.form.gremium == "Gemeinderat"
    assert _steps(intent) == [("Gemeinderat", "Entscheidung", date(2027, 3, 12))]
    assert intent.form.fakten == "- Kosten 2,4 Mio. Euro\n- Baubeginn 2027"
    assert intent.complete


def test_a_message_over_several_lines_with_labels() -> None:
    intent = read_message(
        "Entwurf: Neubau Kita Lindenweg\n"
        "Der Gemeinderat entscheidet am 12.3.\n"
        "Der Jugendhilfeausschuss berät vorher am 26.2.\n"
        "Kommune: Gemeinde Musterdorf\n"
        "Fakten:\n- Kosten 2,4 Mio. Euro\n- 75 Plätze\n"
        "Finanzen: Haushalt 2027, Produkt 3.6.5",
        TODAY,
    )
    assert intent.form is not None
    assert intent.form.betreff == "Neubau Kita Lindenweg"
    assert intent.form.kommune == "Gemeinde Musterdorf"
    assert intent.form.fakten == "- Kosten 2,4 Mio. Euro\n- 75 Plätze"
    assert intent.form.finanzielle_auswirkungen == "Haushalt 2027, Produkt 3.6.5"
    assert _steps(intent) == [
        ("Jugendhilfeausschuss", "Vorberatung", date(2027, 2, 26)),
        ("Gemeinderat", "Entscheidung", date(2027, 3, 12)),
    ]
    assert intent.complete and intent.missing == []


@pytest.mark.parametrize(
    ("text", "betreff", "steps"),
    [
        (
            "entwurf Sanierung der Grundschule Nord, 2. Bauabschnitt. Der Bauausschuss berät am "
            "3. Februar und der Stadtrat entscheidet am 24. Februar 2027.",
            "Sanierung der Grundschule Nord, 2. Bauabschnitt",
            [
                ("Bauausschuss", "Vorberatung", date(2027, 2, 3)),
                ("Stadtrat", "Entscheidung", date(2027, 2, 24)),
            ],
        ),
        (
            "Entwurf: Bebauungsplan Am Mühlbach, Ortsbeirat wird angehört am 2.2., "
            "Bauausschuss empfiehlt am 9.2., Gemeinderat beschließt am 23.2.",
            "Bebauungsplan Am Mühlbach",
            [
                ("Ortsbeirat", "Anhörung", date(2027, 2, 2)),
                ("Bauausschuss", "Vorberatung", date(2027, 2, 9)),
                ("Gemeinderat", "Entscheidung", date(2027, 2, 23)),
            ],
        ),
        (
            "Entwurf: Zuschuss an den Seniorenbeirat, am 12.3. entscheidet der Gemeinderat nach "
            "Vorberatung im Ausschuss für Soziales und Kultur",
            "Zuschuss an den Seniorenbeirat",  # a body in the Betreff, but it does not act
            [
                ("Ausschuss für Soziales und Kultur", "Vorberatung", None),
                ("Gemeinderat", "Entscheidung", date(2027, 3, 12)),
            ],
        ),
        (
            "Entwurf: Satzung über die Erhebung von Gebühren für die Benutzung der "
            "Obdachlosenunterkünfte, Haupt- und Finanzausschuss berät am 1.3., Rat beschließt "
            "am 15.3.",
            "Satzung über die Erhebung von Gebühren für die Benutzung der Obdachlosenunterkünfte",
            [
                ("Haupt- und Finanzausschuss", "Vorberatung", date(2027, 3, 1)),
                ("Rat", "Entscheidung", date(2027, 3, 15)),
            ],
        ),
        (
            "Entwurf: Kita, Sozialausschuss und Jugendhilfeausschuss beraten am 20.2., "
            "Kreistag beschließt am 12.3.",
            "Kita",
            [
                ("Sozialausschuss", "Vorberatung", date(2027, 2, 20)),
                ("Jugendhilfeausschuss", "Vorberatung", date(2027, 2, 20)),
                ("Kreistag", "Entscheidung", date(2027, 3, 12)),
            ],
        ),
        (
            "Entwurf: Kita. Rat entscheidet am 12.03. Sozialausschuss berät vorher am 20.02.",
            "Kita",
            [
                ("Sozialausschuss", "Vorberatung", date(2027, 2, 20)),
                ("Rat", "Entscheidung", date(2027, 3, 12)),
            ],
        ),
        (
            "Entwurf: Neubau Kita Lindenweg Gemeinderat beschließt am 12.3.",
            "Neubau Kita Lindenweg",
            [("Gemeinderat", "Entscheidung", date(2027, 3, 12))],
        ),
        (
            "Entwurf: Kita Lindenweg – Entscheidung im Rat am 12.3.",
            "Kita Lindenweg",
            [("Rat", "Entscheidung", date(2027, 3, 12))],
        ),
        (
            "Entwurf: Kita, in der Sitzung des Rates am 12.3. wird entschieden",
            "Kita",
            [("Rat", "Entscheidung", date(2027, 3, 12))],
        ),
        (
            "Entwurf: Wahl der Schiedsperson. Der Rat wählt am 12.3.",
            "Wahl der Schiedsperson",
            [("Rat", "Entscheidung", date(2027, 3, 12))],
        ),
        (
            "Entwurf: Änderung der Gebührensatzung zum 01.01.2027, Rat entscheidet am "
            "Donnerstag, 10.12.",
            "Änderung der Gebührensatzung zum 01.01.2027",  # a date in the Betreff stays there
            [("Rat", "Entscheidung", date(2026, 12, 10))],
        ),
        (
            "Entwurf für den Neubau eines Feuerwehrhauses, Beratungsfolge: Feuerwehrausschuss "
            "(Vorberatung) 20.01. -> Rat (Entscheidung) 17.02.",
            "Neubau eines Feuerwehrhauses",
            [
                ("Feuerwehrausschuss", "Vorberatung", date(2027, 1, 20)),
                ("Rat", "Entscheidung", date(2027, 2, 17)),
            ],
        ),
        (
            "@Vorlagen ENTWURF - Kita Lindenweg; Gremium: Gemeindevertretung",
            "Kita Lindenweg",
            [("Gemeindevertretung", "Entscheidung", None)],
        ),
    ],
)
def test_real_shaped_phrasings(
    text: str, betreff: str, steps: list[tuple[str, str | None, date | None]]
) -> None:
    intent = read_message(text, TODAY)
    assert intent.form is not None
    assert intent.form.betreff == betreff
    assert _steps(intent) == steps
    deciding = [s for s in steps if s[1] == "Entscheidung"]
    assert intent.form.gremium == deciding[0][0]
    assert intent.complete
    for step in intent.form.beratungsfolge:
        assert step.gremium in text  # every body as the clerk wrote it


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("12.03.", date(2027, 3, 12)),
        ("12.3.", date(2027, 3, 12)),
        ("12.03", date(2027, 3, 12)),
        ("12.03.2027", date(2027, 3, 12)),
        ("12.3.27", date(2027, 3, 12)),
        ("12. März", date(2027, 3, 12)),
        ("12. März 2028", date(2028, 3, 12)),
        ("12. Mrz.", date(2027, 3, 12)),
        ("2027-03-12", date(2027, 3, 12)),
        ("30.11.", date(2026, 11, 30)),  # today is not in the past
        ("29.11.", date(2027, 11, 29)),  # yesterday's day and month: next year
        ("10.12.", date(2026, 12, 10)),
        ("29.02.", date(2028, 2, 29)),  # the next 29 February
    ],
)
def test_dates_without_a_year_are_the_next_such_day(written: str, meant: date) -> None:
    intent = read_message(f"Entwurf: Kita, Rat entscheidet am {written}", TODAY)
    assert _steps(intent) == [("Rat", "Entscheidung", meant)]
    assert intent.complete


@pytest.mark.parametrize("written", ["31.02.", "32.03.", "12.13.", "30.02.2027", "29.02.2027"])
def test_a_day_that_does_not_exist_is_asked_about_not_guessed(written: str) -> None:
    intent = read_message(f"Entwurf: Kita, Rat entscheidet am {written}", TODAY)
    assert _steps(intent) == [("Rat", "Entscheidung", None)]
    assert not intent.complete
    question = _required(intent)["beratungsfolge[0].datum"]
    assert question == f"„{written}“ ist kein gültiges Datum; an welchem Tag entscheidet der Rat?"


def test_a_missing_deciding_body_is_a_question() -> None:
    intent = read_message("Entwurf: Jahresabschluss 2025; Sozialausschuss berät am 20.01.", TODAY)
    assert intent.form is not None and intent.form.gremium == ""
    assert not intent.complete
    assert _required(intent) == {"gremium": "Welches Gremium entscheidet (Sozialausschuss)?"}
    assert _steps(intent) == [("Sozialausschuss", "Vorberatung", date(2027, 1, 20))]

    bare = read_message("entwurf Neubau Kita", TODAY)
    assert bare.form is not None and bare.form.betreff == "Neubau Kita"
    assert bare.form.gremium == "" and bare.form.beratungsfolge == []
    assert _required(bare) == {"gremium": "Welches Gremium entscheidet?"}


def test_a_beratungsfolge_without_roles_does_not_guess_the_deciding_body() -> None:
    intent = read_message(
        "Entwurf: Feuerwehrhaus, Beratungsfolge: Feuerwehrausschuss 20.01., Hauptausschuss "
        "03.02., Rat 17.02.",
        TODAY,
    )
    assert _steps(intent) == [
        ("Feuerwehrausschuss", None, date(2027, 1, 20)),
        ("Hauptausschuss", None, date(2027, 2, 3)),
        ("Rat", None, date(2027, 2, 17)),
    ]
    assert _required(intent) == {
        "gremium": "Welches Gremium entscheidet (Feuerwehrausschuss oder Hauptausschuss oder Rat)?"
    }


def test_a_missing_betreff_is_a_question() -> None:
    intent = read_message("Entwurf: Rat entscheidet am 12.3.", TODAY)
    assert intent.form is not None and intent.form.betreff == ""
    assert _required(intent) == {"betreff": "Worum geht es? Bitte nennen Sie den Betreff."}


def test_two_deciding_bodies_are_not_chosen_between() -> None:
    intent = read_message(
        "Entwurf: Kita, Hauptausschuss entscheidet am 12.03., Rat beschließt am 19.03.", TODAY
    )
    assert intent.form is not None and intent.form.gremium == ""
    assert _required(intent) == {
        "gremium": "Es sind mehrere entscheidende Gremien genannt (Hauptausschuss, Rat); "
        "welches entscheidet?"
    }


def test_the_same_body_twice_is_one_step_and_two_dates_are_asked_about() -> None:
    intent = read_message(
        "Entwurf: Kita, Rat entscheidet am 12.03., der Rat beschließt am 19.03.", TODAY
    )
    assert _steps(intent) == [("Rat", "Entscheidung", date(2027, 3, 12))]
    assert _required(intent) == {
        "beratungsfolge[0].datum": "Der Rat ist mit zwei Daten genannt (12.03.2027 und "
        "19.03.2027); welches gilt?"
    }


def test_doubtful_dates_are_optional_questions() -> None:
    past = read_message("Entwurf: Hundesteuersatzung, Rat entscheidet am 12.03.2020", TODAY)
    assert _steps(past) == [("Rat", "Entscheidung", date(2020, 3, 12))]  # as written
    assert past.complete and "beratungsfolge[0].datum" in _optional(past)
    # without a year, "never in the past" may put a Vorberatung after the decision: said
    later = read_message(
        "Entwurf: Kita, Sozialausschuss berät am 20.02., Rat entscheidet am 12.03.",
        date(2027, 3, 1),
    )
    assert _steps(later) == [
        ("Sozialausschuss", "Vorberatung", date(2028, 2, 20)),
        ("Rat", "Entscheidung", date(2027, 3, 12)),
    ]
    assert later.complete
    question = next(m for m in later.missing if m.field == "beratungsfolge[0].datum")
    assert question.question == (
        "Der Sozialausschuss befasst sich am 20.02.2028 erst nach der Entscheidung am "
        "12.03.2027 damit; stimmen die Daten?"
    )


def test_nothing_is_invented() -> None:
    text = "Entwurf: Neubau Kita Lindenweg, Gemeinderat beschließt am 12.3."
    intent = read_message(text, TODAY)
    assert intent.form is not None
    form = intent.form
    assert form.kommune is None and form.federfuehrung is None and form.aktenzeichen is None
    assert form.fakten == "" and form.finanzielle_auswirkungen is None and form.datum is None
    assert form.art == "Beschlussvorlage"  # the request's default
    assert _optional(intent) == {"fakten", "finanzielle_auswirkungen"}
    # clauses after the Betreff that name no acting body are the clerk's own facts
    more = read_message(text + ", Kosten 2,4 Mio. Euro", TODAY)
    assert more.form is not None and more.form.fakten == "- Kosten 2,4 Mio. Euro"
    # a "Fakten:" part is taken literally, even where it names a body and a date
    literal = read_message(
        "Entwurf: Radverkehrskonzept; Gremium: Stadtrat; Fakten: Beschluss vom 12.05.2022 "
        "umsetzen; 14 km neue Radwege",
        TODAY,
    )
    assert literal.form is not None
    assert literal.form.fakten == "- Beschluss vom 12.05.2022 umsetzen\n- 14 km neue Radwege"
    assert _steps(literal) == [("Stadtrat", "Entscheidung", None)]


def test_a_weekday_before_the_date_is_read_and_other_text_kept_as_written() -> None:
    intent = read_message(
        "Entwurf: Wochenmarkt am Freitag und Samstag, Rat der Stadt Wedel entscheidet am Do., "
        "10.12.; Fakten: Eröffnung am Montag, 1.9.",
        TODAY,
    )
    assert intent.form is not None
    assert intent.form.betreff == "Wochenmarkt am Freitag und Samstag"
    assert _steps(intent) == [("Rat der Stadt Wedel", "Entscheidung", date(2026, 12, 10))]
    assert intent.form.fakten == "- Eröffnung am Montag, 1.9."


def test_the_form_is_a_draft_request() -> None:
    intent = read_message(
        "Entwurf: Neubau Kita Lindenweg, Gemeinderat beschließt am 12.3.2027; Fakten: Kosten "
        "2,4 Mio. Euro; Finanzen: keine",
        TODAY,
    )
    assert intent.form is not None
    again = DraftRequest.model_validate_json(intent.form.model_dump_json())
    assert again == intent.form
    dumped = intent.model_dump(mode="json")
    assert dumped["complete"] is True and dumped["kind"] == "entwurf"


# --- a confirmed form ---------------------------------------------------------------------------


def test_a_confirmed_form_is_checked_not_read_again() -> None:
    form = DraftRequest(
        betreff="Neubau Kita",
        gremium="Rat",
        beratungsfolge=[Beratungsschritt(gremium="Rat", rolle="Entscheidung")],
        fakten="- Kosten 2,4 Mio. Euro",
        finanzielle_auswirkungen="2,4 Mio. Euro",
    )
    intent = read_form(form, TODAY)
    assert intent.kind == "entwurf" and intent.form == form and intent.complete
    assert [m.question for m in intent.missing] == ["Wann entscheidet der Rat?"]
    empty = read_form(DraftRequest(betreff=" ", gremium=""), TODAY)
    assert not empty.complete and set(_required(empty)) == {"betreff", "gremium"}
    # read_request takes the form when there is one
    request = ChatRequest(nachricht="hilfe", formular=form)
    assert read_request(request, TODAY).form == form
    assert read_request(ChatRequest(nachricht="hilfe"), TODAY).kind == "hilfe"


def test_the_message_has_a_limit_in_german() -> None:
    with pytest.raises(ValidationError) as err:
        ChatRequest(nachricht="x" * (MAX_MESSAGE_CHARS + 1))
    assert err.value.errors()[0]["msg"] == "Die Nachricht ist zu lang (höchstens 4.000 Zeichen)."
    ChatRequest(nachricht="x" * MAX_MESSAGE_CHARS)
