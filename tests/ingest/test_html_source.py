"""HTML source: ALLRIS and SessionNet fixture pages, rendering rules, charsets, errors, gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import IngestError
from ingest.parse import parse_path
from ingest.sources.html import decode_html, detect_system, html_to_text, load_html

DATA = Path(__file__).resolve().parents[1] / "data"
ALLRIS = DATA / "allris_vo020.html"
SESSIONNET = DATA / "sessionnet_vo0050.html"
SEEDS = {ALLRIS: "003_3f6889f89219b8e4.txt", SESSIONNET: "002_2dc79cbcaaefd3a8.txt"}
NOISE = ("Reduzieren", "Erweitern", "Loading", "Zur Navigation springen", "Zum Inhalt springen")


def _lines(text: str) -> list[str]:
    """Non-empty lines with white space (and non-breaking spaces) collapsed."""
    return [
        " ".join(line.replace("\xa0", " ").split()) for line in text.splitlines() if line.strip()
    ]


def _in_order(text: str, markers: list[str]) -> bool:
    positions = [text.index(marker) for marker in markers]
    return positions == sorted(positions)


@pytest.fixture(scope="module")
def allris_text() -> str:
    document = load_html(ALLRIS)
    assert document.system == "allris"
    return document.text


@pytest.fixture(scope="module")
def sessionnet_text() -> str:
    document = load_html(SESSIONNET)
    assert document.system == "sessionnet"
    return document.text


# --- ALLRIS 4 vo020 ----------------------------------------------------------------------


def test_allris_sections_in_order_on_their_own_lines(allris_text: str) -> None:
    headings = [
        "Beschlussvorlage öffentlich - VO/2025/246",
        "Beratungsfolge",
        "Sachverhalt",
        "Beschlussempfehlung",
        "Relevanz für den Klimaschutz",
        "Finanzielle Auswirkungen",
        "Anlagen",
    ]
    lines = allris_text.splitlines()
    assert [line for line in lines if line in headings] == headings
    for heading in headings[1:]:
        assert lines[lines.index(heading) - 1] == "", f"blank line before {heading}"


def test_allris_text_matches_the_seed_export_without_its_noise(
    allris_text: str, seeds_dir: Path
) -> None:
    seed = (seeds_dir / SEEDS[ALLRIS]).read_text(encoding="utf-8")
    expected = [line for line in _lines(seed) if not line.startswith(NOISE)]
    assert _lines(allris_text) == expected


def test_allris_page_furniture_is_gone(allris_text: str) -> None:
    for noise in (
        *NOISE,
        "Sitzungskalender",
        "Mandatsträger",
        "Suchbegriff",
        "Startseite",
        "Cookies",
        "Verstanden",
        "Anmelden",
        "Impressum",
        "CC e-gov",
        "Nach oben",
        "Wicket",
        "CDATA",
        "font-family",
    ):
        assert noise not in allris_text, noise


def test_allris_entities_are_decoded(allris_text: str) -> None:
    assert (
        "Aktionsplans „Integration im Fokus: Maßnahmen, die verbinden – ein Konzept" in allris_text
    )
    assert "&" not in allris_text


# --- SessionNet vo0050 -------------------------------------------------------------------


def test_sessionnet_header_table_rows_are_tab_separated(sessionnet_text: str) -> None:
    lines = sessionnet_text.splitlines()
    assert "Betreff:\tIntegrationskonzept für den Landkreis Börde" in lines
    assert "Status:\töffentlich\tVorlage-Art:\tBeschlussvorlage" in lines
    assert "Einreicher:\tSladky FDLin Migration Herzig Fachbereichsleiterin 3" in lines
    assert "Federführend:\tFD Migration\tBearbeiter/-in:\tSladky, Corinna" in lines
    assert "Anlage 1\t1\tIntegrationskonzept (2143 KB)" in lines


def test_sessionnet_sections_in_order(sessionnet_text: str) -> None:
    assert _in_order(
        sessionnet_text,
        [
            "Bürgerinfo LANDKREIS BÖRDE",
            "Vorlage - 2018/33/0590",
            "Betreff:\t",
            "Beratungsfolge:",
            "Verfahrensbeteiligte:",
            "\nBeschlussvorschlag:\n",
            "\nSachdarstellung, Begründung:\n",
            "\nFinanzielle Auswirkungen:\n",
            "\nPersonelle Auswirkungen:\n",
        ],
    )


def test_sessionnet_beratungsfolge_reads_like_the_seed(
    sessionnet_text: str, seeds_dir: Path
) -> None:
    seed = _lines((seeds_dir / SEEDS[SESSIONNET]).read_text(encoding="utf-8"))
    ours = _lines(sessionnet_text)
    start, end = seed.index("Beratungsfolge:") + 1, seed.index("Anlagen:")
    block = seed[start:end]
    assert ours[ours.index("Beratungsfolge:") + 1 :][: len(block)] == block


def test_sessionnet_text_blocks_match_the_seed(sessionnet_text: str, seeds_dir: Path) -> None:
    seed = _lines((seeds_dir / SEEDS[SESSIONNET]).read_text(encoding="utf-8"))
    ours = _lines(sessionnet_text)
    last = "Integrationskonzept für den Landkreis Börde"
    seed_block = seed[seed.index("Beschlussvorschlag:") : seed.index(last) + 1]
    our_block = ours[ours.index("Beschlussvorschlag:") : ours.index(last) + 1]
    assert our_block == [line for line in seed_block if line]


def test_sessionnet_cp1252_page_is_decoded_by_its_declared_charset(sessionnet_text: str) -> None:
    raw = SESSIONNET.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Bürgerinfo LANDKREIS BÖRDE" in sessionnet_text
    assert "Planmäßig" in sessionnet_text and "Überplanmäßig" in sessionnet_text


def test_sessionnet_page_furniture_is_gone(sessionnet_text: str) -> None:
    for noise in ("Zum Inhalt springen", "Kalender", "Mandatsträger", "Startseite", "Drucken"):
        assert noise not in sessionnet_text, noise
    for noise in ("Impressum", "Somacos", "smc_init_page", "Version 4.4"):
        assert noise not in sessionnet_text, noise


# --- parsing the fixtures gives the seeds' gold values -----------------------------------


@pytest.fixture(scope="module")
def gold(shared: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared / "gold" / "seeds.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("page", [ALLRIS, SESSIONNET], ids=["allris", "sessionnet"])
def test_html_fixture_parses_to_the_gold_record(page: Path, gold: dict[str, Any]) -> None:
    expected = gold[SEEDS[page]]
    vorlage = parse_path(page)
    assert vorlage.vorlagen_nr == expected["vorlagen_nr"]
    assert vorlage.art == expected["art"]
    assert vorlage.oeffentlich == expected["oeffentlich"]
    assert (vorlage.beschlussvorschlag or "").startswith(expected["beschlussvorschlag_startswith"])
    assert (vorlage.sachdarstellung or "").startswith(expected["sachdarstellung_startswith"])
    for section in vorlage.sections:
        assert "Reduzieren" not in section.heading and "Reduzieren" not in section.text
    assert "Reduzieren" not in vorlage.text


def test_sessionnet_fixture_header_and_beratungsfolge_match_gold(gold: dict[str, Any]) -> None:
    expected = gold[SEEDS[SESSIONNET]]
    vorlage = parse_path(SESSIONNET)
    assert vorlage.source.system == "sessionnet"
    assert vorlage.betreff == expected["betreff"]
    assert vorlage.kommune == expected["kommune"]
    steps = [(s.rolle, s.datum.isoformat() if s.datum else None) for s in vorlage.beratungsfolge]
    assert steps == [(s["rolle"], s["datum"]) for s in expected["beratungsfolge"]]


def test_allris_fixture_states_no_betreff_and_no_beratungsfolge(gold: dict[str, Any]) -> None:
    expected = gold[SEEDS[ALLRIS]]
    vorlage = parse_path(ALLRIS)
    assert vorlage.source.system == "allris"
    assert vorlage.betreff == expected["betreff"] is None
    assert vorlage.beratungsfolge == []
    assert "Zunächst keine" in (vorlage.finanzielle_auswirkungen or "")
    assert "keine" in (vorlage.klimaschutz or "")


# --- rendering rules ---------------------------------------------------------------------


def test_br_is_a_line_break_and_entities_are_decoded() -> None:
    text, system = html_to_text("<p>Erste&nbsp;Zeile<br>zweite &amp; dritte<br/>&auml;&szlig;</p>")
    assert text == "Erste Zeile\nzweite & dritte\näß\n"
    assert system == "html"


def test_scripts_styles_navigation_footer_and_banners_are_dropped() -> None:
    html = """<html><head><title>T</title><style>p {color: red}</style></head><body>
      <a href="#main" class="skip-link">Zum Inhalt springen</a>
      <div class="cookie-consent">Wir verwenden Cookies. <button>OK</button></div>
      <nav><ul><li>Start</li><li>Gremien</li></ul></nav>
      <div role="navigation">Menü</div><ul class="breadcrumb"><li>Pfad</li></ul>
      <main><h2>Sachverhalt</h2><p>Text.</p><script>var x = 1;</script></main>
      <footer>Impressum</footer></body></html>"""
    text, _ = html_to_text(html)
    assert text == "Sachverhalt\n\nText.\n"


def test_headings_and_paragraphs_are_blocks_inline_elements_are_not() -> None:
    html = "<div><h3>Beschlussvorschlag:</h3><p>Der <b>Rat</b> <i>beschließt</i>.</p>Rest</div>"
    text, _ = html_to_text(html)
    assert text == "Beschlussvorschlag:\n\nDer Rat beschließt.\n\nRest\n"


def test_bold_label_before_long_text_gets_its_own_line() -> None:
    long = "Die Stadt hat 2019 ein Integrationskonzept beschlossen, das nun fortgeschrieben wird."
    text, _ = html_to_text(f"<p><b>Sachverhalt:</b> {long}</p><p><b>Datum:</b> 12.03.2024</p>")
    assert text == f"Sachverhalt:\n\n{long}\n\nDatum: 12.03.2024\n"


def test_table_rows_become_tab_separated_lines() -> None:
    html = """<table><tr><th>Gremium</th><th>Rolle</th><th>Datum</th></tr>
      <tr><td>Sozialausschuss</td><td>Vorberatung</td><td>05.12.2023</td></tr>
      <tr><td>Rat der <br>Stadt</td><td>Entscheidung</td><td></td></tr></table>"""
    text, _ = html_to_text(html)
    assert text == (
        "Gremium\tRolle\tDatum\nSozialausschuss\tVorberatung\t05.12.2023\n"
        "Rat der Stadt\tEntscheidung\n"
    )


def test_layout_tables_and_div_grids() -> None:
    long = " ".join(["Ein langer Absatz mit Inhalt."] * 10)
    html = f"""<table><tr><td><b>Sachverhalt</b></td>
      <td><p>{long}</p><p>Zweiter Absatz.</p></td></tr></table>
      <div class="smc-table-row"><div class="smc-table-cell">Status:</div>
      <div class="smc-table-cell">öffentlich</div></div>
      <div role="row"><span role="cell">A</span><span role="cell">B</span></div>"""
    text, _ = html_to_text(html)
    assert text == f"Sachverhalt\n\n{long}\n\nZweiter Absatz.\n\nStatus:\töffentlich\nA\tB\n"


def test_lists_get_markers() -> None:
    text, _ = html_to_text("<ol><li>eins</li><li>zwei</li></ol><ul><li>rot</li></ul>")
    assert text == "1. eins\n2. zwei\n\n- rot\n"


def test_toggle_and_placeholder_lines_are_dropped() -> None:
    html = "<h2>Anlagen</h2><a href='#'>Reduzieren</a><span>Erweitern</span><p>Loading...</p>"
    assert html_to_text(html)[0] == "Anlagen\n"


@pytest.mark.parametrize(
    ("html", "system"),
    [
        (
            '<html><head><meta name="generator" content="SessionNet"></head><body>x</body>',
            "sessionnet",
        ),
        ('<a href="vo0050.php?__kvonr=1">Vorlage</a>', "sessionnet"),
        ('<div id="allriscontainer"><a href="vo020.asp?VOLFDNR=1">V</a></div>', "allris"),
        ("<title>ALLRIS - Vorlage</title>", "allris"),
        ("<p>Eine Seite der Stadt</p>", "html"),
    ],
)
def test_system_detection(html: str, system: str) -> None:
    assert detect_system(html) == system


# --- charsets and errors -----------------------------------------------------------------


def test_charsets() -> None:
    text = "<p>Größe</p>"
    assert decode_html(text.encode("utf-8")) == text
    assert decode_html(text.encode("cp1252")) == text, "undeclared, not UTF-8: cp1252"
    declared = '<meta charset="iso-8859-15"><p>€</p>'
    assert decode_html(declared.encode("iso-8859-15")) == declared
    xml = '<?xml version="1.0" encoding="windows-1252"?><p>„Zitat“</p>'
    assert decode_html(xml.encode("cp1252")) == xml
    latin = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>„</p>'
    assert decode_html(latin.encode("cp1252")) == latin, "ISO-8859-1 is read as cp1252"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa4</p>") == "<p>ä</p>"
    assert decode_html('<meta charset="utf-8"><p>Ä</p>'.encode("cp1252")).endswith("<p>Ä</p>")


def test_missing_binary_and_empty_pages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="nicht gefunden"):
        load_html(tmp_path / "fehlt.html")
    binary = tmp_path / "bild.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(IngestError) as info:
        load_html(binary)
    assert str(info.value) == "Die Datei „bild.html“ ist keine HTML-Datei."
    empty = tmp_path / "leer.html"
    empty.write_text("<html><body><nav>Menü</nav><script>x()</script></body></html>")
    with pytest.raises(IngestError) as info:
        load_html(empty)
    assert str(info.value) == "Die HTML-Datei „leer.html“ enthält keinen lesbaren Text."
