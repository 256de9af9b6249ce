"""The archive's summaries on the clerks' page, in Debian's Chromium against the real app: the
button „Archiv zusammenfassen“ (a caller with the ingest right) shows the job's progress and
its German result; a search hit then shows its Kurzfassung; the link „Übersicht der
Zusammenfassungen“ opens the report, which requests nothing from outside and is axe clean."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.api.test_api_summaries import PUBLIC, SummaryEchoChat
from tests.web.conftest import LiveApp, RecordedPage, screenshot
from tests.web.steps import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_archive_is_summarised_and_the_report_opens(
    serve: Callable[..., LiveApp],
    page_of: Any,
    store_dir: Path,
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    shutil.copytree(store_dir, store)  # the job writes the store's summaries file
    chat = SummaryEchoChat(free_calls=1)
    chat.block()  # the first document is summarised, the second waits
    live = serve(store=store, chat=chat, local_rights=["ingest"])
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page

    report_link = page.get_by_role("link", name="Übersicht der Zusammenfassungen")
    expect(report_link).to_have_attribute("href", "/bericht")

    page.get_by_role("button", name="Archiv zusammenfassen").click()
    state = page.locator("#zusammenfassen-stand")
    expect(state).to_have_attribute("aria-live", "polite")
    expect(state).to_contain_text(re.compile(rf"^1 von {PUBLIC} Vorlagen bearbeitet: "))
    expect(page.locator("#zusammenfassen-fortschritt")).to_be_visible()
    expect(page.get_by_role("button", name="Archiv zusammenfassen")).to_be_disabled()
    assert_accessible(page, "the archive being summarised")
    chat.release()
    expect(state).to_have_text(
        re.compile(r"^Archiv zusammengefasst: \d+ geprüft.*Modellaufrufe\)\.$")
    )
    expect(page.locator("#zusammenfassen-fortschritt")).to_be_hidden()
    expect(page.get_by_role("button", name="Archiv zusammenfassen")).to_be_enabled()

    page.locator("#suchbegriff").fill("Integration")
    page.get_by_role("button", name="Suchen").click()
    hit = page.locator("#treffer-liste > li").first
    expect(hit.locator(".kurzfassung")).to_contain_text(
        re.compile(r"^Kurzfassung: Die Vorlage behandelt ")
    )
    assert_accessible(page, "search hits with their Kurzfassung")

    report_link.click()
    page.wait_for_url(live.url + "/bericht")
    expect(page.locator("h1")).to_have_text("Übersicht der Zusammenfassungen")
    expect(page.locator("#summaries tbody tr")).to_have_count(PUBLIC)
    page.locator("#f-text").fill("zzz-nichts")  # the report's own script runs under its CSP
    expect(page.locator("#f-count")).to_have_text("0 Zusammenfassungen")
    assert_accessible(page, "the report served by the app")
    screenshot(page, "summaries-report-served.png")
    recorded.assert_clean()


def test_the_report_without_summaries_says_so(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    expect(page.get_by_role("button", name="Archiv zusammenfassen")).to_have_count(0)
    page.get_by_role("link", name="Übersicht der Zusammenfassungen").click()
    page.wait_for_url(live.url + "/bericht")
    expect(page.locator("#bericht-leer")).to_contain_text("Es gibt noch keine Zusammenfassungen.")
    assert_accessible(page, "the report's empty state")
    recorded.assert_clean()


def test_a_reloaded_page_shows_the_running_job_and_then_its_result(
    serve: Callable[..., LiveApp],
    page_of: Any,
    store_dir: Path,
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    shutil.copytree(store_dir, store)
    chat = SummaryEchoChat(free_calls=1)
    chat.block()  # a slow model: the first document is summarised, the second waits
    live = serve(store=store, chat=chat, local_rights=["ingest"])
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    start = page.get_by_role("button", name="Archiv zusammenfassen")
    expect(page.locator("#zusammenfassen-stand")).to_have_text("")  # no job yet
    start.click()
    running = re.compile(rf"^1 von {PUBLIC} Vorlagen bearbeitet: ")
    expect(page.locator("#zusammenfassen-stand")).to_contain_text(running)

    page.reload()  # the job runs on; the page finds it again instead of offering a start
    state = page.locator("#zusammenfassen-stand")
    expect(state).to_contain_text(running)
    expect(page.locator("#zusammenfassen-fortschritt")).to_be_visible()
    expect(page.locator("#zusammenfassen-fortschritt")).to_have_attribute("value", "1")
    expect(page.get_by_role("button", name="Zusammenfassen abbrechen")).to_be_visible()
    expect(start).to_be_disabled()
    assert_accessible(page, "the running job found again after a reload")
    screenshot(page, "summaries-reattached.png")

    other: RecordedPage = page_of(live.url)  # another tab
    expect(other.page.locator("#zusammenfassen-stand")).to_contain_text(running)

    chat.release()  # the reloaded page follows the job's events to its end
    result = re.compile(r"Archiv zusammengefasst: \d+ geprüft.*Modellaufrufe\)\.$")
    expect(state).to_have_text(re.compile(r"^" + result.pattern))
    expect(page.locator("#zusammenfassen-fortschritt")).to_be_hidden()
    expect(start).to_be_enabled()
    expect(other.page.locator("#zusammenfassen-stand")).to_have_text(
        re.compile(r"^" + result.pattern)
    )

    page.reload()  # no job runs: the last one's result, with when it ended
    expect(state).to_have_text(re.compile(r"^Letzter Lauf \(\d\d\.\d\d\.\d{4}, \d\d:\d\d\): "))
    expect(state).to_contain_text(result)
    expect(start).to_be_enabled()
    assert_accessible(page, "the last job's result")
    recorded.assert_clean()
    other.assert_clean()
