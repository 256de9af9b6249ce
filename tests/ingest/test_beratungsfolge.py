"""Beratungsfolge extraction: the seeds' gold, real Karlsruhe snippets, and robustness."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.schema import Beratungsschritt
from ingest.beratungsfolge import extract_beratungsfolge
from ingest.normalize import normalize

# ---------------------------------------------------------------------------------------------
# Seeds against gold/seeds.json


def _gold(shared: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared / "gold" / "seeds.json").read_text("utf-8"))
    return data


SEEDS = [
    "000_f4c24dcc807afdc1.txt",
    "001_ff3983e8347dd6ec.txt",
    "002_2dc79cbcaaefd3a8.txt",
    "003_3f6889f89219b8e4.txt",
    "004_b87901ab57b72927.txt",
]


@pytest.mark.parametrize("name", SEEDS)
def test_seed_matches_gold(shared: Path, name: str) -> None:
    expected = _gold(shared)[name]["beratungsfolge"]
    text = normalize((shared / "seeds" / name).read_text("utf-8"))
    steps, span = extract_beratungsfolge(text)
    assert len(steps) == len(expected)
    for step, want in zip(steps, expected, strict=True):
        if "gremium" in want:
            assert step.gremium == want["gremium"]
        else:
            assert want["gremium_contains"] in step.gremium
        assert step.rolle == want.get("rolle")
        assert step.datum == date.fromisoformat(want["datum"])
    if expected:
        assert span is not None
        assert text[span[0] : span[1]].startswith("Beratungsfolge")
    else:
        assert span is None


def test_seed_leverkusen_public_column(shared: Path) -> None:
    text = normalize((shared / "seeds" / SEEDS[1]).read_text("utf-8"))
    steps, _ = extract_beratungsfolge(text)
    assert all(s.oeffentlich is True for s in steps)


def test_seed_sessionnet_result(shared: Path) -> None:
    text = normalize((shared / "seeds" / SEEDS[2]).read_text("utf-8"))
    steps, span = extract_beratungsfolge(text)
    assert steps[-1].ergebnis == "ungeändert beschlossen"
    assert steps[0].ergebnis is None
    assert span is not None and "Anlagen:" not in text[span[0] : span[1]]


def test_seed_wedel_span_excludes_title(shared: Path) -> None:
    text = normalize((shared / "seeds" / SEEDS[0]).read_text("utf-8"))
    _, span = extract_beratungsfolge(text)
    assert span is not None
    block = text[span[0] : span[1]]
    assert block.endswith("21.12.2023")
    assert "Fortgeschriebenes" not in block


# ---------------------------------------------------------------------------------------------
# Real snippets (Karlsruhe OParl corpus, normalised)


def S(
    gremium: str,
    datum: str | None,
    rolle: str | None = None,
    oeffentlich: bool | None = None,
    ergebnis: str | None = None,
) -> dict[str, Any]:
    return {
        "gremium": gremium,
        "datum": date.fromisoformat(datum) if datum else None,
        "rolle": rolle,
        "oeffentlich": oeffentlich,
        "ergebnis": ergebnis,
    }


CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "dieser-vorlage-x-mark",  # 637380: the X under ö or nö cannot be placed -> None
        "Fahrgastüberdachung bei der Haltestelle Palmbach Kirche\n"
        "Beratungsfolge dieser Vorlage\nGremium Termin TOP ö nö Ergebnis\n"
        "Ortschaftsrat Wettersbach 10.05.2022 3 X\n\nBeschlussantrag (Kurzfassung)\n"
        "Mit der Novellierung des Personenbeförderungsgesetzes",
        [S("Ortschaftsrat Wettersbach", "2022-05-10")],
    ),
    (
        "gremien-zustaendigkeit",  # 664181
        "Annahme des Angebots von Zuwendungen\n\nGremien Termin TOP Ö / N Zuständigkeit\n"
        "Haupt- und Finanzausschuss 04.02.2025 4 Ö Entscheidung\nKurzfassung\n"
        "Der Haupt- und Finanzausschuss nimmt Kenntnis",
        [S("Haupt- und Finanzausschuss", "2025-02-04", "Entscheidung", True)],
    ),
    (
        "gremien-zustaendigkeit-wrapped",  # 661963 and 659474: cells on separate lines
        "Gremien Termin TOP Ö / N Zuständigkeit\nPlanungsausschuss\n14.11.2024\n"
        "5 Ö Entscheidung\nPlanungsausschuss\n12.12.2024\n2 N Vorberatung\nKurzfassung\nText",
        [
            S("Planungsausschuss", "2024-11-14", "Entscheidung", True),
            S("Planungsausschuss", "2024-12-12", "Vorberatung", False),
        ],
    ),
    (
        "sitzung-am-with-session-header",  # 16741 (2006): "20. Sitzung des Gemeinderates am"
        "Beschlussvorlage\nSTADT KARLSRUHE\nDer Oberbürgermeister\n"
        "20. Sitzung des Gemeinderates am 24.01.2006\nTOP 6\nVorlage Nr. 516\n"
        'Vorhabenbezogener Bebauungsplan "Karlsruher Weg 17"\n'
        "Beratungsfolge Sitzung am TOP ö nö Ergebnis\n"
        "Planungsausschuss 06.05.2004 Zustimmung (grundsätzlich)\n\n"
        "Planungsausschuss 08.07.2004 Zustimmung\n\nAntrag an den Gemeinderat\n"
        "Der Gemeinderat nimmt den Bebauungsplanentwurf zustimmend zur Kenntnis.",
        [
            S("Planungsausschuss", "2004-05-06", ergebnis="Zustimmung (grundsätzlich)"),
            S("Planungsausschuss", "2004-07-08", ergebnis="Zustimmung"),
            S("Gemeinderat", "2006-01-24"),
        ],
    ),
    (
        "labelled-header-and-unfilled-form-rows",  # 10025 (Durlach 2009)
        "BESCHLUSSVORLAGE\nSTADT KARLSRUHE\nStadtamt Durlach\nGremium:\nOrtschaftsrat Durlach\n"
        "Termin:\nVorlage Nr.:\nTOP:\n15.07.2009\nTOP 3\nöffentlich\n"
        "Sanierung der ehemaligen chemischen Reinigung Roth\n"
        "Beratungsfolge Sitzung am TOP ö nö Ergebnis\nÄltestenrat\nAusschuss für Planung,\n"
        "Bauwesen und Umwelt\nKulturbeirat\nAntrag an den Ortschaftsrat\n"
        "Der Ortschaftsrat soll informiert werden.",
        [S("Ortschaftsrat Durlach", "2009-07-15", oeffentlich=True)],
    ),
    (
        "labelled-header-merged-into-table",  # 10289 (2011): same date -> one step
        "BESCHLUSSVORLAGE\nGremium:\n25. Plenarsitzung Gemeinderat\nTermin:\nVorlage Nr.:\n"
        "TOP:\nVerantwortlich:\n28.06.2011\n753\n10\nöffentlich\nDez. 3\n"
        "Betreuung von Kindern unter drei Jahren durch Tagesmütter\n"
        "Beratungsfolge dieser Vorlage am TOP ö nö Ergebnis\n"
        "Jugendhilfeausschuss 08.06.2011 3 Zustimmung\nGemeinderat 28.06.2011 10\n"
        "Antrag an den Gemeinderat / Ausschuss\nDer Gemeinderat beschließt.",
        [
            S("Jugendhilfeausschuss", "2011-06-08", ergebnis="Zustimmung"),
            S("Gemeinderat", "2011-06-28", oeffentlich=True),
        ],
    ),
    (
        "labelled-header-genitive-on-two-lines",  # 2007: "Plenarsitzung des" / "Gemeinderates"
        "BESCHLUSSVORLAGE\nGremium:\n44. Plenarsitzung des\nGemeinderats\nTermin:\n"
        "Vorlage Nr.:\nTOP:\nVerantwortlich:\n13.11.2007\n1169\n5\nöffentlich\nDez. 2\n"
        "Stadtteile mit besonderem Entwicklungsbedarf in Karlsruhe\nAntrag an den Gemeinderat",
        [S("Gemeinderat", "2007-11-13", oeffentlich=True)],
    ),
    (
        "spaces-lost",  # 2017: the PDF text layer lost every space
        "BeratungsfolgedieserVorlage\nGremiumTerminTOPönöErgebnis\n"
        "Hauptausschuss07.03.201715Xvorberaten\nGemeinderat14.03.201720Xgenehmigt\n"
        "Beschlussantrag\n1.)DerGemeinderatbeschließt",
        [
            S("Hauptausschuss", "2017-03-07", ergebnis="vorberaten"),
            S("Gemeinderat", "2017-03-14", ergebnis="genehmigt"),
        ],
    ),
    (
        "spaces-lost-top-glued-to-year",  # 2010: "Sozialausschuss31.03.20101" (TOP 1)
        "BeratungsfolgeSitzung amTOPönöErgebnis\nSozialausschuss31.03.20101\n"
        "Antrag an den Gemeinderat / Ausschuss\nDer Sozialausschuss nimmt Kenntnis.",
        [S("Sozialausschuss", "2010-03-31")],
    ),
    (
        "wrapped-body-and-result-lines",  # 592724 (2016)
        "Beratungsfolge dieser Vorlage\nGremium Termin TOP ö nö Ergebnis\n"
        "Ausschuss für Umwelt und\nGesundheit\n05.07.2016 6\nx vorberaten\n"
        "Gemeinderat 19.07.2016 9 x\nmehrheitlich zugestimmt\nBeschlussantrag\nDer Gemeinderat",
        [
            S("Ausschuss für Umwelt und Gesundheit", "2016-07-05", ergebnis="vorberaten"),
            S("Gemeinderat", "2016-07-19", ergebnis="mehrheitlich zugestimmt"),
        ],
    ),
    (
        "body-first-then-date-line",  # 585445 (2015)
        "Beratungsfolge dieser Vorlage am TOP ö nö Ergebnis\nGemeinderat\n03.03.2015\n3\n"
        "Antrag an den Gemeinderat / Ausschuss\nDer Gemeinderat bestellt Herrn Doll.",
        [S("Gemeinderat", "2015-03-03")],
    ),
    (
        "purpose-in-parentheses",  # 40261 (2006)
        "Beratungsfolge Sitzung am TOP ö nö Ergebnis\nGemeinderat\n(Auslegungsbeschluss)\n"
        "28.03.2006 5 zugestimmt\nGemeinderat\n(Satzungsbeschluss)\n21.11.2006 7\n"
        "Antrag an den Gemeinderat\nDer Gemeinderat beschließt.",
        [
            S("Gemeinderat (Auslegungsbeschluss)", "2006-03-28", ergebnis="zugestimmt"),
            S("Gemeinderat (Satzungsbeschluss)", "2006-11-21"),
        ],
    ),
    (
        "oeffentlichkeitsstatus",  # 650169 (2023)
        "Beratungsfolge Termin Öffentlichkeitsstatus Zuständigkeit\n"
        "Ortschaftsrat Hohenwettersbach 20.09.2023 öffentlich Entscheidung\nKurzfassung\n"
        "Der Ortschaftsrat beschließt",
        [S("Ortschaftsrat Hohenwettersbach", "2023-09-20", "Entscheidung", True)],
    ),
    (
        "month-names",  # 46609 (2022)
        "Beratungsfolge dieser Vorlage\nGremium Termin TOP ö nö Ergebnis\nAusschuss für\n"
        "Wirtschaftsförderung\n30. März 2022 2 x\nGemeinderat 26. April 2022 12 x\n\n"
        "Beschlussantrag (Kurzfassung)\nDer Gemeinderat beschließt",
        [
            S("Ausschuss für Wirtschaftsförderung", "2022-03-30"),
            S("Gemeinderat", "2022-04-26"),
        ],
    ),
    (
        "two-digit-year",  # 38995 (2010)
        "Beratungsfolge Sitzung am TOP ö nö Ergebnis\nHauptausschuss 04.05.10 2\n"
        "Antrag an den Gemeinderat / Ausschuss\nDer Jahresbericht 2009 zeigt",
        [S("Hauptausschuss", "2010-05-04")],
    ),
    (
        "multi-day-session",  # budget sessions over several days: the first day counts
        "Gremien Termin TOP Ö / N Zuständigkeit\n"
        "Gemeinderat 22./23.10.2013 2 Ö Entscheidung\nKurzfassung\nText",
        [S("Gemeinderat", "2013-10-22", "Entscheidung", True)],
    ),
    (
        "merged-cell-two-meetings",  # 54191 (2026): one body, two dates, cells column-wise
        "Gremien Termin TOP Ö / N Zuständigkeit\nSchulausschuss 11.03.2026 8 Ö Vorberatung\n"
        "Ortschaftsrat Wettersbach 17.03.2026\n14.04.2026\n2\n1\nÖ\nÖ\nAnhörung\nAnhörung\n"
        "Gemeinderat 28.04.2026 7 Ö Entscheidung\nKurzfassung\nAntrag an den Gemeinderat",
        [
            S("Schulausschuss", "2026-03-11", "Vorberatung", True),
            S("Ortschaftsrat Wettersbach", "2026-03-17"),
            S("Ortschaftsrat Wettersbach", "2026-04-14", "Anhörung", True),
            S("Gemeinderat", "2026-04-28", "Entscheidung", True),
        ],
    ),
    (
        "lone-row-without-header",  # 54275 (2026 Ortschaftsrat form)
        "Beschlussvorlage\nVorlage Nr.: 2026/0138 Verantwortlich: Dez.\n"
        "Zusammensetzung des Ortschaftsrates\n"
        "Ortschaftsrat Wolfartsweier 04.03.2026 TOP 1 Ö Beschluss\nAntrag an den Ortschaftsrat\n"
        "1. Der Ortschaftsrat stellt fest",
        [S("Ortschaftsrat Wolfartsweier", "2026-03-04", "Entscheidung", True)],
    ),
    (
        "stops-before-prose",  # 39959 (2020): "Antrag" and the motion's title end the table
        "Beratungsfolge dieser Vorlage\nGremium Termin TOP ö nö Ergebnis\n"
        "Ortschaftsrat 03.03.2020 3\nx\ngrundsätzliche Zustimmung\nOrtschafstrat 04.02.2020 4\n"
        "x\nabgesetzt\n\nAntrag\nAntrag der CDU-Ortschaftsratsfraktion vom 17.01.2020",
        [
            S("Ortschaftsrat", "2020-03-03", ergebnis="grundsätzliche Zustimmung"),
            S("Ortschafstrat", "2020-02-04", ergebnis="abgesetzt"),
        ],
    ),
    (
        "sessionnet-line-form",  # seed 002, one body meeting twice
        "Beratungsfolge:\nKultur- und Sozialausschuss Vorberatung\n17.10.2018\n"
        "ordentliche Sitzung des Kultur- und Sozialausschusses\n14.11.2018\n"
        "ordentliche Sitzung des Kultur- und Sozialausschusses\n"
        "6. WP Kreistag Landkreis Börde Entscheidung\n28.11.2018\n"
        "21. ordentliche Sitzung des Kreistages ungeändert beschlossen (2018/33/0590)\n"
        "Anlagen:\nIntegrationskonzept",
        [
            S("Kultur- und Sozialausschuss", "2018-10-17", "Vorberatung"),
            S("Kultur- und Sozialausschuss", "2018-11-14", "Vorberatung"),
            S(
                "Kreistag Landkreis Börde",
                "2018-11-28",
                "Entscheidung",
                None,
                "ungeändert beschlossen",
            ),
        ],
    ),
    (
        "tab-table-synonyms",  # a Session export with synonyms in the Zuständigkeit column
        "Beratungsfolge\tTermin\tZuständigkeit\tStatus\n"
        "Bauausschuss\t05.12.2023\tvorberatend\tnichtöffentlich\n"
        "Rat der Stadt\t21.12.2023\tBeschlussfassung\töffentlich\n\nBetreff",
        [
            S("Bauausschuss", "2023-12-05", "Vorberatung", False),
            S("Rat der Stadt", "2023-12-21", "Entscheidung", True),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_real_snippet(text: str, expected: list[dict[str, Any]]) -> None:
    steps, span = extract_beratungsfolge(normalize(text))
    assert [s.model_dump() for s in steps] == expected
    assert span is not None or not steps or "Gremium:" in text


def test_span_covers_header_to_last_row() -> None:
    text = normalize(CASES[3][1])
    _, span = extract_beratungsfolge(text)
    assert span is not None
    block = text[span[0] : span[1]]
    assert block.startswith("Beratungsfolge Sitzung am")
    assert block.endswith("Planungsausschuss 08.07.2004 Zustimmung")


def test_header_only_step_has_no_span() -> None:
    text = "Gremium: Ortschaftsrat Grötzingen\nTermin:\nVorlage Nr.:\nTOP:\n14.11.2012\n229\n3\n"
    steps, span = extract_beratungsfolge(text)
    assert steps == [Beratungsschritt(gremium="Ortschaftsrat Grötzingen", datum=date(2012, 11, 14))]
    assert span is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Beratungsfolge\n\nSachverhalt\nText",  # ALLRIS page without a table
        "Die Beratungsfolge wurde geändert, der Gemeinderat tagt am 12.03.2024.",
        "Beratungsfolge: siehe Anlage",
        "Gremium Termin TOP ö nö Ergebnis",
    ],
)
def test_no_block(text: str) -> None:
    assert extract_beratungsfolge(text) == ([], None)


def test_no_rolle_is_guessed_from_results() -> None:
    text = (
        "Beratungsfolge dieser Vorlage\nGremium Termin TOP ö nö Ergebnis\n"
        "Hauptausschuss 13.09.2016 14\nx\nvorberaten\nGemeinderat 20.09.2016 17\nx\n"
        "Kenntnisnahme\nBeschlussantrag"
    )
    steps, _ = extract_beratungsfolge(text)
    assert [s.rolle for s in steps] == [None, None]
    assert [s.ergebnis for s in steps] == ["vorberaten", "Kenntnisnahme"]


# ---------------------------------------------------------------------------------------------
# Real corpus files


@pytest.mark.parametrize(
    ("file_id", "gremien"),
    [
        ("637380", ["Ortschaftsrat Wettersbach"]),
        ("664181", ["Haupt- und Finanzausschuss"]),
        ("32999", ["Planungsausschuss", "Planungsausschuss", "Gemeinderat"]),
        ("3950", ["Gemeinderat"]),
    ],
)
def test_karlsruhe_file(karlsruhe_dir: Path, file_id: str, gremien: list[str]) -> None:
    raw = (karlsruhe_dir / "file-contents" / f"{file_id}.txt").read_text("utf-8")
    steps, span = extract_beratungsfolge(normalize(raw))
    assert [s.gremium for s in steps] == gremien
    assert all(s.datum is not None for s in steps)
    assert span is not None


# ---------------------------------------------------------------------------------------------
# Robustness

_PIECES = st.sampled_from(
    [
        "Beratungsfolge",
        "Beratungsfolge:",
        "Beratungsfolge dieser Vorlage",
        "Gremium Termin TOP ö nö Ergebnis",
        "Gremien Termin TOP Ö / N Zuständigkeit",
        "Gremium:",
        "Termin:",
        "Gemeinderat 12.03.2024 4 Ö Entscheidung",
        "Ausschuss für Umwelt und",
        "31.02.2020",
        "99.99.99",
        "22./23.10.2013",
        "x vorberaten",
        "Vorberatung",
        "\t",
        "\n",
        " ",
        "30. März 2022",
        "1. Sitzung des Gemeinderates am 31.13.2020",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    steps, span = extract_beratungsfolge(text)
    assert span is None or 0 <= span[0] <= span[1] <= len(text)
    assert all(s.gremium for s in steps)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40))
def test_table_like_text_never_raises(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    steps, span = extract_beratungsfolge(text)
    assert span is None or 0 <= span[0] <= span[1] <= len(text)
    for s in steps:
        assert s.datum is None or 1900 <= s.datum.year <= 2100
