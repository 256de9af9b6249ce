"""The rules that catch what passed before (issue 9, step 3): ``vollstaendig``,
``formularreste``, ``finanzen``, ``wiederholung``, ``anweisung``, ``abdeckung``.

Real positives come from the issue (drafts of real papers that passed validation) and from the
example drafts of docs/drafting.md (``tests/data/validation/docs_example_*.json``: the exported
texts with the request ``request_from_vorlage`` builds for that paper); negatives are
constructed. The slow test at the end measures what the rules say about real human texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.schema import Draft, Finding
from assistant.validation import RULES, validate
from assistant.validation.anweisung import instruction_text, template_runs
from assistant.validation.formularreste import debris
from assistant.validation.sentences import sentence_spans
from assistant.validation.vollstaendig import incomplete_end
from ingest.parse import parse_path
from tests.assistant.test_validation import DATA, SACHDARSTELLUNG, draft, request

EXAMPLE_1 = DATA / "docs_example_1_2022_1033.json"  # passed; finance form pasted at the end
EXAMPLE_2 = DATA / "docs_example_2_2025_1208.json"  # cut-off resolution with JSON debris
TRIAL = DATA / "trial_invented_years.json"


def load(path: Path) -> Draft:
    return Draft.model_validate_json(path.read_text("utf-8"))


def found(d: Draft, rule: str) -> list[Finding]:
    report = validate(d, rules=[rule])
    return report.errors + report.warnings


def spans_ok(d: Draft, findings: list[Finding]) -> None:
    """Every finding quotes the start of the text its span points at."""
    for f in findings:
        assert f.field and f.start is not None and f.end is not None and f.token
        quoted = " ".join(getattr(d, f.field)[f.start : f.end].split())
        assert quoted.startswith(f.token.rstrip("…"))


def test_the_new_rules_are_registered_with_german_summaries() -> None:
    summaries = {rule.id: rule.summary for rule in RULES}
    for rule in ("vollstaendig", "formularreste", "finanzen", "wiederholung", "anweisung"):
        assert summaries[rule]
    assert summaries["abdeckung"] == "Fakten der Sachbearbeitung verwendet"


# --- vollstaendig -------------------------------------------------------------------------------

CUT_RESOLUTION = "Der Hauptausschuss beschließt, dass die Vergabekriterien für Projekte zur"


def test_vollstaendig_catches_the_cut_off_resolution_of_the_issue() -> None:
    d = draft(beschlussvorschlag=CUT_RESOLUTION)
    (f,) = found(d, "vollstaendig")
    assert f.severity == "error" and f.field == "beschlussvorschlag"
    assert "bricht mitten im Satz ab" in f.message
    assert f.end == len(CUT_RESOLUTION) and f.token and f.token.endswith("Projekte zur")


def test_vollstaendig_catches_the_cut_off_resolution_of_docs_example_2() -> None:
    """ "… auf 180.000 Euro jährlich fü...“} }" and a code fence: judged without the debris."""
    d = load(EXAMPLE_2)
    (f,) = found(d, "vollstaendig")
    assert f.field == "beschlussvorschlag"
    assert f.token and f.token.endswith("jährlich fü...")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Das Konzept wurde fortgeschrieben. Die Kosten für die Moderation", "cut"),
        ("Das Konzept wurde 2014 beschlossen [1]", "cut"),  # the marker is not the end
        ("Das Konzept wurde fortgeschrieben und", "cut"),
        ("Das Konzept wurde fortgeschrieben,", "cut"),
        ("Das Konzept wurde fortgeschrieben …", "cut"),
        ("Die Kosten (siehe Anlage 2 betragen 12.000 Euro.", "dangling"),
        ("Das Programm „Wir sind Wedel läuft weiter.", "dangling"),
        ("Der Rat beschließt:\n1. Das Konzept wird beschlossen;\n2. Die Verwaltung wird", "cut"),
        ("Der Rat beschließt:\n1. Das Konzept wird beschlossen;\n2. Die Mittel", "cut"),
        ("Der Rat beschließt:\n1. Das Konzept wird beschlossen.\n2.", "empty"),
        ("Die Verwaltung wird beauftragt, die Mittel für die Moderation bereitzustellen", "cut"),
        ("Der Rat beschließt:", "cut"),
        ("Kosten: Die Mittel in Höhe von", "cut"),
    ],
)
def test_vollstaendig_rejects(text: str, kind: str) -> None:
    result = incomplete_end(text)
    assert result is not None and result[0] == kind
    assert [f.rule for f in found(draft(sachdarstellung=text), "vollstaendig")] == ["vollstaendig"]


@pytest.mark.parametrize(
    "text",
    [
        SACHDARSTELLUNG,
        "Das Konzept wurde 2014 beschlossen [1].",
        "Das Konzept wurde 2014 beschlossen. [1]",  # the bundled model's habit
        "Das Konzept wurde 2014 beschlossen. [1, 2]\n",
        "Beteiligt waren Vereine, Kirchen, Träger usw.",
        "Beteiligt waren Vereine, Kirchen und Träger, z. B.",
        "Ist das Konzept noch aktuell?",
        "Das Programm heißt „Wir sind Wedel.“",
        "Die Kosten sind gering (siehe Anlage 2.)",
        "Der Rat beschließt:\n1. Das Konzept wird beschlossen;\n2. Die Verwaltung berichtet.",
        "Ziele und Maßnahmen:\n\n- Information und Orientierung\n- Ehrenamt\n\nWohnen\n\n"
        "Gesundheit und Pflege",  # seed 000 ends with a heading of its outline
        "Handlungsfelder:\n- Sprache\n- Arbeit und Qualifizierung",
        "Dem Gemeinderat wird empfohlen, den nachstehenden Beschluss zu fassen:",
        "Die Zahlen stammen aus der Statistik.\n\nQuelle: Sonderauswertungen der Jahresstatistik",
        "Anlagen:\n\nAnlage 3 Tabellarische Übersicht der Verrechnung der Gebühren",
    ],
)
def test_vollstaendig_accepts(text: str) -> None:
    assert found(draft(sachdarstellung=text), "vollstaendig") == []


def test_vollstaendig_checks_only_generated_sections() -> None:
    d = draft(finanzielle_auswirkungen="Gesamtkosten:\nJährlicher Ertrag:")
    assert found(d, "vollstaendig") == []


# --- formularreste ------------------------------------------------------------------------------

FORM_LINE = (
    "☐ Der Gemeinderat beschließt die Maßnahme im gesamtstädtischen Interesse und stimmt einer "
    "Etatisierung in den Folgejahren zu."
)


def test_formularreste_catches_the_finance_form_line_in_the_resolution() -> None:
    d = draft(beschlussvorschlag=f"Der Rat beschließt das Integrationskonzept.\n{FORM_LINE}")
    (f,) = found(d, "formularreste")
    assert f.severity == "error" and f.token == "☐" and "Ankreuzfeld" in f.message
    without_box = FORM_LINE.removeprefix("☐ ")
    d = draft(beschlussvorschlag=f"Der Rat beschließt das Konzept.\n{without_box}")
    assert [f.token for f in found(d, "formularreste")] == [
        "im gesamtstädtischen Interesse und stimmt einer Etatisierung"
    ]


def test_formularreste_catches_docs_example_1() -> None:
    """The Sachdarstellung of example 1 ends with the finance form under the prompt's label."""
    d = load(EXAMPLE_1)
    errors = found(d, "formularreste")
    assert [f.token for f in errors] == [
        "Finanzielle Auswirkungen laut Sachbearbeitung:",
        "☑",
        "☐",
    ]
    assert all(f.field == "sachdarstellung" for f in errors)
    spans_ok(d, errors)
    assert "Finanzielle Auswirkungen" in errors[0].message


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("☐ Durch Wegfall bestehender Aufgaben", "☐"),
        (
            "Durch Wegfall bestehender Aufgaben (Aufgabenkritik)",
            "Durch Wegfall bestehender Aufgaben",
        ),
        ("☒ teilweise budgetiert", "☒"),
        ("teilweise budgetiert", "teilweise budgetiert"),
        ("Finanzielle Auswirkungen laut Sachbearbeitung: keine", None),
        ("Gesamtkosten: 3.800.000 €", "Gesamtkosten:"),
        ("Jährlicher Ertrag: Förderfähig nach LGVFG", "Jährlicher Ertrag:"),
        ("Jährliche/r Budgetbedarf/Folgekosten:", "Jährliche/r Budgetbedarf/Folgekosten:"),
        ("Kontierungsobjekt: PSP-Element 7.680012.700", "Kontierungsobjekt:"),
        ("Haushaltsstelle: 1.500.31", "Haushaltsstelle:"),
        ("Die Finanzierung: Mittel sind eingeplant.", "Finanzierung:"),
        ("Haushaltsmittel stehen Wählen Sie ein Element aus.", "Wählen Sie ein Element aus"),
        ("Mittel bereitgestellt: [ja]", "[ja]"),
        ("**Sachstand**", "**"),
        ("## Sachstand", "##"),
        ("* Information und Orientierung", "*"),
        ("| Jahr | Betrag |", "| Jahr | Betrag |"),
        ('{"text": "Die Verwaltung schlägt vor …', '{"text":'),
        ('Die Verwaltung schlägt vor."}', '"}'),
        ('Der Titel lautet \\"Wir sind Wedel\\".', '\\"'),
        ("<<<QUELLE [1] Stadt Wedel", "<<<"),
        ("ZITAT Die Verwaltung schlägt vor.", "ZITAT"),
    ],
)
def test_formularreste_rejects(line: str, token: str | None) -> None:
    text = f"{SACHDARSTELLUNG}\n{line}"
    errors = found(draft(sachdarstellung=text), "formularreste")
    assert len(errors) == 1
    f = errors[0]
    assert f.token == (token or "Finanzielle Auswirkungen laut Sachbearbeitung:")
    assert f.start is not None and text[f.start : f.end].strip() == f.token


