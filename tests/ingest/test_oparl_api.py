"""The OParl API client against a local OParl 1.1 server over the Karlsruhe corpus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.errors import IngestError
from ingest.parse import parse_raw
from ingest.sources.base import RawDocument
from ingest.sources.oparl_api import (
    USER_AGENT,
    OParlSync,
    SyncLimits,
    SyncProgress,
    _parse_page,
    _retry_after,
    oparl_documents,
    sync_papers,
    vorlage_candidates,
)
from tests.ingest.oparl_server import BODY_NAME, OParlServer

FAST = SyncLimits(backoff_s=0.01, max_backoff_s=0.05, timeout_s=5.0)
Results = dict[str, RawDocument | IngestError]


@pytest.fixture
def make_server(karlsruhe_dir: Path) -> Iterator[Any]:
    servers: list[OParlServer] = []

    def make(**kwargs: Any) -> OParlServer:
        server = OParlServer(karlsruhe_dir, **kwargs)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


class Sleeps(list[float]):
    """A ``sleep`` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(
    server: OParlServer, state: Path, limits: SyncLimits = FAST, **kwargs: Any
) -> list[tuple[str, RawDocument | IngestError]]:
    return list(sync_papers(server.url, state, limits=limits, **kwargs))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def assert_parses_like_paper(server: OParlServer, pid: str, raw: RawDocument | IngestError) -> None:
    assert isinstance(raw, RawDocument), f"{pid}: {raw}"
    paper = server.paper(pid)
    vorlage = parse_raw(raw)
    assert vorlage.source.system == "oparl"
    assert vorlage.source.path == server.paper_url(pid)
    assert vorlage.betreff == _one_line(paper["name"])
    assert vorlage.vorlagen_nr == str(paper["reference"])
    assert vorlage.kommune == BODY_NAME
    assert vorlage.sachdarstellung or vorlage.beschlussvorschlag or vorlage.sections


# ---------------------------------------------------------------------------------------------
# A specification-shaped server


def test_full_walk_yields_every_paper_as_a_parsable_vorlage(
    make_server: Any, tmp_path: Path
) -> None:
    server = make_server(papers=40, page_size=10)
    events: list[SyncProgress] = []
    results = run(server, tmp_path / "state.json", progress=events.append)

    urls = [url for url, _ in results]
    assert len(urls) == len(set(urls)) == 40
    assert set(urls) == {server.paper_url(pid) for pid in server.paper_ids}
    by_url = dict(results)
    for pid in server.paper_ids:
        assert_parses_like_paper(server, pid, by_url[server.paper_url(pid)])
    # every third mainFile carries `text`: those are not downloaded
    with_text = sum(1 for i in range(40) if i % 3 == 0)
    assert server.count("/content") == 40 - with_text
    assert all(r.user_agent == USER_AGENT for r in server.requests)
    assert events[-1].yielded == 40 and events[-1].total == 40 and events[-1].page == 4
    assert events[-1].body == BODY_NAME


def test_pagination_follows_links_next_page_by_page(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=20, page_size=3)
    results = run(server, tmp_path / "state.json")
    assert len(results) == 20
    pages = [r.path for r in server.requests if "/bodies/1/papers" in r.path]
    assert len(pages) == 7  # ceil(20 / 3), each once
    assert pages[0].endswith("/bodies/1/papers")
    assert [p.rsplit("page=", 1)[-1] for p in pages[1:]] == ["2", "3", "4", "5", "6", "7"]


def test_page_size_is_sent_as_limit(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=12, page_size=100)
    results = run(server, tmp_path / "s.json", SyncLimits(page_size=5, backoff_s=0.01))
    assert len(results) == 12
    assert server.count("limit=5") == 3


def test_second_run_reads_only_papers_changed_since(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=30, page_size=8)
    state = tmp_path / "state.json"
    assert len(run(server, state)) == 30
    assert run(server, state) == []
    assert server.count("modified_since=") >= 1

    changed = [server.paper_ids[3], server.paper_ids[17]]
    server.touch(changed)
    again = run(server, state)
    assert sorted(url for url, _ in again) == sorted(server.paper_url(p) for p in changed)
    for url, raw in again:
        assert_parses_like_paper(server, url.rsplit("/", 1)[-1], raw)


