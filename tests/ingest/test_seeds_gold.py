"""Every seed parses to its gold record in ../shared/gold/seeds.json, field by field.

The gold README defines the keys: a plain field is compared exactly (after whitespace
normalisation), ``*_startswith`` / ``*_contains`` / ``*_not_contains`` check section texts,
``beratungsfolge`` lists the steps in order, ``finanzen_present`` / ``finanzen_contains`` check
the finance section. A key absent from a record is not checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.schema import Vorlage
from ingest.parse import parse_path
from tests.conftest import shared_dir

GOLD_FILE = shared_dir() / "gold" / "seeds.json"
GOLD: dict[str, dict[str, Any]] = json.loads(GOLD_FILE.read_text()) if GOLD_FILE.exists() else {}

PLAIN = ("kommune", "vorlagen_nr", "art", "oeffentlich", "datum", "aktenzeichen", "produkt")
FIELD_OF = {"finanzen": "finanzielle_auswirkungen"}


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _field(vorlage: Vorlage, name: str) -> Any:
    value = getattr(vorlage, FIELD_OF.get(name, name))
    if isinstance(value, list):
        return " | ".join(value)
    return value


@pytest.fixture(scope="module")
def parsed(seeds_dir: Path) -> dict[str, Vorlage]:
    return {name: parse_path(seeds_dir / name) for name in GOLD}


def _cases() -> list[tuple[str, str]]:
    return [(name, key) for name, record in GOLD.items() for key in record if key != "system"]


@pytest.mark.parametrize(("seed", "key"), _cases())
def test_seed_matches_gold(parsed: dict[str, Vorlage], seed: str, key: str) -> None:
    vorlage, expected = parsed[seed], GOLD[seed][key]
    if key in PLAIN or key == "betreff":
        actual = getattr(vorlage, key)
        actual = actual.isoformat() if hasattr(actual, "isoformat") else actual
        actual = _ws(actual) if isinstance(actual, str) else actual
        assert actual == expected
    elif key == "beratungsfolge":
        _check_beratungsfolge(vorlage, expected)
    elif key == "finanzen_present":
        assert bool(vorlage.finanzielle_auswirkungen) is expected
    else:
        _check_text(vorlage, key, expected)


def _check_text(vorlage: Vorlage, key: str, expected: Any) -> None:
    name, _, check = key.rpartition("_")
    if check == "startswith":
        name = name.removesuffix("_")
    if key.endswith("_not_contains"):
        name, check = key.removesuffix("_not_contains"), "not_contains"
    actual = _field(vorlage, name)
    assert actual, f"{name} is empty"
    text = _ws(actual)
    wanted = expected if isinstance(expected, list) else [expected]
    for item in wanted:
        if check == "startswith":
            assert text.startswith(_ws(item)), text[:200]
        elif check == "contains":
            assert _ws(item) in text
        elif check == "not_contains":
            assert _ws(item) not in text
        else:
            pytest.fail(f"unknown gold key {key}")


def _check_beratungsfolge(vorlage: Vorlage, expected: list[dict[str, str]]) -> None:
    steps = vorlage.beratungsfolge
    assert len(steps) == len(expected), [s.gremium for s in steps]
    for step, want in zip(steps, expected, strict=True):
        if "gremium" in want:
            assert _ws(step.gremium) == want["gremium"]
        if "gremium_contains" in want:
            assert want["gremium_contains"] in step.gremium
        if "rolle" in want:
            assert step.rolle == want["rolle"]
        if "datum" in want:
            assert step.datum is not None and step.datum.isoformat() == want["datum"]
