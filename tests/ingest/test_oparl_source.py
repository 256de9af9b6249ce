"""OParl Paper source: real corpus papers and the vendor quirks OParl importers tolerate."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.schema import Beratungsschritt
from ingest.errors import IngestError
from ingest.sources.oparl import is_oparl_paper, load_oparl_paper, paper_hints

REAL_PAPER = "16741"  # Karlsruhe 2006, one auxiliary file: files/32999
REAL_FILE = "32999"
BASE = "https://web1.karlsruhe.de/oparl/bodies/0001"


@pytest.fixture
def real_paper(karlsruhe_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (karlsruhe_dir / "papers" / f"{REAL_PAPER}.json").read_text("utf-8")
    )
    return data


@pytest.fixture
def corpus(tmp_path: Path, karlsruhe_dir: Path) -> Path:
    """A corpus layout in tmp_path holding the real paper's text file."""
    (tmp_path / "papers").mkdir()
    (tmp_path / "file-contents").mkdir()
    shutil.copy(
        karlsruhe_dir / "file-contents" / f"{REAL_FILE}.txt",
        tmp_path / "file-contents" / f"{REAL_FILE}.txt",
    )
    return tmp_path


def _write(corpus: Path, paper: dict[str, Any], name: str = "p.json") -> Path:
    path = corpus / "papers" / name
    path.write_text(json.dumps(paper), "utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Real papers


def test_real_paper_loads(karlsruhe_dir: Path) -> None:
    raw = load_oparl_paper(karlsruhe_dir / "papers" / f"{REAL_PAPER}.json")
    assert raw.system == "oparl"
    assert "Beratungsfolge Sitzung am" in raw.text
    assert raw.path.endswith(f"{REAL_PAPER}.json")
    hints = raw.hints
    assert hints.vorlagen_nr == "16741"
    assert hints.datum == date(2006, 1, 27)
    assert hints.art == "Beschlussvorlage"
    assert hints.betreff is not None and hints.betreff.startswith("Vorhabenbezogener Bebauungsplan")
    # Karlsruhe gives organisations and the body as URLs only: no names, so no hints.
    assert hints.federfuehrung is None
    assert hints.kommune is None
    assert hints.beratungsfolge == []


def test_sample_of_corpus_papers(karlsruhe_dir: Path) -> None:
    paths = sorted((karlsruhe_dir / "papers").glob("*.json"))[::50]
    assert len(paths) >= 20
    for path in paths:
        paper = json.loads(path.read_text("utf-8"))
        raw = load_oparl_paper(path)
        assert raw.text.strip()
        assert raw.hints.vorlagen_nr == paper["reference"]
        assert raw.hints.datum == date.fromisoformat(paper["date"])
        assert raw.hints.betreff == " ".join(paper["name"].split())


# ---------------------------------------------------------------------------------------------
# Which file holds the text


def test_main_file_is_preferred(corpus: Path, real_paper: dict[str, Any]) -> None:
    (corpus / "file-contents" / "777.txt").write_text("Hauptdatei Beschlussvorlage", "utf-8")
    paper = copy.deepcopy(real_paper)
    paper["mainFile"] = {"id": f"{BASE}/files/777", "type": "https://schema.oparl.org/1.1/File"}
    assert load_oparl_paper(_write(corpus, paper)).text == "Hauptdatei Beschlussvorlage"


def test_first_auxiliary_file_with_text_wins(corpus: Path, real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    paper["mainFile"] = {"id": f"{BASE}/files/404"}  # no text for it
    paper["auxiliaryFile"] = [{"id": f"{BASE}/files/405"}, *paper["auxiliaryFile"]]
    assert "Karlsruher Weg" in load_oparl_paper(_write(corpus, paper)).text


def test_empty_text_file_is_skipped(corpus: Path, real_paper: dict[str, Any]) -> None:
    (corpus / "file-contents" / "1.txt").write_text("  \n", "utf-8")
    paper = copy.deepcopy(real_paper)
    paper["auxiliaryFile"] = [{"id": 1}, *paper["auxiliaryFile"]]
    assert "Karlsruher Weg" in load_oparl_paper(_write(corpus, paper)).text


@pytest.mark.parametrize(
    "files",
    [
        {"id": int(REAL_FILE)},  # an object instead of an array, id as int
        [{"id": int(REAL_FILE)}],
        [f"{BASE}/files/{REAL_FILE}"],  # a bare URL instead of an object
        [{"id": f"{BASE}/files/{REAL_FILE}/"}],  # trailing slash
        [None, "N/A", {"id": f"{BASE}/files/{REAL_FILE}"}],
    ],
)
def test_file_quirks(corpus: Path, real_paper: dict[str, Any], files: object) -> None:
    paper = copy.deepcopy(real_paper)
    paper["auxiliaryFile"] = files
    assert "Karlsruher Weg" in load_oparl_paper(_write(corpus, paper)).text


def test_main_file_as_array(corpus: Path, real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    paper["mainFile"] = [{"id": f"{BASE}/files/{REAL_FILE}"}]
    paper.pop("auxiliaryFile")
    assert "Karlsruher Weg" in load_oparl_paper(_write(corpus, paper)).text


def test_no_text_file_is_a_german_error(corpus: Path, real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    paper["auxiliaryFile"] = [{"id": f"{BASE}/files/999"}]
    with pytest.raises(IngestError) as err:
        load_oparl_paper(_write(corpus, paper))
    message = str(err.value)
    assert message.startswith("Zur Vorlage 16741 wurde keine Textdatei gefunden")
    assert "\n" not in message and "Traceback" not in message


def test_no_files_at_all(corpus: Path, real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    del paper["auxiliaryFile"]
    paper["reference"] = None
    with pytest.raises(IngestError, match="wurde keine Textdatei gefunden"):
        load_oparl_paper(_write(corpus, paper))


def test_invalid_json(corpus: Path) -> None:
    path = corpus / "papers" / "bad.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(IngestError, match="kein gültiges JSON"):
        load_oparl_paper(path)


def test_other_oparl_object(corpus: Path) -> None:
    path = _write(corpus, {"type": "https://schema.oparl.org/1.1/Meeting", "name": "Sitzung"})
    with pytest.raises(IngestError, match="kein OParl-Paper"):
        load_oparl_paper(path)


# ---------------------------------------------------------------------------------------------
# Hints and their quirks


@pytest.mark.parametrize(
    ("field", "value", "attr", "expected"),
    [
        ("reference", 2025, "vorlagen_nr", "2025"),
        ("reference", "N/A", "vorlagen_nr", None),
        ("reference", ["2025/0023"], "vorlagen_nr", "2025/0023"),
        ("name", "", "betreff", None),
        ("name", "null", "betreff", None),
        ("name", "  Neubau\n der  Kita ", "betreff", "Neubau der Kita"),
        ("date", "2025-01-10T14:27:04+01:00", "datum", date(2025, 1, 10)),
        ("date", "2025-01-10", "datum", date(2025, 1, 10)),
        ("date", "10.01.2025", "datum", date(2025, 1, 10)),
        ("date", "2025-02-30", "datum", None),
        ("date", "N/A", "datum", None),
        ("paperType", None, "art", None),
        ("paperType", "Mitteilungsvorlage", "art", "Mitteilungsvorlage"),
        ("body", f"{BASE}", "kommune", None),
        ("body", {"id": BASE, "name": "Stadt Karlsruhe"}, "kommune", "Stadt Karlsruhe"),
        ("underDirectionOf", [f"{BASE}/organizations/at/882950"], "federfuehrung", None),
        (
            "underDirectionOf",
            {"name": "Amt für Umweltschutz"},
            "federfuehrung",
            "Amt für Umweltschutz",
        ),
        (
            "underDirectionOf",
            ["N/A", {"name": "Stadtplanungsamt"}],
            "federfuehrung",
            "Stadtplanungsamt",
        ),
    ],
)
def test_hint_quirks(
    real_paper: dict[str, Any], field: str, value: object, attr: str, expected: object
) -> None:
    paper = copy.deepcopy(real_paper)
    paper[field] = value
    assert getattr(paper_hints(paper), attr) == expected


@pytest.mark.parametrize("field", ["reference", "name", "date", "paperType", "body"])
def test_missing_fields(real_paper: dict[str, Any], field: str) -> None:
    paper = copy.deepcopy(real_paper)
    del paper[field]
    paper_hints(paper)  # never raises


def test_consultations_with_embedded_names(real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    paper["consultation"] = [
        {
            "organization": {"name": "Gemeinderat"},  # object instead of array
            "meeting": {"start": "2025-02-18T15:30:00+01:00"},
            "role": "Entscheidung",
            "agendaItem": {"public": True, "result": "zugestimmt"},
        },
        {
            "organization": [{"id": f"{BASE}/organizations/gr/1", "name": "Hauptausschuss"}],
            "meeting": [{"start": "2025-02-04"}],  # array instead of object
            "role": "Vorberatung",
        },
        {"organization": [f"{BASE}/organizations/gr/2"], "role": "Anhörung"},  # URL only
    ]
    assert paper_hints(paper).beratungsfolge == [
        Beratungsschritt(gremium="Hauptausschuss", rolle="Vorberatung", datum=date(2025, 2, 4)),
        Beratungsschritt(
            gremium="Gemeinderat",
            rolle="Entscheidung",
            datum=date(2025, 2, 18),
            oeffentlich=True,
            ergebnis="zugestimmt",
        ),
    ]


def test_consultation_role_not_guessed(real_paper: dict[str, Any]) -> None:
    paper = copy.deepcopy(real_paper)
    paper["consultation"] = {
        "organization": [{"name": "Ortschaftsrat Durlach"}],
        "role": "unbekannt",
        "authoritative": True,
    }
    (step,) = paper_hints(paper).beratungsfolge
    assert step.rolle is None and step.datum is None


def test_karlsruhe_consultations_give_no_steps(real_paper: dict[str, Any]) -> None:
    assert real_paper["consultation"]  # present, but organisations are URLs
    assert paper_hints(real_paper).beratungsfolge == []


# ---------------------------------------------------------------------------------------------
# is_oparl_paper


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "https://schema.oparl.org/1.1/Paper", "name": "x"}, True),
        ({"type": "https://schema.oparl.org/1.0/Paper"}, True),
        ({"type": "https://schema.oparl.org/1.1/Meeting", "name": "x"}, False),
        ({"type": "https://schema.oparl.org/1.1/File", "name": "x"}, False),
        ({"name": "Neubau Kita", "paperType": "Beschlussvorlage"}, True),
        ({"reference": 12, "auxiliaryFile": []}, True),
        ({"name": "Neubau Kita"}, False),
        ({"data": [], "pagination": {}}, False),
        ([{"type": "https://schema.oparl.org/1.1/Paper"}], False),
        ("Paper", False),
        (None, False),
    ],
)
def test_is_oparl_paper(data: object, expected: bool) -> None:
    assert is_oparl_paper(data) is expected


def test_real_paper_is_paper(real_paper: dict[str, Any]) -> None:
    assert is_oparl_paper(real_paper)