def test_resume_after_interruption_misses_nothing(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=25, page_size=10)
    state = tmp_path / "state.json"
    done: list[str] = []
    first = sync_papers(server.url, state, limits=FAST)
    for url, _ in first:
        if len(done) == 13:  # stop mid-page 2, holding the 14th paper unprocessed
            break
        done.append(url)
    first.close()
    saved = json.loads(state.read_text("utf-8"))
    (walk,) = [b["walk"] for b in saved["bodies"].values()]
    assert walk["page"].endswith("page=2") and len(walk["done"]) == 3

    rest = [url for url, _ in run(server, state)]
    assert not set(done) & set(rest), "a finished paper came again"
    assert sorted(done + rest) == sorted(server.paper_url(p) for p in server.paper_ids)
    assert server.count("page=1") == 0 and server.count("papers?page=2") == 2
    assert run(server, state) == []


def test_paper_in_hand_at_a_crash_comes_again(make_server: Any, tmp_path: Path) -> None:
    """At-least-once: the paper being processed when the caller dies is not lost."""
    server = make_server(papers=12, page_size=5)
    state = tmp_path / "state.json"
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        for url, _ in sync_papers(server.url, state, limits=FAST):
            seen.append(url)
            if len(seen) == 7:
                raise RuntimeError("processing crashed")
    rest = [url for url, _ in run(server, state)]
    assert rest[0] == seen[-1]
    assert sorted(seen[:-1] + rest) == sorted(server.paper_url(p) for p in server.paper_ids)


def test_manual_commit_keeps_the_state_until_the_caller_stored_the_papers(
    make_server: Any, tmp_path: Path
) -> None:
    """As ``ingest.pipeline`` consumes sources: collect everything, store, then commit."""
    server = make_server(papers=12, page_size=5)
    state = tmp_path / "state.json"
    collected = list(OParlSync(server.url, state, limits=FAST).papers())
    assert len(collected) == 12 and not state.exists()  # "crash" before storing: nothing lost

    sync = OParlSync(server.url, state, limits=FAST)
    assert len(list(sync.papers())) == 12
    sync.commit()
    assert run(server, state) == []


def test_results_as_pipeline_documents(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=4, text_every=1000)
    server.fail_files[server.paper_ids[1]] = 404
    docs = list(oparl_documents(run(server, tmp_path / "s.json")))
    assert [d.key for d in docs] == [server.paper_url(p) for p in server.paper_ids]
    good, bad = docs[0], docs[1]
    assert good.content_hash() == good.content_hash() and len(good.content_hash()) == 64
    assert good.parse().vorlagen_nr == str(server.paper(server.paper_ids[0])["reference"])
    with pytest.raises(IngestError, match="HTTP-Status 404"):
        bad.content_hash()
    with pytest.raises(IngestError):
        bad.parse()


def test_failing_paper_is_an_error_and_the_rest_continues(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=15, page_size=5, text_every=1000)
    bad_missing, bad_broken = server.paper_ids[2], server.paper_ids[9]
    server.fail_files.update({bad_missing: 404, bad_broken: 500})
    sleeps = Sleeps()
    results = dict(run(server, tmp_path / "s.json", sleep=sleeps))
    assert len(results) == 15

    missing = results[server.paper_url(bad_missing)]
    assert isinstance(missing, IngestError)
    assert "HTTP-Status 404" in str(missing) and str(missing).startswith("Vorlage ")
    broken = results[server.paper_url(bad_broken)]
    assert isinstance(broken, IngestError) and "HTTP-Status 500" in str(broken)
    assert sleeps == [0.01, 0.02, 0.04, 0.05]  # 4 retries, exponential, capped; 404: none
    ok = [r for url, r in results.items() if not isinstance(r, IngestError)]
    assert len(ok) == 13


