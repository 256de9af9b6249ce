"""The clerk's drafts and versions on the page, in Debian's Chromium against the real app:
„Meine Entwürfe“ and the comparison of two versions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import LiveApp, RecordedPage
from tests.web.steps import (
    BETREFF,
    DRAFT_URL,
    EDIT,
    assert_accessible,
    fill_form,
    wait_finished,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_my_drafts_lead_to_each_draft(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    expect(page.locator("#meine-leer")).to_be_visible()
    expect(page.locator("#meine-leer")).to_have_text("Sie haben noch keine Entwürfe geschrieben.")
    fill_form(page)
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page).to_have_url(DRAFT_URL)
    address = page.url
    wait_finished(page)
    mine = page.locator("#meine-liste > li")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("fertig")
    expect(mine.first).to_contain_text("1 Fassung")
    expect(mine.first.get_by_role("link", name=BETREFF)).to_have_attribute("aria-current", "page")
    page.goto(live.url + "/")
    link = page.get_by_role("link", name=BETREFF)
    expect(link).not_to_have_attribute("aria-current", "page")
    assert_accessible(page, "my drafts")
    link.click()
    expect(page).to_have_url(address)
    expect(page.get_by_label("Sachdarstellung")).not_to_be_empty()
    assert EDIT not in page.get_by_label("Sachdarstellung").input_value()
    assert re.search(r"/entwurf/", page.url)
    recorded.assert_clean()
