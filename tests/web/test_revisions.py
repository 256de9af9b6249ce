"""New versions a clerk asks for on the page, in Debian's Chromium against the real app: one
section written again („Neu schreiben“) while the other stays as saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import LiveApp, RecordedPage
from tests.web.steps import EDIT, assert_accessible, fill_form, held, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_one_section_is_written_again_and_the_saved_one_kept(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    fill_form(page, finanzen="Keine.")
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    area = page.get_by_label("Beschlussvorschlag")
    kept = area.input_value() + " " + EDIT
    area.fill(kept)
    rewrite = page.get_by_role("button", name=re.compile(r"^Neu schreiben\W+Sachdarstellung$"))
    rewrite.click()  # unsaved edits: refused in one German sentence, nothing is lost
    expect(page.locator("#fehler")).to_contain_text("ungespeicherte Änderungen")
    expect(area).to_have_value(kept)
    page.get_by_role("button", name="Als Version speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Als Fassung 2 gespeichert.")

    gate = held(live)  # holds the model's streamed paragraphs
    rewrite.click()
    expect(page.get_by_role("button", name="Abbrechen")).to_be_visible()
    expect(page.locator("#strom-beschlussvorschlag")).to_have_text(kept)  # shown at once
    assert_accessible(page, "section rewriting")
    gate.set()
    wait_finished(page)
    expect(page.get_by_label("Beschlussvorschlag")).to_have_value(kept)
    expect(page.get_by_label("Sachdarstellung")).not_to_be_empty()
    latest = page.locator("#fassungen-liste > li").last
    expect(latest).to_contain_text(re.compile(r"Fassung 3: neu geschrieben von \S+"))
    expect(latest).to_contain_text("(angezeigt)")
    assert_accessible(page, "section rewritten")
    recorded.assert_clean()


def test_a_follow_up_message_refines_the_open_draft(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    fill_form(page, finanzen="Keine.")
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    message = page.get_by_label("Ihre Nachricht")
    message.fill("sachlicher")
    page.get_by_role("button", name="Nachricht senden").click()
    # the fake model's text has no judging words: said on the page, no new version
    expect(page.locator("#fehler")).to_contain_text("keine wertenden oder verstärkenden Wörter")
    message.fill("Fakt ergänzen")
    page.get_by_role("button", name="Nachricht senden").click()
    answer = page.locator("#antwort")
    expect(answer).to_contain_text("Bitte nennen Sie nach „Fakt ergänzen:“ den Fakt.")
    expect(answer).to_contain_text("Finanzierung ergänzen")
    assert_accessible(page, "refinement help")

    message.fill("Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(answer).to_contain_text("Die Finanzierung wird ergänzt")
    wait_finished(page)
    finanzen = page.get_by_label("Finanzielle Auswirkungen", exact=True).last
    expect(finanzen).to_have_value(re.compile(r"20\.000 EUR aus Produkt 3\.1\.2$"))
    latest = page.locator("#fassungen-liste > li").last
    expect(latest).to_contain_text(re.compile(r"Fassung 2: verfeinert von \S+"))
    assert_accessible(page, "refined")
    recorded.assert_clean()
