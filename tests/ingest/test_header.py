"""Header fields in the three layouts councils print them in."""

from __future__ import annotations

from datetime import date

import pytest

from ingest import header as hdr

KARLSRUHE_COLUMNS = [
    "BESCHLUSSVORLAGE",
    "STADT KARLSRUHE",
    "Gremium: 19. Plenarsitzung Gemeinderat",
    "Termin:",
    "Vorlage Nr.:",
    "TOP:",
    "",
    "Verantwortlich:",
    "15.12.2015",
    "2015/0718",
    "11",
    "öffentlich",
    "Dez. 6",
]
LEVERKUSEN_VALUE_ABOVE = [
    "Stadt Leverkusen",
    "Vorlage Nr. 2017/1900",
    "/III-ar",
    "",
    "Dezernat/Fachbereich/AZ",
    "",
    "27.10.17",
    "",
    "Datum",
]
WEDEL_TABLE = [
    "öffentlich",
    "Verantwortlich: Fachdienst Soziales\tBESCHLUSSVORLAGE",
    "Geschäftszeichen\tDatum\tBV/2022/462",
    "1-50/JSA\t20.11.2023\tBV/2023/162",
]


def test_label_column_form() -> None:
    assert hdr.find_federfuehrung(KARLSRUHE_COLUMNS) == "Dez. 6"
    assert hdr.find_kommune(KARLSRUHE_COLUMNS, []) == "Stadt Karlsruhe"
    assert hdr.find_art(KARLSRUHE_COLUMNS) == "Beschlussvorlage"


def test_value_printed_above_its_label() -> None:
    assert hdr.find_datum(LEVERKUSEN_VALUE_ABOVE) == date(2017, 10, 27)
    assert hdr.find_aktenzeichen(LEVERKUSEN_VALUE_ABOVE) == "/III-ar"
    assert hdr.find_vorlagen_nr(LEVERKUSEN_VALUE_ABOVE) == "2017/1900"


def test_label_row_and_value_row() -> None:
    assert hdr.find_vorlagen_nr(WEDEL_TABLE) == "BV/2023/162"
    assert hdr.find_datum(WEDEL_TABLE) == date(2023, 11, 20)
    assert hdr.find_aktenzeichen(WEDEL_TABLE) == "1-50/JSA"
    assert hdr.find_federfuehrung(WEDEL_TABLE) == "Fachdienst Soziales"
    assert hdr.find_oeffentlich(WEDEL_TABLE) is True


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Status:öffentlichVorlage-Art:Beschlussvorlage"], True),
        (["Status: nichtöffentlich"], False),
        (["Öffentlich    Nichtöffentlich"], None),
        (["Betreff: Neubau"], None),
    ],
)
def test_oeffentlich(lines: list[str], expected: bool | None) -> None:
    assert hdr.find_oeffentlich(lines) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20.11.2023", date(2023, 11, 20)),
        ("27.10.17", date(2017, 10, 27)),
        ("am 16. Dezember 2024", date(2024, 12, 16)),
        ("31.02.2023", None),
        ("kein Datum", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert hdr.parse_date(text) == expected


def test_a_field_the_document_does_not_state_stays_empty() -> None:
    lines = ["ALLRIS - Vorlage", "Beschlussvorlage öffentlich - VO/2025/246"]
    assert hdr.find_datum(lines) is None
    assert hdr.find_kommune(lines, []) is None
    assert hdr.find_vorlagen_nr(lines) == "VO/2025/246"