@pytest.mark.parametrize(
    "text",
    [
        "Die Kosten sind unter Finanzielle Auswirkungen dargestellt.",
        "Die Finanzierung ist gesichert; die Gesamtkosten betragen 12.000 Euro.",
        "Ziele:\n- Information und Orientierung\n- Selbstorganisation von Migrant*innen",
        "Der Rat beschließt:\n1. Das Konzept.\n2) Die Umsetzung.",
        "Beteiligt waren Akteur*innen der Integrationsarbeit bis Ende 2024 [1].",
        "Das Förderprogramm „WIR – Wegweisende Integrationsprojekte Realisieren“ läuft weiter.",
        "Die Investition ist im Haushalt veranschlagt.",
    ],
)
def test_formularreste_accepts(text: str) -> None:
    assert found(draft(sachdarstellung=f"{SACHDARSTELLUNG}\n{text}"), "formularreste") == []


def test_formularreste_leaves_the_clerks_finance_form_alone() -> None:
    """The Finanzielle Auswirkungen are the clerk's (often a form): not a generated section."""
    d = load(EXAMPLE_1)
    assert "☐" in d.finanzielle_auswirkungen
    assert all(f.field != "finanzielle_auswirkungen" for f in found(d, "formularreste"))


def test_markdown_is_reported_once() -> None:
    """Markdown in a generated section is a formularreste error and no longer a style
    warning; template braces stay with placeholders."""
    d = draft(sachdarstellung=f"**Sachstand**\n\n{SACHDARSTELLUNG}")
    report = validate(d)
    assert [(f.rule, f.token) for f in report.errors] == [("formularreste", "**")]
    assert [f for f in report.warnings if f.rule == "style"] == []
    d = draft(sachdarstellung=f"{SACHDARSTELLUNG} Die Sitzung leitet {{{{ name }}}}.")
    assert {f.rule for f in validate(d).errors} == {"placeholders"}


