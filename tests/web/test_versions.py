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


def test_two_versions_compared_word_by_word(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    fill_form(page)
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    expect(page.locator("#vergleich-form")).to_be_hidden()  # one version: nothing to compare
    resolution = page.get_by_label("Beschlussvorschlag")
    original = resolution.input_value()
    assert "Gemeinderat" in original
    resolution.fill(original.replace("Gemeinderat", "Sozialausschuss"))
    area = page.get_by_label("Sachdarstellung")
    area.fill(area.input_value() + "\n\n" + EDIT)
    page.get_by_role("button", name="Als Version speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Als Fassung 2 gespeichert.")

    expect(page.get_by_label("Frühere Fassung")).to_have_value("1")
    expect(page.get_by_label("Spätere Fassung")).to_have_value("2")
    page.get_by_role("button", name="Vergleichen").click()
    title = page.get_by_role("heading", name="Fassung 1 → Fassung 2")
    expect(title).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text(
        "Fassung 1 und Fassung 2 verglichen: 8 Wörter eingefügt, 1 Wort gestrichen."
    )
    sections = page.locator(".vergleich-abschnitt")
    beschluss = sections.filter(has_text="Beschlussvorschlag")
    expect(beschluss.locator("del")).to_have_text("gestrichen: Gemeinderat")
    expect(beschluss.locator("ins")).to_have_text("eingefügt: Sozialausschuss")
    sach = sections.filter(has_text="Sachdarstellung")
    expect(sach.locator("ins")).to_have_text(re.compile("eingefügt: \\s*" + re.escape(EDIT)))
    expect(sach.locator("del")).to_have_count(0)
    expect(sections.filter(has_text="Finanzielle Auswirkungen")).to_contain_text("unverändert")
    # not by colour alone: struck through and underlined, and a text before each
    assert "line-through" in beschluss.locator("del").evaluate(
        "n => getComputedStyle(n).textDecorationLine"
    )
    assert "underline" in beschluss.locator("ins").evaluate(
        "n => getComputedStyle(n).textDecorationLine"
    )
    assert_accessible(page, "version diff")

    # backwards, chosen by keyboard: version 2 against version 1
    page.get_by_label("Frühere Fassung").select_option("2")
    page.get_by_label("Spätere Fassung").select_option("1")
    page.get_by_role("button", name="Vergleichen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Fassung 2 → Fassung 1")).to_be_focused()
    expect(beschluss.locator("del")).to_have_text("gestrichen: Sozialausschuss")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    recorded.assert_clean()
