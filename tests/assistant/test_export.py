"""assistant.export: Markdown, JSON, DOCX (default and custom template) and OParl exports."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import docx
import pytest

from assistant.export import (
    FORMATS,
    KI_HINWEIS,
    ExportError,
    ExportRefused,
    build_context,
    default_template,
    export,
)
from assistant.export.build_template import build
from assistant.schema import (
    Beratungsschritt,
    Citation,
    Draft,
    DraftRequest,
    Finding,
    ValidationReport,
)

TODAY = date(2025, 5, 6)
BESCHLUSS = (
    "Der Rat der Stadt beschließt die Fortschreibung des Integrationskonzepts.\n\n"
    "Die Verwaltung wird beauftragt, dem Rat jährlich zu berichten & <Bericht> vorzulegen."
)
SACH = (
    "Das Integrationskonzept wurde im Sozialausschuss vorberaten [1].\n"
    "Es bündelt die Maßnahmen der Verwaltung.\n\n"
    "Die Fortschreibung kostet 12.000 EUR [2]."
)
FINANZEN = "Für die Fortschreibung entstehen Kosten von 12.000 EUR im Haushaltsjahr 2025."
STEPS = [
    Beratungsschritt(
        gremium="Sozialausschuss", rolle="Vorberatung", datum=date(2025, 3, 4), oeffentlich=True
    ),
    Beratungsschritt(gremium="Rat der Stadt", rolle="Entscheidung", datum=date(2025, 3, 20)),
]
CITATIONS = [
    Citation(
        n=1,
        vorlage_id="a" * 16,
        kommune="Stadt Wedel",
        vorlagen_nr="BV/2023/162",
        betreff="Integrationskonzept der Stadt Wedel",
        section="sachdarstellung",
        passage="Das Konzept wurde im Sozialausschuss vorberaten.",
        score=0.8,
    ),
    Citation(
        n=2,
        vorlage_id="b" * 16,
        kommune="Landkreis Börde",
        section="finanzielle_auswirkungen",
        passage="Kosten 12.000 EUR",
    ),
]
GROUNDED = Finding(
    rule="grounded",
    severity="error",
    message="Die Jahreszahl „2018“ steht weder in der Anfrage noch in einer zitierten Quelle.",
    where="Sachdarstellung, Zeichen 10–14: „2018“",
)
STYLE = Finding(rule="style", severity="warning", message="Der Text ist sehr kurz.")


def make_draft(report: ValidationReport | None = None) -> Draft:
    request = DraftRequest(
        betreff="Fortschreibung des Integrationskonzepts",
        kommune="Stadt Wedel",
        gremium="Rat der Stadt",
        beratungsfolge=STEPS,
        fakten="Die Fortschreibung kostet 12.000 EUR.",
        finanzielle_auswirkungen="12.000 EUR",
    )
    return Draft(
        request=request,
        beschlussvorschlag=BESCHLUSS,
        sachdarstellung=SACH,
        finanzielle_auswirkungen=FINANZEN,
        beratungsfolge=STEPS,
        citations=CITATIONS,
        validation=report if report is not None else ValidationReport(),
        model="qwen2.5-coder-1.5b-instruct-q4_k_m",
    )


@pytest.fixture
def valid() -> Draft:
    return make_draft(ValidationReport.from_findings([STYLE]))


@pytest.fixture
def failing() -> Draft:
    return make_draft(ValidationReport.from_findings([GROUNDED, STYLE]))


def docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    """All body paragraphs (one per line) plus footers, and every table's rows."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    lines += [p.text for s in document.sections for p in s.footer.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return "\n".join(lines), [row for t in tables for row in t]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n")]


# --- every format ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exports_a_valid_draft(valid: Draft, fmt: str) -> None:
    data = export(valid, fmt, today=TODAY)
    assert isinstance(data, bytes) and data
    if fmt != "docx":
        assert "Fortschreibung des Integrationskonzepts" in data.decode("utf-8")