# --- finanzen -----------------------------------------------------------------------------------


def test_finanzen_catches_the_pasted_finance_section() -> None:
    """The issue: a Sachdarstellung that carries the finance form of the case (docs example 1's
    own Finanzielle Auswirkungen, pasted under the prompt's label)."""
    d = load(EXAMPLE_1)
    pasted = f"{d.sachdarstellung}\n\n{d.finanzielle_auswirkungen}"
    d = d.model_copy(update={"sachdarstellung": pasted})
    errors = found(d, "finanzen")
    assert len(errors) == 1
    f = errors[0]
    assert f.severity == "error" and f.field == "sachdarstellung"
    assert f.start is not None and f.start > len(load(EXAMPLE_1).sachdarstellung)
    assert "Finanzielle Auswirkungen" in f.message
    spans_ok(d, errors)


@pytest.mark.parametrize(
    ("finanzen", "sentence", "count"),
    [
        (
            "Für die Moderation entstehen Kosten in Höhe von 12.000 € im Produkt 31.10.",
            "Für die Moderation entstehen Kosten in Höhe von 12.000 € im Produkt 31.10.",
            1,
        ),
        (
            "Für die Moderation entstehen Kosten in Höhe von 12.000 € im Produkt 31.10.",
            "FÜR DIE MODERATION entstehen Kosten\nin Höhe von 12.000 € im Produkt 31.10.",
            1,
        ),
        (
            "Für die Moderation entstehen Kosten in Höhe von 12.000 € im Produkt 31.10.",
            "Die Kosten sind unter Finanzielle Auswirkungen dargestellt.",
            0,
        ),
        (
            "Für die Moderation entstehen Kosten in Höhe von 12.000 € im Produkt 31.10.",
            "Für die Moderation entstehen Kosten in Höhe der Landesmittel.",  # 7 words
            0,
        ),
        ("keine", "Es entstehen keine Kosten.", 0),
        (  # a number is one word: seven words, not ten
            "Die Gesamtkosten der Maßnahme betragen 1.234.567,89 Euro.",
            "Die Gesamtkosten der Maßnahme betragen 1.234.567,89 Euro.",
            0,
        ),
        (
            "Es entstehen keine finanziellen Auswirkungen.",
            "Es entstehen keine finanziellen Auswirkungen.",
            0,
        ),
    ],
)
def test_finanzen(finanzen: str, sentence: str, count: int) -> None:
    d = draft(
        request=request(finanzielle_auswirkungen=finanzen),
        finanzielle_auswirkungen=finanzen,
        sachdarstellung=f"{SACHDARSTELLUNG} {sentence}",
    )
    assert len(found(d, "finanzen")) == count


