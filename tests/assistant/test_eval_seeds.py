"""The five seeds (../shared/seeds, Integrationskonzepte) as the second evaluation set of
``vorlagen eval drafts``: every one is usable and yields the request its clerk would have
written, with the right deciding body — also VO/2025/246 (003), an ALLRIS page saved with its
Betreff and Beratungsfolge collapsed, whose body and Betreff come from its Beschlussvorschlag."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.eval.papers import (
    betreff_of,
    choose_papers,
    request_from_vorlage,
    resolution_betreff,
    resolution_gremium,
    skip_reason,
)
from assistant.schema import Beratungsschritt, SourceRef, Vorlage
from assistant.validation import same_body
from ingest.parse import parse_path

DECIDING = {
    "000": "Rat der Stadt Wedel",
    "001": "Rat der Stadt Leverkusen",
    "002": "Kreistag Landkreis Börde",
    "003": "Kreistag",
    "004": "Stadtverordnetenversammlung",
}


def _seeds(seeds_dir: Path) -> list[Path]:
    return sorted(seeds_dir.glob("*.txt"))


def test_all_five_seeds_are_chosen_even_with_a_larger_n(seeds_dir: Path) -> None:
    paths = _seeds(seeds_dir)
    assert len(paths) == 5
    chosen, skipped = choose_papers(paths, 20, parse_path)
    assert skipped == [] and len(chosen) == 5
    assert [Path(v.source.path).name[:3] for v in chosen] == sorted(DECIDING)


def test_every_seed_yields_a_request_with_the_right_deciding_body(seeds_dir: Path) -> None:
    for path in _seeds(seeds_dir):
        paper = parse_path(path)
        assert skip_reason(paper) is None, path.name
        request = request_from_vorlage(paper)
        assert request.gremium == DECIDING[path.name[:3]], path.name
        deciding = [s for s in request.beratungsfolge if s.rolle == "Entscheidung"]
        assert len(deciding) <= 1 and request.beratungsfolge, path.name
        assert all(same_body(s.gremium, request.gremium) for s in deciding), path.name
        assert request.betreff and request.fakten.startswith("- "), path.name
        assert all(step.ergebnis is None for step in request.beratungsfolge), path.name


def test_the_collapsed_allris_page_gets_body_steps_and_betreff_from_its_resolution(
    seeds_dir: Path,
) -> None:
    paper = parse_path(seeds_dir / "003_3f6889f89219b8e4.txt")
    assert paper.betreff is None and paper.beratungsfolge == []  # not in the saved page
    request = request_from_vorlage(paper)
    assert [(s.gremium, s.rolle) for s in request.beratungsfolge] == [
        ("Sozial- und Gesundheitsausschuss", "Vorberatung"),
        ("Kreistag", "Entscheidung"),
    ]
    assert request.betreff.startswith("Integration im Fokus: Maßnahmen, die verbinden")
    assert "„" not in request.betreff


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Kreistag beschließt das Konzept.", "Kreistag"),
        ("Der Bauausschuss empfiehlt dem Gemeinderat, die Planung zu beschließen.", "Gemeinderat"),
        (
            "Der Rat der Stadt Wedel beschließt X. Der Bürgermeister beauftragt Y.",
            "Rat der Stadt Wedel",
        ),
        ("Die städtischen Gremien erkennen die Empfehlungen an.", None),
        ("Es wird beschlossen, die Halle zu sanieren.", None),
        ("", None),
    ],
)
def test_resolution_gremium(text: str, expected: str | None) -> None:
    assert resolution_gremium(text) == expected


def test_the_fallbacks_only_apply_when_the_paper_has_nothing() -> None:
    paper = Vorlage(
        id="c" * 16,
        source=SourceRef(path="x.txt", system="text"),
        betreff="Eigener Betreff",
        beratungsfolge=[Beratungsschritt(gremium="Gemeinderat")],
        beschlussvorschlag="Der Kreistag beschließt das Programm „Grüne Höfe“.",
        sachdarstellung="Die Halle ist alt.",
        text="…",
    )
    assert request_from_vorlage(paper).gremium == "Gemeinderat"
    assert betreff_of(paper) == "Eigener Betreff"
    bare = paper.model_copy(update={"betreff": " ", "beratungsfolge": []})
    assert betreff_of(bare) == "Grüne Höfe" == resolution_betreff(bare.beschlussvorschlag or "")
    assert request_from_vorlage(bare).gremium == "Kreistag"
    nothing = bare.model_copy(update={"beschlussvorschlag": "Es wird beschlossen."})
    assert skip_reason(nothing) == "ohne Betreff, ohne Beratungsfolge"