def test_docx_shows_every_section(valid: Draft) -> None:
    text, rows = docx_text(export(valid, "docx", today=TODAY))
    for part in [*paragraphs(BESCHLUSS), *paragraphs(SACH), FINANZEN]:
        assert part in text, part
    for heading in (
        "Beratungsfolge",
        "Beschlussvorschlag",
        "Sachdarstellung",
        "Finanzielle Auswirkungen",
        "Anlagen",
        "Quellen",
    ):
        assert heading in text
    assert KI_HINWEIS in text
    assert "Betreff: Fortschreibung des Integrationskonzepts" in text
    assert "Stadt Wedel" in text and "Beschlussvorlage" in text
    # Kopf and Beratungsfolge tables.
    assert ["Vorlagen-Nr.", "wird vom Ratsinformationssystem vergeben"] in rows
    assert not [row for row in rows if len(row) == 2 and not row[1]]  # no empty header row
    assert ["Datum", "06.05.2025"] in rows
    assert ["Sozialausschuss", "Vorberatung", "04.03.2025", "öffentlich"] in rows
    assert ["Rat der Stadt", "Entscheidung", "20.03.2025", ""] in rows
    # Sources list.
    assert (
        "[1] Stadt Wedel, BV/2023/162: Integrationskonzept der Stadt Wedel "
        "(Abschnitt Sachdarstellung)" in text
    )
    assert "[2] Landkreis Börde (Abschnitt Finanzielle Auswirkungen)" in text
    # A valid draft carries no Prüfhinweise; there are no Anlagen and no Begründung.
    assert "Prüfhinweise" not in text
    assert "Begründung" not in text
    assert "{{" not in text and "{%" not in text


def test_docx_keeps_paragraphs_and_line_breaks(valid: Draft) -> None:
    document = docx.Document(io.BytesIO(export(valid, "docx", today=TODAY)))
    texts = [p.text for p in document.paragraphs]
    # A blank line starts a new Word paragraph; a single line break stays inside it.
    assert paragraphs(BESCHLUSS)[0] in texts and paragraphs(BESCHLUSS)[1] in texts
    assert paragraphs(SACH)[0] in texts


def test_docx_begruendung_and_anlagen_when_present(valid: Draft) -> None:
    draft = valid.model_copy(update={"begruendung": "Die Begründung folgt aus dem Konzept."})
    text, _ = docx_text(export(draft, "docx", today=TODAY))
    assert "Begründung" in text and "Die Begründung folgt aus dem Konzept." in text


def test_markdown(valid: Draft) -> None:
    md = export(valid, "md", today=TODAY).decode("utf-8")
    assert md.startswith("# Beschlussvorlage: Fortschreibung des Integrationskonzepts")
    for part in [*paragraphs(BESCHLUSS), *paragraphs(SACH), FINANZEN, KI_HINWEIS]:
        assert part in md
    assert "| Sozialausschuss | Vorberatung | 04.03.2025 | öffentlich |" in md
    assert "| Datum | 06.05.2025 |" in md
    assert "- [1] Stadt Wedel, BV/2023/162" in md
    assert md.index("## Beschlussvorschlag") < md.index("## Sachdarstellung")
    assert "Prüfhinweise" not in md
    assert export(valid, "markdown", today=TODAY).decode("utf-8") == md


def test_json_is_the_draft(valid: Draft) -> None:
    data = export(valid, "json")
    assert Draft.model_validate_json(data) == valid


def test_oparl_paper(valid: Draft) -> None:
    paper = json.loads(export(valid, "oparl", today=TODAY))
    assert paper["type"] == "https://schema.oparl.org/1.1/Paper"
    assert paper["name"] == "Fortschreibung des Integrationskonzepts"
    assert paper["reference"] is None
    assert paper["date"] == "2025-05-06"
    assert paper["paperType"] == "Beschlussvorlage"
    assert paper["body"]["name"] == "Stadt Wedel"
    roles = [(c["role"], c["organization"][0]["name"]) for c in paper["consultation"]]
    assert roles == [("Vorberatung", "Sozialausschuss"), ("Entscheidung", "Rat der Stadt")]
    assert [c["authoritative"] for c in paper["consultation"]] == [False, True]
    assert paper["consultation"][0]["meeting"]["start"] == "2025-03-04"
    assert paper["vorlagen:beschlussvorschlag"] == BESCHLUSS
    assert paper["vorlagen:sachdarstellung"] == SACH
    assert paper["vorlagen:finanzielleAuswirkungen"] == FINANZEN
    assert paper["vorlagen:quellen"][0]["n"] == 1
    assert paper["vorlagen:kiHinweis"] == KI_HINWEIS
    assert "vorlagen:pruefhinweise" not in paper


def test_oparl_paper_reads_back_with_the_ingest_parser(valid: Draft) -> None:
    from ingest.sources.oparl import is_oparl_paper, paper_hints

    paper = json.loads(export(valid, "oparl", today=TODAY))
    assert is_oparl_paper(paper)
    hints = paper_hints(paper)
    assert hints.betreff == valid.request.betreff
    assert hints.kommune == "Stadt Wedel"
    assert [(s.gremium, s.rolle, s.datum) for s in hints.beratungsfolge] == [
        (s.gremium, s.rolle, s.datum) for s in STEPS
    ]