def test_finanzen_allows_what_the_clerk_also_gave_as_a_fact() -> None:
    text = "Die Moderation wird aus Mitteln des Landesprogramms Integration vor Ort bezahlt."
    req = request(fakten=[text], finanzielle_auswirkungen=text)
    d = draft(
        request=req, finanzielle_auswirkungen=text, sachdarstellung=f"{SACHDARSTELLUNG} {text}"
    )
    assert found(d, "finanzen") == []


# --- wiederholung -------------------------------------------------------------------------------

DOPPELHAUSHALT = (
    "Für die Projekte werden je 150.000 Euro im Doppelhaushalt 2025/2026 bereitgestellt. "
    "Die Vergabe erfolgt nach den Vergabekriterien des Hauptausschusses. "
    "Für die Projekte werden im Doppelhaushalt 2025/2026 je 150.000 Euro bereitgestellt."
)


def test_wiederholung_catches_the_doppelhaushalt_sentence_of_the_issue() -> None:
    d = draft(sachdarstellung=DOPPELHAUSHALT)
    (f,) = found(d, "wiederholung")
    second = DOPPELHAUSHALT.rindex("Für die Projekte")
    assert f.severity == "error" and (f.start, f.end) == (second, len(DOPPELHAUSHALT))
    assert "je 150.000 Euro" in f.message


