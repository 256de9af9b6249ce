"""The provenance of each number on the page (the read view of each section), in Debian's
Chromium against the real app with the scripted chat model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, LiveApp, RecordedPage
from tests.web.steps import assert_accessible, fill_form, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def test_each_number_is_marked_with_where_it_comes_from(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    fill_form(page, finanzen="keine")
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    view = page.locator("#lesen-sachdarstellung")
    summary = view.locator("summary")
    expect(summary).to_contain_text("Lesefassung mit Belegen – ")
    summary.click()
    own = view.locator(".beleg-angaben", has_text="2019").first
    expect(own).to_contain_text("2019 (aus Ihren Angaben)")
    cited = view.locator(".beleg-quelle").first
    expect(cited).to_contain_text("(aus Quelle [")
    link = cited.locator(".beleg-label a").first
    tip = cited.locator("[role=tooltip]")
    expect(tip).to_be_hidden()
    link.focus()  # focus (as hovering) shows the passage that says it
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Quelle [")
    assert link.get_attribute("aria-describedby") == tip.get_attribute("id")
    assert_accessible(page, "provenance marks, a passage shown")
    view.screenshot(path=str(screenshot_path("belege-1280.png")))
    number = link.inner_text().strip("[]")
    marked = cited.locator("mark").inner_text()
    link.click()  # the source opens at the passage, marked
    expect(page.locator(f"#quelle-{number}")).to_be_focused()
    expect(page.locator(f"#quelle-{number} mark.stelle")).to_contain_text(marked[-4:])

    area = page.get_by_label("Sachdarstellung")
    area.fill(area.input_value() + "\n\nDas Gebäude stammt aus dem Jahr 1987.")
    page.get_by_role("button", name="Erneut prüfen").click()
    missing = view.locator(".beleg-nicht_belegt", has_text="1987")
    expect(missing).to_contain_text("1987 (nicht belegt)")
    expect(summary).to_contain_text("1 nicht belegt")
    assert_accessible(page, "a number not grounded")
    recorded.assert_clean()