# --- refusal and forced export ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_refuses_a_draft_with_errors(failing: Draft, fmt: str) -> None:
    with pytest.raises(ExportRefused) as info:
        export(failing, fmt)
    assert info.value.rules == ["grounded"]
    assert "grounded" in str(info.value)
    assert "nicht exportiert" in str(info.value)


def test_refuses_an_unvalidated_draft() -> None:
    draft = make_draft().model_copy(update={"validation": None})
    with pytest.raises(ExportRefused) as info:
        export(draft, "md")
    assert info.value.rules == ["unvalidated"]
    md = export(draft, "md", force=True).decode("utf-8")
    assert "[unvalidated]: Der Entwurf wurde nicht automatisch geprüft." in md


def test_warnings_alone_do_not_refuse(valid: Draft) -> None:
    assert valid.validation is not None and valid.validation.warnings
    export(valid, "docx")


def test_forced_docx_shows_findings_at_the_top(failing: Draft) -> None:
    text, _ = docx_text(export(failing, "docx", force=True, today=TODAY))
    assert text.startswith("Prüfhinweise")
    assert f"Fehler [grounded]: {GROUNDED.message} (Stelle: {GROUNDED.where})" in text
    assert f"Hinweis [style]: {STYLE.message}" in text
    assert text.index("Prüfhinweise") < text.index("Beschlussvorschlag")
    assert paragraphs(SACH)[1] in text


def test_forced_markdown_shows_findings_at_the_top(failing: Draft) -> None:
    md = export(failing, "md", force=True).decode("utf-8")
    assert md.startswith("## Prüfhinweise")
    assert f"- Fehler [grounded]: {GROUNDED.message}" in md


def test_forced_json_and_oparl_carry_the_findings(failing: Draft) -> None:
    draft = Draft.model_validate_json(export(failing, "json", force=True))
    assert draft.validation is not None and not draft.validation.ok
    assert [f.rule for f in draft.validation.errors] == ["grounded"]
    paper = json.loads(export(failing, "oparl", force=True))
    hinweise = paper["vorlagen:pruefhinweise"]
    assert hinweise[0] == {
        "schwere": "Fehler",
        "rule": "grounded",
        "message": GROUNDED.message,
        "where": GROUNDED.where,
    }
    assert hinweise[1]["rule"] == "style"


# --- templates ----------------------------------------------------------------------------------


def make_template(path: Path, lines: list[str], table: bool = True) -> Path:
    document = docx.Document()
    document.add_paragraph("Eigene Vorlage der Gemeinde")
    for line in lines:
        document.add_paragraph(line)
    if table:
        t = document.add_table(rows=3, cols=2)
        t.rows[0].cells[0].text = "{%tr for s in beratungsfolge %}"
        t.rows[1].cells[0].text = "{{ s.gremium }}"
        t.rows[1].cells[1].text = "{{ s.rolle }} {{ s.datum }}"
        t.rows[2].cells[0].text = "{%tr endfor %}"
    document.save(str(path))
    return path


def test_custom_template_with_documented_variables(valid: Draft, tmp_path: Path) -> None:
    template = make_template(
        tmp_path / "gemeinde.docx",
        [
            "{{ kommune }} | {{ vorlagen_nr }} | {{ datum }} | {{ federfuehrung }} | {{ art }}",
            "Betreff: {{ betreff }} – entscheidet: {{ gremium }}",
            "{{ beschlussvorschlag }}",
            "{{ sachdarstellung }}",
            "{{ finanzielle_auswirkungen }}",
            "{%p for q in quellen %}",
            "Quelle {{ q.n }}: {{ q.label }}",
            "{%p endfor %}",
            "{{ ki_hinweis }}",
            "{{ anlagen | length }} Anlagen; Modell {{ model }}",
        ],
    )
    for source in (template, str(template), template.read_bytes()):
        text, rows = docx_text(export(valid, "docx", template=source, today=TODAY))
        assert text.startswith("Eigene Vorlage der Gemeinde")
        assert "Stadt Wedel |  | 06.05.2025 |  | Beschlussvorlage" in text
        assert "entscheidet: Rat der Stadt" in text
        for part in [*paragraphs(BESCHLUSS), *paragraphs(SACH), FINANZEN, KI_HINWEIS]:
            assert part in text
        assert "Quelle 2: Landkreis Börde (Abschnitt Finanzielle Auswirkungen)" in text
        assert "0 Anlagen; Modell qwen2.5-coder-1.5b-instruct-q4_k_m" in text
        assert ["Rat der Stadt", "Entscheidung 20.03.2025"] in rows