@pytest.mark.parametrize(
    ("beschluss", "sachdarstellung", "field"),
    [
        (  # the Sachdarstellung repeats the resolution
            "Der Rat beschließt das fortgeschriebene Integrationskonzept für die Jahre 2023 bis "
            "2026.",
            f"{SACHDARSTELLUNG} Der Rat beschließt das fortgeschriebene Integrationskonzept für "
            "die Jahre 2023 bis 2026.",
            "sachdarstellung",
        ),
        (  # a near copy with one word changed
            "Der Rat beschließt das fortgeschriebene Integrationskonzept.",
            f"{SACHDARSTELLUNG} Die Fortschreibung wurde mit den Trägern der Integrationsarbeit "
            "abgestimmt. Die Fortschreibung wurde mit allen Trägern der Integrationsarbeit "
            "abgestimmt.",
            "sachdarstellung",
        ),
        (  # a run of 12 words again in a different sentence
            "Der Rat beschließt das fortgeschriebene Integrationskonzept.",
            "Die Fortschreibung wurde in einem breit angelegten Beteiligungsprozess mit den "
            "Trägern der Integrationsarbeit in Wedel abgestimmt. Seit dem Frühjahr wurde sie in "
            "einem breit angelegten Beteiligungsprozess mit den Trägern der Integrationsarbeit "
            "in Wedel erörtert und ergänzt.",
            "sachdarstellung",
        ),
        (
            "Der Rat beschließt das Integrationskonzept. Die Verwaltung wird beauftragt, "
            "jährlich zu berichten. Die Verwaltung wird beauftragt, jährlich zu berichten.",
            SACHDARSTELLUNG,
            "beschlussvorschlag",
        ),
    ],
)
def test_wiederholung_rejects(beschluss: str, sachdarstellung: str, field: str) -> None:
    d = draft(beschlussvorschlag=beschluss, sachdarstellung=sachdarstellung)
    errors = found(d, "wiederholung")
    assert [f.field for f in errors] == [field]
    text = getattr(d, field)
    f = errors[0]
    assert f.start is not None and f.end == len(text)  # the later occurrence, at the end
    if field == "sachdarstellung" and beschluss in sachdarstellung:
        assert "im Abschnitt „Beschlussvorschlag“" in f.message


@pytest.mark.parametrize(
    "text",
    [
        SACHDARSTELLUNG,
        # an enumeration: the same sentence with other numbers
        "Für das Los 1 erhält die Firma Muster GmbH den Zuschlag. Für das Los 2 erhält die "
        "Firma Muster GmbH den Zuschlag.",
        # short sentences recur by right
        "Die Mittel stehen zur Verfügung. Die Mittel stehen zur Verfügung.",
        # the Betreff's words twice
        "Das fortgeschriebene Integrationskonzept der Stadt Wedel für die Jahre 2023 bis 2026 "
        "liegt vor. Über das fortgeschriebene Integrationskonzept der Stadt Wedel für die "
        "Jahre 2023 bis 2026 berät der Sozialausschuss.",
        # table rows and headings are not sentences
        "Sachstand\nJahr Betrag Anteil Träger Stadt Wedel Kreis Land Bund\n"
        "Jahr Betrag Anteil Träger Stadt Wedel Kreis Land Bund",
    ],
)
def test_wiederholung_accepts(text: str) -> None:
    betreff = "Das fortgeschriebene Integrationskonzept der Stadt Wedel für die Jahre 2023 bis 2026"
    req = request(betreff=betreff)
    assert found(draft(request=req, sachdarstellung=text), "wiederholung") == []


def test_wiederholung_far_apart_within_a_section_is_a_restatement() -> None:
    """A long human text restates a point in its summary; only a repetition within
    WINDOW_WORDS words counts inside one section."""
    sentence = "Die Fortschreibung wurde mit den Trägern der Integrationsarbeit abgestimmt."
    filler = " ".join(
        f"Im Handlungsfeld {n} sind weitere Maßnahmen der Stadtverwaltung vorgesehen."
        for n in range(1, 25)
    )
    assert found(draft(sachdarstellung=f"{sentence} {filler} {sentence}"), "wiederholung") == []
    near = f"{sentence} Im Handlungsfeld Sprache sind Kurse vorgesehen. {sentence}"
    assert len(found(draft(sachdarstellung=near), "wiederholung")) == 1


