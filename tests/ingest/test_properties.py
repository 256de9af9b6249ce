"""Property tests: normalisation, segmentation and the text parse on arbitrary council-like text.

The generated text mixes German words, tabs, checkbox glyphs, soft hyphens, words broken at
line ends ("- " + newline), form feeds, page markers, markup remnants and real section headings.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.normalize import normalize
from ingest.parse import parse_path, parse_raw
from ingest.segment import split_sections
from ingest.sources.base import RawDocument

WORD_CHARS = string.ascii_letters + "äöüÄÖÜß0123456789"
NOISE = [
    "\t",
    "\n",
    "\n\n\n",
    "\f",
    "\r\n",
    "\u00ad",
    "\u00a0",
    "- \n",
    "-\n",
    "- ",
    "☐",
    "☒",
    "□",
    "\uf0fd",
    "  ",
    " ",
    ": ",
    ".",
    "<u>",
    "</u>",
    "**",
    "\n– 2 –\n",
    "\nSeite 1 von 3\n",
    "\nReduzieren\n",
]
HEADINGS = [
    "Beschlussvorschlag:",
    "Beschlussvorschlag: Der Rat beschließt:",
    "Beschluss: Der Gemeinderat stimmt zu.",
    "Antrag an den Gemeinderat",
    "Sachdarstellung",
    "Darstellung des Sachverhaltes",
    "Begründung",
    "Ergänzende Erläuterungen",
    "Finanzielle Auswirkungen",
    "Relevanz für den Klimaschutz",
    "Beratungsfolge",
    "Beratungsfolge dieser Vorlage",
    "Gremium\tTermin\tTOP\tö/nö\tErgebnis",
    "Sozialausschuss\tVorberatung\t05.12.2023",
    "Rat der Stadt Wedel\tEntscheidung\t21.12.2023",
    "Betreff: Neubau einer Kindertagesstätte",
    "Anlagen",
    "Anlage 1: Lageplan (1,2 MB)",
    "Ziele",
    "Vorlage Nr. BV/2023/162",
    "Datum: 20.11.2023",
    "öffentlich",
    "nichtöffentlich",
    "Lampertheim, den 12.09.2023",
]

words = st.lists(st.text(alphabet=WORD_CHARS, min_size=1, max_size=12), min_size=1, max_size=8)
noise = st.sampled_from(NOISE)
headings = st.sampled_from(HEADINGS)

# Soup: fragments glued together anywhere, headings on lines of their own.
fragments = st.one_of(
    words.map(" ".join),
    noise,
    headings.map(lambda heading: f"\n{heading}\n"),
    st.text(max_size=4),  # anything unicode, control characters included
)
soup = st.lists(fragments, max_size=60).map("".join)

# Documents: lines of words with noise at the ends, headings as whole lines or followed by text.
line = st.one_of(
    st.tuples(noise, words.map(" ".join), noise).map("".join),
    headings,
    st.tuples(headings, noise, words.map(" ".join), noise).map("".join),
)
document = st.lists(line, max_size=40).map("\n".join)

council_text = st.one_of(document, soup)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(council_text)
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@PROPERTY_SETTINGS
@given(council_text)
def test_normalized_text_keeps_its_documented_form(text: str) -> None:
    out = normalize(text)
    for char in ("\r", "\f", "\v", "\u00ad", "\u00a0"):
        assert char not in out
    assert "\n\n\n" not in out
    for line in out.split("\n"):
        assert line == line.strip(" \t"), repr(line)
        assert "  " not in line and "\t\t" not in line, repr(line)


@PROPERTY_SETTINGS
@given(council_text)
@example("Beschlussvorschlag: Der Rat beschließt:\nDie Verwaltung wird beauftragt.")
def test_sections_are_cut_from_the_normalised_text(text: str) -> None:
    normalised = normalize(text)
    header, sections = split_sections(normalised.split("\n"))
    for line in header:
        assert line in normalised
    for section in sections:
        assert section.heading in normalised
        _assert_lines_in(section.text, normalised)


@PROPERTY_SETTINGS
@given(council_text)
def test_text_parse_never_raises_unexpectedly(text: str) -> None:
    raw = RawDocument(text=text, system="text", path="eigenschaft.txt")
    try:
        vorlage = parse_raw(raw)
    except IngestError as err:
        assert not normalize(text).strip(), f"refused readable text: {err}"
        return
    assert vorlage.text == normalize(text)
    for section in vorlage.sections:
        _assert_lines_in(section.text, vorlage.text)
    for field in ("beschlussvorschlag", "sachdarstellung", "begruendung", "klimaschutz"):
        value = getattr(vorlage, field)
        if value is not None:
            _assert_lines_in(value, vorlage.text)


def _assert_lines_in(section_text: str, normalised: str) -> None:
    """Section text is taken from the document: every line of it stands in the text.

    (Not the whole section as one substring: a running page header that repeats the section's
    heading is dropped from the middle of the section.)
    """
    lines = set(normalised.split("\n"))
    for line in section_text.split("\n"):
        assert line in lines or line in normalised, (line, section_text)


@settings(max_examples=100, deadline=None)
@given(council_text, st.sampled_from(["utf-8", "cp1252"]))
def test_text_file_parse_raises_only_ingest_errors(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vorlage.txt"
        path.write_bytes(data)
        try:
            vorlage = parse_path(path)
        except IngestError as err:
            message = str(err)
            assert message.endswith(".") and "\n" not in message, message
            return
    assert vorlage.text
    assert vorlage.source.system in {"text", "allris", "sessionnet"}


@pytest.mark.parametrize("text", ["", "\n\n", "\f", "\u00ad", "☐ ☒", "- \n"])
def test_edge_cases(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