def test_retry_after_is_respected_and_backoff_grows(tmp_path: Path) -> None:
    calls: list[str] = []
    body = {
        "id": "https://x.test/b",
        "type": "https://schema.oparl.org/1.1/Body",
        "name": "Gemeinde X",
        "paper": "https://x.test/papers",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if request.url.path == "/b":
            if len(calls) == 1:
                return httpx.Response(429, headers={"Retry-After": "3"})
            if len(calls) == 2:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, json=body)
        return httpx.Response(200, json={"data": [], "links": {}})

    sleeps = Sleeps()
    limits = SyncLimits(backoff_s=0.5, max_backoff_s=10)
    out = list(
        sync_papers(
            "https://x.test/b",
            tmp_path / "s.json",
            limits=limits,
            transport=httpx.MockTransport(handler),
            sleep=sleeps,
        )
    )
    assert out == []
    assert sleeps == [3.0, 1.0]  # Retry-After, then backoff 0.5 * 2**1
    assert calls.count("https://x.test/b") == 3


def test_unreachable_system_raises_a_german_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(IngestError, match="nicht erreichbar"):
        list(
            sync_papers(
                "https://down.test/oparl",
                tmp_path / "s.json",
                limits=FAST,
                transport=httpx.MockTransport(handler),
                sleep=Sleeps(),
            )
        )


def test_no_oparl_system_at_url(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"hello": "world"}))
    with pytest.raises(IngestError, match="kein OParl-System"):
        list(sync_papers("https://x.test/", tmp_path / "s.json", transport=transport))


def test_download_limit(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=3, text_every=1000)
    limits = SyncLimits(max_download_mb=0.001, backoff_s=0.01)  # about 1 KB
    results = run(server, tmp_path / "s.json", limits)
    errors = [r for _, r in results if isinstance(r, IngestError)]
    assert errors and all("größer als die erlaubten 0,001 MB" in str(e) for e in errors)


def test_pdf_and_html_files_are_parsed(make_server: Any, tmp_path: Path, shared: Path) -> None:
    server = make_server(papers=3, text_every=1000)
    pdf_pid, html_pid = server.paper_ids[0], server.paper_ids[1]
    pdf = next((shared / "corpus" / "dessau-rosslau").glob("*.pdf")).read_bytes()
    server.set_content(pdf_pid, pdf, "application/pdf")
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Beschlussvorlage</h1>"
        "<p><b>Beschlussvorschlag:</b></p><p>Der Gemeinderat beschließt die Sanierung der "
        "Turnhalle.</p><h2>Sachverhalt</h2><p>Die Turnhalle ist über 50 Jahre alt.</p>"
        "</body></html>"
    )
    server.set_content(html_pid, html.encode("utf-8"), "text/html; charset=utf-8")
    results = dict(run(server, tmp_path / "s.json"))
    from_pdf = results[server.paper_url(pdf_pid)]
    assert isinstance(from_pdf, RawDocument) and "Beschlussvorlage" in from_pdf.text
    from_html = results[server.paper_url(html_pid)]
    assert isinstance(from_html, RawDocument) and "Turnhalle" in from_html.text
    vorlage = parse_raw(from_html)
    assert vorlage.beschlussvorschlag and "Sanierung" in vorlage.beschlussvorschlag


# ---------------------------------------------------------------------------------------------
# Vendor quirks


def test_quirk_mode_walk(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=25, page_size=10, quirks=True)
    sleeps = Sleeps()
    state = tmp_path / "state.json"
    limits = SyncLimits(backoff_s=0.01, max_backoff_s=5.0)
    results = dict(run(server, state, limits, sleep=sleeps))

    assert set(results) == {server.paper_url(pid) for pid in server.paper_ids}
    unreachable = server.paper_ids[server.unreachable_index]
    for pid in server.paper_ids:
        raw = results[server.paper_url(pid)]
        if pid == unreachable:
            assert isinstance(raw, IngestError) and "nicht erreichbar" in str(raw)
        else:
            assert_parses_like_paper(server, pid, raw)
    # each of the 3 pages answered 503 + Retry-After: 1 once; the closed port was retried 4 times
    assert sorted(sleeps) == [0.01, 0.02, 0.04, 0.08, 1.0, 1.0, 1.0]
    assert server.count("/bodies/1/papers") == 6
    assert server.count("/oparl/papers/") == 10  # page 2 listed URL strings

    # server ignores modified_since: the client skips unchanged papers itself; only the paper
    # whose file was unreachable is tried again
    retried = run(server, state, sleep=sleeps)
    assert [u for u, _ in retried] == [server.paper_url(unreachable)]
    server.touch([server.paper_ids[0], server.paper_ids[12]])
    again = run(server, state, sleep=sleeps)
    assert sorted(u for u, _ in again) == sorted(
        server.paper_url(p) for p in (server.paper_ids[0], server.paper_ids[12], unreachable)
    )


