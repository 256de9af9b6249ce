"""Opening one stored Vorlage: ``GET /api/vorlagen/{id}`` and the page ``/vorlage/{id}``
(issue 11), on test_app's real store, whose records hold Karlsruhe papers and a nichtöffentliche
canary; API keys with and without the right to see it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from assistant.schema import Section
from assistant.usecases.vorlage_view import find_passage, locate_passage
from tests.api.test_app import CANARY, _corpus, _server, store_dir

__all__ = ["store_dir"]  # the module's store, shared with test_app

pytestmark = pytest.mark.slow

UNKNOWN = "Diese Vorlage gibt es nicht (oder Sie dürfen sie nicht sehen)."


def test_a_found_vorlage_opens_as_parsed(
    store_dir: Path, tmp_path: Path, karlsruhe_dir: Path
) -> None:
    server = _server(store_dir, tmp_path, keys=True)
    leser, vertraulich = server.bearer("leser"), server.bearer("vertraulich")
    public, canary = _corpus(karlsruhe_dir)[0], _corpus(karlsruhe_dir)[-1]
    with server.client() as client:
        hits = client.get("/api/search", params={"q": public.betreff}, headers=leser).json()
        assert public.id in [hit["id"] for hit in hits["hits"]]
        body = client.get(f"/api/vorlagen/{public.id}", headers=leser).json()
        assert body["betreff"] == public.betreff and body["vorlagen_nr"] == public.vorlagen_nr
        assert [s["heading"] for s in body["sections"]] == [
            s.heading for s in public.sections if s.text.strip()
        ]
        assert body["quelle"]["system"] == "oparl"
        assert "/" not in body["quelle"]["name"] and body["quelle"]["url"] is None
        assert "text" not in body and "bearbeiter" not in body
        # nichtöffentlich: 404 like an unknown id, unless the caller has the right
        for vorlage_id in (canary.id, "0" * 16, "..%2Fledger.json"):
            refused = client.get(f"/api/vorlagen/{vorlage_id}", headers=leser)
            assert refused.status_code == 404
            assert refused.json()["detail"] in (UNKNOWN, "Diese Adresse gibt es nicht.")
        assert CANARY not in client.get(f"/api/vorlagen/{canary.id}", headers=leser).text
        seen = client.get(f"/api/vorlagen/{canary.id}", headers=vertraulich).json()
        assert seen["betreff"] == CANARY and seen["oeffentlich"] is False
        assert client.get(f"/api/vorlagen/{public.id}").status_code == 401


def test_the_page_marks_the_cited_passage(
    store_dir: Path, tmp_path: Path, karlsruhe_dir: Path
) -> None:
    server = _server(store_dir, tmp_path)  # local mode: no login
    public = _corpus(karlsruhe_dir)[0]
    section = next(s for s in public.sections if len(s.text) > 200)
    passage = " ".join(section.text[40:260].split()) + " …"
    with server.client() as client:
        page = client.get(f"/vorlage/{public.id}?stelle={quote(passage)}")
        assert page.status_code == 200
        html = page.text
        assert '<html lang="de">' in html and 'id="stelle"' in html
        marked = html.split('id="stelle"', 1)[1].split(">", 1)[1].split("</mark>", 1)[0]
        assert " ".join(marked.split()).startswith(" ".join(passage.split()[:5]))
        assert "Beratungsfolge" in html or not public.beratungsfolge
        unmarked = client.get(f"/vorlage/{public.id}?stelle=gibt%20es%20nicht")
        assert 'id="stelle"' not in unmarked.text
        missing = client.get("/vorlage/0000000000000000")
        assert missing.status_code == 404 and "Diese Vorlage gibt es nicht" in missing.text
        # a planted passage is text, never markup
        assert "<script>" not in client.get(f"/vorlage/{public.id}?stelle=%3Cscript%3E").text


def test_find_passage_tolerates_whitespace_and_the_cut() -> None:
    text = "Der Rat hat\nam 12.03.2024   beschlossen, die Mittel bereitzustellen. Weiter."
    assert find_passage(text, "hat am 12.03.2024 beschlossen, die …") == (8, 44)
    assert find_passage(text, "nicht da") is None
    assert find_passage(text, " … ") is None


def test_a_summary_passage_is_found_by_its_paragraphs() -> None:
    sections = [
        Section(
            heading="Beschlussvorschlag", text="Der Gemeinderat nimmt den Bericht zur Kenntnis."
        ),
        Section(heading="Sachdarstellung", text="Die Verwaltung hat den Bericht 2024 erstellt."),
    ]
    summary = "Bericht\n\nDer Gemeinderat nimmt den Bericht zur Kenntnis.\n\nDie Verwaltung hat …"
    assert locate_passage(sections, summary) == (0, 0, 47)
    assert locate_passage(sections, "Die Verwaltung hat den Bericht") == (1, 0, 30)
    assert locate_passage(sections, "Bericht") is not None  # short, but whole
    assert locate_passage(sections, "steht nirgends") is None