# --- anweisung ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("beschluss", "token"),
    [
        (  # the issue: a resolution that ends in the prompt's task
            "Der Hauptausschuss beschließt die Vergabekriterien für Integrationsprojekte in 1 bis "
            "5 vollständigen Sätzen; keine Begründung, keine Zahlen, die nicht in den Fakten "
            "stehen.",
            "in 1 bis 5 vollständigen Sätzen",
        ),
        (
            "Der Gemeinderat beschließt das kommunale Integrationskonzept. Dieser Prozess wird "
            "in 2 vollständigen Sätzen beschrieben.",
            "in 2 vollständigen Sätzen",
        ),
    ],
)
def test_anweisung_catches_the_leaks_of_the_issue(beschluss: str, token: str) -> None:
    d = draft(beschlussvorschlag=beschluss)
    (f,) = found(d, "anweisung")
    assert f.severity == "error" and f.field == "beschlussvorschlag" and f.token == token
    assert f.end == len(beschluss) and "Anweisung" in f.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Schreibe jetzt die Sachdarstellung für diesen Fall.",
        "Antworte nur mit dem verlangten Text.",
        "Die Angaben stehen in den Fakten der Sachbearbeitung.",
        "Die Ausgabe erfolgt als JSON-Objekt.",
        "Die Prüfung deiner Antwort hat nichts ergeben.",
        "Hierzu streichst du die Zahl.",
        "Der Spielplatz am Lindenweg ist abgängig.",  # the worked example of the system prompt
        "Die Quellenverweise wurden entfernt.",
        "Die Sachdarstellung umfasst 100 bis 250 Wörter.",
        # runs of 6 words of a template's instruction text (beschlussvorschlag.j2, system.j2)
        "Die Verwaltung handelt nur, wenn die Angaben einen solchen Auftrag nennen.",
        "Es werden nur Zahlen, Beträge, Daten, Namen und Paragraphen verwendet.",
    ],
)
def test_anweisung_rejects(sentence: str) -> None:
    text = f"{SACHDARSTELLUNG} {sentence}"
    (f,) = found(draft(sachdarstellung=text), "anweisung")
    assert f.start is not None and text[f.start : f.end] == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Sätze der Satzung bleiben unverändert.",
        "Der Beschluss des Sozialausschusses liegt vor.",
        "Der Sozialausschuss empfiehlt dem Rat, wie folgt zu beschließen:",
        "Die Verwaltung schlägt vor, wie im Beschlussvorschlag dargestellt zu verfahren.",
        "Setzen Sie sich bei Fragen mit dem Fachdienst in Verbindung.",
        "Das Programm „Du bist Wedel“ läuft weiter.",
        "Die Daten werden im Format CSV bereitgestellt.",
        "Die Verwaltung verwendet nur Zahlen aus dem Haushaltsplan.",
    ],
)
def test_anweisung_accepts(sentence: str) -> None:
    assert found(draft(sachdarstellung=f"{SACHDARSTELLUNG} {sentence}"), "anweisung") == []


def test_anweisung_spares_the_clerks_own_words() -> None:
    req = request(betreff="Erneuerung des Spielplatzes am Lindenweg")
    d = draft(
        request=req, sachdarstellung=f"{SACHDARSTELLUNG} Der Spielplatz am Lindenweg ist alt."
    )
    assert found(d, "anweisung") == []


def test_anweisung_reads_the_instruction_text_of_the_templates() -> None:
    pieces = instruction_text(
        "{# comment #}Beginne mit „{{ gremium }} beschließt“. Nur dieses Gremium beschließt.\n"
        "Beispiel für die Form:\nDie Verwaltung schlägt vor, so zu verfahren."
    )
    assert pieces == ["Beginne mit ", ". Nur dieses Gremium beschließt."]
    runs = template_runs()
    assert ("wenn", "die", "angaben", "einen", "solchen", "auftrag") in runs
    assert not any("lindenweg" in run for run in runs)  # the worked example is left out


# --- abdeckung ----------------------------------------------------------------------------------


def test_abdeckung_warns_for_the_trial_draft() -> None:
    """The bundled model's trial draft left out one of the three facts."""
    d = load(TRIAL)
    (f,) = found(d, "abdeckung")
    assert f.severity == "warning" and f.field == "request.fakten"
    assert f.token and f.token.startswith("Zusätzliche Haushaltsmittel")
    assert f.start is not None and d.request.fakten[f.start : f.end] == (
        "Zusätzliche Haushaltsmittel sind nicht erforderlich."
    )
    assert validate(d, rules=["abdeckung"]).ok


def test_abdeckung_warns_for_docs_example_2() -> None:
    """The Sachdarstellung of example 2 leaves out the funding amounts the clerk gave."""
    tokens = [f.token or "" for f in found(load(EXAMPLE_2), "abdeckung")]
    assert any(t.startswith("Mögliche Förderhöhe") for t in tokens)
    assert found(load(EXAMPLE_1), "abdeckung") == []