def test_failed_paper_is_retried_until_it_succeeds(make_server: Any, tmp_path: Path) -> None:
    server = make_server(papers=8, page_size=5)
    flaky = server.paper_ids[2]
    server.fail_files[flaky] = 503
    state = tmp_path / "state.json"
    limits = SyncLimits(backoff_s=0.0, max_retries=0)
    first = dict(run(server, state, limits))
    assert isinstance(first[server.paper_url(flaky)], IngestError)
    # an incremental walk would not list the paper again: it is fetched from the retry list
    del server.fail_files[flaky]
    second = run(server, state, limits)
    assert [u for u, _ in second] == [server.paper_url(flaky)]
    assert_parses_like_paper(server, flaky, second[0][1])
    assert run(server, state, limits) == []


def test_parse_page_shapes() -> None:
    base = "https://x.test/papers"
    # 1.0 draft: items + nextPage; relative next
    page = _parse_page({"items": [{"id": "a"}], "nextPage": "?page=2"}, base)
    assert page.items == [{"id": "a"}] and page.next == "https://x.test/papers?page=2"
    # object where an array is expected; PHP arrays with keys
    assert _parse_page({"data": {"id": "a", "type": "Paper"}}, base).items == [
        {"id": "a", "type": "Paper"}
    ]
    keyed = {"data": {"3": {"id": "c"}, "7": "https://x.test/p/7"}}
    assert _parse_page(keyed, base).items == [{"id": "c"}, "https://x.test/p/7"]
    # no links, only pagination
    pag = {"data": [], "pagination": {"currentPage": 2, "totalPages": 3, "totalElements": "25"}}
    page = _parse_page(pag, base + "?page=2&modified_since=x")
    assert page.next == "https://x.test/papers?page=3&modified_since=x" and page.total == 25
    assert (
        _parse_page({**pag, "pagination": {"currentPage": 3, "totalPages": 3}}, base).next is None
    )
    # N/A next, a next pointing at itself, a bare array
    assert _parse_page({"data": [], "links": {"next": "N/A"}}, base).next is None
    assert _parse_page({"data": [], "links": {"next": base}}, base).next is None
    assert _parse_page(["https://x.test/p/1"], base).items == ["https://x.test/p/1"]
    # only http(s) is followed
    assert _parse_page({"data": [], "links": {"next": "file:///etc/passwd"}}, base).next is None


def test_vorlage_candidates_prefer_main_file_then_non_attachments() -> None:
    main = {"id": "m", "name": "Vorlage"}
    assert vorlage_candidates({"mainFile": main, "auxiliaryFile": [{"id": "a"}]}) == [main]
    aux = [
        {"id": "1", "name": "Anlage 1 Lageplan"},
        {"id": "2", "name": "Protokoll TOP 5"},
        {"id": "3", "name": "Umbau Rheinstraße"},
        {"id": "4", "name": "Beschlussvorlage"},
    ]
    order = [f["id"] for f in vorlage_candidates({"mainFile": "N/A", "auxiliaryFile": aux})]  # type: ignore[index]
    assert order == ["4", "3", "1", "2"]


def test_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    response = httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    delay = _retry_after(response)
    assert delay is not None and 25 <= delay <= 31
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "soon"})) is None


def test_damaged_state_file_is_a_german_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json", "utf-8")
    with pytest.raises(IngestError, match="Statusdatei"):
        next(sync_papers("https://x.test/", state))
