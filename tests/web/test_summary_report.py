"""``report.html`` of ``vorlagen summarize`` in headless Chromium: no console error, no request
leaves the file, the filters work, axe finds nothing serious; a screenshot for the eye."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage

from assistant.summarize import Summarizer, prompt_version
from assistant.summary_job import SummaryJob, run_summary_job, skipped_record
from assistant.summary_report import render_report
from assistant.summary_schema import SummaryRecord
from ingest.parse import ParseOptions, parse_path
from tests.summaries.fakes import FakeSummaryChat
from tests.web.conftest import axe_violations, open_page, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def report_records(seeds_dir: Path) -> list[SummaryRecord]:
    summarizer = Summarizer(FakeSummaryChat())
    found: list[SummaryRecord] = []
    for i, seed in enumerate(sorted(seeds_dir.glob("*.txt"))):
        vorlage = parse_path(seed, ParseOptions())
        if i == 0:  # untrusted text in what the report shows
            vorlage = vorlage.model_copy(update={"betreff": "<script>alert(1)</script> Kita"})
        found.append(run_summary_job(summarizer, SummaryJob(str(seed), f"h{i}", vorlage), "v1"))
    failing = FakeSummaryChat(answers=["kein json", "kein json"])
    vorlage = parse_path(sorted(seeds_dir.glob("*.txt"))[1], ParseOptions())
    found.append(
        run_summary_job(Summarizer(failing), SummaryJob("/archiv/x.pdf", "hx", vorlage), "v1")
    )
    found.append(
        skipped_record(
            "/archiv/kaputt.pdf", "", "v1", "Die Datei ist beschädigt.", status="unlesbar"
        )
    )
    return found


def test_the_report_opens_clean_and_filters(
    browser: Browser, seeds_dir: Path, tmp_path: Path
) -> None:
    records = report_records(seeds_dir)
    assert prompt_version()
    path = tmp_path / "report.html"
    path.write_text(render_report(records, generated=datetime.now(UTC)), encoding="utf-8")
    recorded = open_page(browser, tmp_path.as_uri())
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(message.text)

    recorded.page.on("console", note)
    page = recorded.page
    page.goto(path.as_uri())
    assert page.title() == "Zusammenfassungen"
    rows = page.locator("#summaries tbody tr")
    assert rows.count() == 5
    assert page.locator("figure svg").count() >= 2
    assert page.locator("script").count() == 1  # the filters; no chart script, no injection
    word = max((records[1].betreff or "").split(), key=len)
    page.fill("#f-text", word.lower())
    visible = [r for r in rows.all() if r.is_visible()]
    assert 1 <= len(visible) < 5
    assert page.locator("#f-count").inner_text().endswith("Zusammenfassungen")
    problems = page.locator("#probleme")
    assert "kaputt.pdf" in problems.inner_text() and "fehlgeschlagen" in problems.inner_text()
    page.fill("#f-text", "")
    shot = screenshot(page, "summary-report.png")
    assert shot.stat().st_size > 10_000
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert errors == [] and recorded.script_errors == []
    assert recorded.foreign_requests() == []
    page.context.close()
