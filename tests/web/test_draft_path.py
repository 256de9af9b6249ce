"""The clerks' page in Debian's Chromium against the real app with the scripted chat model:
the clerk's whole path from the form to the Word file, re-attaching after a reload, the
keyboard alone, cancelling, the queue; axe-core on every state; no request to another host
and no script error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from assistant.draft_jobs import QUEUE_FULL
from tests.web.conftest import LiveApp, RecordedPage, screenshot
from tests.web.steps import (
    BETREFF,
    DRAFT_URL,
    EDIT,
    RECORD_ANNOUNCEMENTS,
    assert_accessible,
    clerk_path,
    docx_text,
    download,
    fill_form,
    held,
    tab_to,
    wait_finished,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_clerks_path_from_form_to_word_file(
    live: LiveApp, page_of: Any, tmp_path: Path
) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    expect(page).to_have_title(re.compile("Vorlagen-Assistent"))
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page, "empty form")

    gate = held(live)
    fill_form(page)
    page.evaluate(RECORD_ANNOUNCEMENTS)
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page).to_have_url(DRAFT_URL)
    expect(page.get_by_role("heading", name="Entwurf", exact=True)).to_be_focused()
    expect(page.locator("#quellen-liste > li").first).to_be_visible()
    sources = page.locator("#quellen-liste").inner_text()
    assert "Vorlage " in sources and "Stadt Karlsruhe" in sources
    expect(page.get_by_role("button", name="Entwurf abbrechen")).to_be_visible()
    assert_accessible(page, "streaming")

    gate.set()
    wait_finished(page)
    said = page.evaluate("window.announced")
    assert said[0] == "Suche ähnliche frühere Vorlagen …"
    for step in ("Quellen gefunden", "Schreibe", "ist geschrieben", "Prüfung:", "fertig"):
        assert any(step in text for text in said), (step, said)
    assert len(said) < 15, said  # progress and finished sections, not every token
    assert page.get_by_role("status").get_attribute("aria-live") == "polite"
    expect(page.locator("#befunde-summe")).to_contain_text("Prüfung: 1 Fehler")
    finding = page.locator("#befunde-liste > li", has_text="Finanzielle Auswirkungen")
    expect(finding).to_contain_text("Fehler: Der Abschnitt „Finanzielle Auswirkungen“ fehlt")
    screenshot(page, "entwurf-1280.png")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "entwurf-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    cited = page.locator("#verweise-sachdarstellung a").first
    expect(cited).to_have_text("[1]")
    cited.click()  # [n] leads to the source and the passage the model saw
    expect(page.locator("#quelle-1")).to_be_focused()
    assert_accessible(page, "finished with findings, a source open")

    finding.get_by_role("button").click()  # a finding takes the focus to its field
    expect(page.locator("#feld-finanzielle_auswirkungen")).to_be_focused()
    page.keyboard.type("Keine.")
    area = page.get_by_label("Sachdarstellung")
    area.fill(area.input_value() + "\n\n" + EDIT)
    page.get_by_role("button", name="Erneut prüfen").click()
    expect(page.get_by_role("status")).to_contain_text("Erneut geprüft. Prüfung: 0 Fehler")
    expect(finding).to_have_count(0)
    page.get_by_role("button", name="Als Version speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Als Fassung 2 gespeichert.")

    versions = page.locator("#fassungen-liste > li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Fassung 1: vom Sprachmodell geschrieben")
    expect(versions.nth(1)).to_contain_text("Fassung 2: bearbeitet von lokal")
    expect(versions.nth(1)).to_contain_text("(angezeigt)")
    page.get_by_role("button", name="Fassung 1 öffnen").click()  # the original is kept
    expect(page.get_by_role("status")).to_contain_text("Fassung 1 geöffnet.")
    assert EDIT not in page.get_by_label("Sachdarstellung").input_value()
    assert_accessible(page, "an earlier version open")
    page.get_by_role("button", name="Fassung 2 öffnen").click()
    expect(page.get_by_label("Sachdarstellung")).to_have_value(re.compile(re.escape(EDIT)))

    page.get_by_role("button", name="Word herunterladen (DOCX)").focus()
    word = download(page, "Enter", tmp_path / "entwurf.docx")  # no errors: no confirmation
    expect(page.get_by_role("button", name=re.compile("Trotzdem exportieren"))).to_be_hidden()
    assert EDIT in docx_text(word)
    recorded.assert_clean()


def test_reloading_mid_draft_reattaches_and_shows_the_finished_draft(
    live: LiveApp, page_of: Any
) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    gate = held(live)
    fill_form(page)
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page).to_have_url(DRAFT_URL)
    address = page.url
    expect(page.locator("#quellen-liste > li").first).to_be_visible()

    page.reload()
    assert page.url == address
    expect(page.get_by_role("button", name="Entwurf abbrechen")).to_be_visible()
    expect(page.locator("#quellen-liste > li").first).to_be_visible()
    gate.set()
    wait_finished(page)

    page.goto(address)  # a finished draft is shown from the API again
    wait_finished(page)
    expect(page.get_by_role("button", name="Entwurf abbrechen")).to_be_hidden()
    recorded.assert_clean()


def test_the_whole_path_works_from_the_keyboard(
    live: LiveApp, page_of: Any, tmp_path: Path
) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the skip link moved the starting point into the main part
    assert page.evaluate("document.activeElement.id") == "nachricht"
    for element_id, text in (("betreff", BETREFF), ("gremium", "Gemeinderat")):
        tab_to(page, element_id)
        page.keyboard.type(text)
    tab_to(page, "fakten")
    page.keyboard.type("- Konzept von 2019 fortgeschrieben")
    tab_to(page, "schreiben")  # without Finanzielle Auswirkungen: the export needs a confirmation
    page.keyboard.press("Enter")
    wait_finished(page)

    tab_to(page, "feld-sachdarstellung")
    page.keyboard.press("Control+End")
    page.keyboard.type(" " + EDIT)
    tab_to(page, "pruefen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Erneut geprüft.")
    tab_to(page, "docx")
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name=re.compile("Trotzdem exportieren"))
    expect(confirm).to_be_focused()
    expect(page.locator("#bestaetigung")).to_contain_text("nicht bestanden")
    text = docx_text(download(page, "Enter", tmp_path / "tastatur.docx"))
    assert EDIT in text
    assert "„Finanzielle Auswirkungen“ fehlt" in text  # a forced export shows the findings
    recorded.assert_clean()


def test_the_path_of_the_real_model_test_with_the_fake(
    live: LiveApp, page_of: Any, tmp_path: Path
) -> None:
    recorded: RecordedPage = page_of(live.url)
    assert EDIT in clerk_path(recorded.page, tmp_path)  # as test_real_model.py does it
    recorded.assert_clean()


def test_a_running_draft_can_be_cancelled(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    held(live)
    fill_form(page)
    page.get_by_role("button", name="Entwurf schreiben").click()
    cancel = page.get_by_role("button", name="Entwurf abbrechen")
    expect(cancel).to_be_visible()
    cancel.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Der Entwurf wurde abgebrochen.")
    expect(cancel).to_be_hidden()
    expect(page.get_by_role("heading", name="Entwurf", exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Entwurf schreiben")).to_be_enabled()
    recorded.assert_clean()


def test_the_queue_position_and_a_full_queue(serve: Any, page_of: Any) -> None:
    live = serve(queue_size=1)
    gate = held(live)
    first, second, third = (page_of(live.url) for _ in range(3))
    fill_form(first.page)
    first.page.get_by_role("button", name="Entwurf schreiben").click()
    expect(first.page.locator("#quellen-liste > li").first).to_be_visible()  # it runs
    fill_form(second.page)
    second.page.get_by_role("button", name="Entwurf schreiben").click()
    expect(second.page.get_by_role("status")).to_contain_text("In der Warteschlange: Platz 1.")
    fill_form(third.page)
    third.page.get_by_role("button", name="Entwurf schreiben").click()
    expect(third.page.get_by_role("alert")).to_have_text(QUEUE_FULL)
    assert third.page.url == live.url + "/"
    gate.set()
    for recorded in (first, second):
        wait_finished(recorded.page)
        recorded.assert_clean()