@pytest.mark.parametrize(
    ("fakten", "warned"),
    [
        ("- Der Integrationsbeirat hat dem Entwurf im Mai zugestimmt.", True),
        ("- Die Sprachkurse erhalten 4.500 Euro.", True),
        ("- Kosten der Moderation: 12000 EUR", False),  # the number, in another spelling
        ("- Das Integrationskonzept wurde fortgeschrieben.", False),  # the words
        ("- Die Moderation kostet 1.500 Euro.", False),  # most words used
        ("1. Das Integrationskonzept gilt ab 2023.\n2) Der Seniorenbeirat tagt monatlich.", True),
        ("", False),
    ],
)
def test_abdeckung(fakten: str, warned: bool) -> None:
    d = draft(request=request(fakten=fakten))
    assert bool(found(d, "abdeckung")) is warned


def test_abdeckung_without_a_sachdarstellung_is_left_to_required() -> None:
    assert found(draft(sachdarstellung=""), "abdeckung") == []


# --- real human texts ---------------------------------------------------------------------------

SAMPLE_STEP = 10  # every 10th Karlsruhe paper: 103 papers


def _real_drafts(karlsruhe_dir: Path) -> list[Draft]:
    drafts: list[Draft] = []
    for path in sorted((karlsruhe_dir / "papers").glob("*.json"))[::SAMPLE_STEP]:
        vorlage = parse_path(path)
        if not (vorlage.beschlussvorschlag and vorlage.sachdarstellung):
            continue
        drafts.append(
            draft(
                request=request(
                    betreff=vorlage.betreff or "", fakten="", finanzielle_auswirkungen=None
                ),
                beschlussvorschlag=vorlage.beschlussvorschlag,
                sachdarstellung=vorlage.sachdarstellung,
                finanzielle_auswirkungen=vorlage.finanzielle_auswirkungen or "",
                citations=[],
            )
        )
    return drafts


def _share(drafts: list[Draft], rule: str) -> float:
    return sum(bool(found(d, rule)) for d in drafts) / len(drafts)


@pytest.mark.slow
def test_real_council_texts_are_rarely_flagged(karlsruhe_dir: Path) -> None:
    """False positives on real human texts: the Beschlussvorschlag and Sachdarstellung of every
    10th Karlsruhe paper (103 papers), each paper checked as one draft.

    Measured, share of the papers flagged (this sample / all 1,015 papers with both sections):
    ``vollstaendig`` 2.9 % / 3.9 % (2.0 % of all 2,038 sections: resolutions without their
    full stop, parser artefacts); ``wiederholung`` 2.9 % / 4.8 % (verbatim duplicates in the
    parsed texts, Sachdarstellungen that repeat a sentence of the resolution); ``anweisung``
    0 / 0. The check boxes, JSON and template debris of ``formularreste`` occur in none (its
    form labels and Markdown do occur in real texts, which contain forms and footnote stars).
    """
    drafts = _real_drafts(karlsruhe_dir)
    assert len(drafts) >= 100
    assert _share(drafts, "vollstaendig") <= 0.05
    assert _share(drafts, "wiederholung") <= 0.05
    assert _share(drafts, "anweisung") <= 0.01
    debris_kinds = {
        kind
        for d in drafts
        for text in (d.beschlussvorschlag, d.sachdarstellung)
        for kind, _ in debris(text)
    }
    assert debris_kinds.isdisjoint({"box", "json", "template"})


def test_sentence_spans_keep_abbreviations_ordinals_and_markers() -> None:
    text = (
        "Der Ausschuss tagt am 5. Dezember 2023. Beteiligt sind z. B. Vereine usw. "
        "Das wurde beschlossen [2]. Danach kam die Umsetzung. [3] Sie läuft."
    )
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Der Ausschuss tagt am 5. Dezember 2023.",
        "Beteiligt sind z. B. Vereine usw.",
        "Das wurde beschlossen [2].",
        "Danach kam die Umsetzung. [3]",
        "Sie läuft.",
    ]