def test_custom_template_sees_every_context_variable(valid: Draft, tmp_path: Path) -> None:
    context = build_context(valid, today=TODAY)
    lines = [f"{key}={{{{ {key} }}}}" for key in context]
    text, _ = docx_text(export(valid, "docx", template=make_template(tmp_path / "t.docx", lines)))
    for key in context:
        assert f"{key}=" in text


def test_docs_list_every_template_variable(valid: Draft) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text("utf-8")
    for key in build_context(valid):
        assert f"`{key}`" in doc, key


def test_custom_template_with_unknown_variable(valid: Draft, tmp_path: Path) -> None:
    template = make_template(tmp_path / "t.docx", ["{{ buergermeister }}"], table=False)
    with pytest.raises(ExportError, match="unbekannte Variable"):
        export(valid, "docx", template=template)


def test_custom_template_cannot_reach_python_internals(valid: Draft, tmp_path: Path) -> None:
    template = make_template(tmp_path / "t.docx", ["{{ betreff.__class__ }}"], table=False)
    with pytest.raises(ExportError, match="nicht erlaubte"):
        export(valid, "docx", template=template)


@pytest.mark.parametrize("source", [b"not a docx", "does/not/exist.docx"])
def test_unusable_template(valid: Draft, source: bytes | str) -> None:
    with pytest.raises(ExportError):
        export(valid, "docx", template=source)


def test_template_only_for_docx(valid: Draft) -> None:
    with pytest.raises(ExportError, match="docx"):
        export(valid, "md", template=default_template())


def test_unknown_format(valid: Draft) -> None:
    with pytest.raises(ExportError, match="Unbekanntes Exportformat „pdf“"):
        export(valid, "pdf")


def test_default_template_is_small_and_rebuildable(valid: Draft, tmp_path: Path) -> None:
    assert len(default_template()) < 60_000
    rebuilt = build(tmp_path / "rebuilt.docx")
    assert docx_text(export(valid, "docx", template=rebuilt, today=TODAY)) == docx_text(
        export(valid, "docx", today=TODAY)
    )


def test_text_with_markup_characters_stays_text(valid: Draft) -> None:
    draft = valid.model_copy(update={"sachdarstellung": 'A & B < C > D "E" {{ x }} \x07 ende'})
    text, _ = docx_text(export(draft, "docx"))
    assert 'A & B < C > D "E" {{ x }}  ende' in text


def test_the_header_has_no_empty_rows_and_names_who_assigns_the_number(valid: Draft) -> None:
    stated = valid.model_copy(
        update={
            "request": valid.request.model_copy(
                update={"federfuehrung": "Fachdienst Soziales", "aktenzeichen": "50.1-2025/17"}
            )
        }
    )
    context = build_context(stated, today=date(2025, 5, 6))
    assert [row["label"] for row in context["kopf"]] == [
        "Kommune",
        "Vorlagen-Nr.",
        "Datum",
        "Federführung",
        "Aktenzeichen",
    ]
    assert context["vorlagen_nr"] == "" and context["vorlagen_nr_text"].startswith("wird vom")
    markdown = export(stated, "md", today=date(2025, 5, 6)).decode()
    assert "| Federführung | Fachdienst Soziales |" in markdown
    assert "| Aktenzeichen | 50.1-2025/17 |" in markdown
    _, rows = docx_text(export(stated, "docx", today=date(2025, 5, 6)))
    assert ["Aktenzeichen", "50.1-2025/17"] in rows
    plain = export(valid, "md", today=date(2025, 5, 6)).decode()
    assert "Aktenzeichen" not in plain and "| Federführung |" not in plain
    assert "| Vorlagen-Nr. | wird vom Ratsinformationssystem vergeben |" in plain
    numbered = build_context({**valid.model_dump(mode="json"), "vorlagen_nr": "BV/2025/1"})
    assert numbered["vorlagen_nr_text"] == "BV/2025/1"


def test_request_defaults_fill_only_what_the_request_leaves_open() -> None:
    request = DraftRequest(betreff="Haushalt", gremium="Rat", kommune="Stadt Wedel")
    filled = request.with_defaults(kommune="Stadt Anders", federfuehrung="Kämmerei")
    assert filled.kommune == "Stadt Wedel" and filled.federfuehrung == "Kämmerei"
    assert filled.filters == request.filters  # the defaults fill the header, not the search
    assert request.with_defaults() is request
    assert request.with_defaults(federfuehrung="  ").federfuehrung is None
