"""The sources of a draft and the hits of a search open the stored Vorlage as parsed
(``/vorlage/<id>``), at the cited passage; in Debian's Chromium against the real app."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveApp, RecordedPage
from tests.web.steps import assert_accessible, fill_form, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]

GERMAN_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def _opened(page: Page, link: Any) -> Page:
    with page.context.expect_page() as opening:
        link.click()
    opened = opening.value
    opened.wait_for_load_state()
    return opened


def test_a_source_opens_at_its_passage(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    fill_form(page, finanzen="keine")
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    first = page.locator("#quellen-liste > li").first
    expect(first.locator(".angaben")).to_contain_text(GERMAN_DATE)
    passage = first.locator("blockquote").inner_text()
    opened = _opened(page, first.get_by_role("link", name=re.compile("Stelle markiert")))
    assert opened.url.startswith(live.url + "/vorlage/")
    mark = opened.locator("mark#stelle")
    expect(mark).to_be_visible()
    marked = " ".join(mark.inner_text().split())
    assert marked[:60] in " ".join(passage.split())  # a paragraph of the passage the model saw
    expect(opened.locator("h1")).to_contain_text("Vorlage")
    expect(opened.locator("dl.kopfdaten")).to_contain_text("Quelle")
    assert_accessible(opened, "a source opened at its passage")
    recorded.assert_clean()


def test_a_search_hit_opens_as_parsed(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    search = page.locator("#suche")
    search.locator("#suchbegriff").fill("Integration")
    page.get_by_role("button", name="Suchen").click()
    hit = page.locator("#treffer-liste > li").first
    expect(hit).to_be_visible()
    title = hit.locator(".kopfzeile a").inner_text()
    opened = _opened(page, hit.locator(".kopfzeile a"))
    expect(opened.locator("h1")).to_have_text(title)
    expect(opened.locator("section.vorlage-abschnitt").first).to_be_visible()
    opened.keyboard.press("Tab")  # the skip link comes first, as on every page
    expect(opened.locator("a.sprung")).to_be_focused()
    assert_accessible(opened, "a Vorlage as parsed")
    recorded.assert_clean()
