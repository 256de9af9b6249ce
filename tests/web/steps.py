"""What the browser tests of the page do again and again: fill the form, wait for the finished
draft, hold the fake model, run axe-core, read a downloaded Word file, move with Tab."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import docx
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveApp, axe_violations

BETREFF = "Fortschreibung des Integrationskonzepts"
EDIT = "Die Verwaltung ergänzt den Bericht des Migrationsbeirats."
DRAFT_URL = re.compile(r"/entwurf/[A-Za-z0-9_-]+$")


# Collects every text the polite live region (#meldung) is given.
RECORD_ANNOUNCEMENTS = """() => {
    window.announced = [];
    const region = document.getElementById('meldung');
    const note = () => { if (region.textContent) window.announced.push(region.textContent); };
    new MutationObserver(note)
        .observe(region, {childList: true, characterData: true, subtree: true});
}"""


def fill_form(page: Page, finanzen: str = "") -> None:
    """The form; without Finanzielle Auswirkungen the draft has a finding (rule required)."""
    page.get_by_label("Betreff").fill(BETREFF)
    page.get_by_label("Kommune", exact=True).fill("Stadt Karlsruhe")
    page.get_by_label("Entscheidendes Gremium").fill("Gemeinderat")
    page.get_by_label("Fakten").fill(
        "- Konzept von 2019 fortgeschrieben\n- Beteiligung des Migrationsbeirats"
    )
    page.get_by_label("Finanzielle Auswirkungen").fill(finanzen)


def assert_accessible(page: Page, state: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe ({state}): {violations}"


def wait_finished(page: Page) -> None:
    expect(page.get_by_role("status")).to_contain_text("Der Entwurf ist fertig", timeout=30_000)
    expect(page.get_by_label("Sachdarstellung")).not_to_be_empty()


def held(live: LiveApp) -> threading.Event:
    gate = threading.Event()
    live.chat.gate = gate
    return gate


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def download(page: Page, key: str, target: Path) -> Path:
    """Press ``key`` on the focused button and save the file it downloads."""
    with page.expect_download() as info:
        page.keyboard.press(key)
    info.value.save_as(target)
    return target


def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached with Tab")


def clerk_path(page: Page, tmp_path: Path, timeout_ms: int = 30_000) -> str:
    """The clerk's path with whatever model the app has: form, streamed draft, sources, an
    edit, checked again, the Word file (confirmed when the draft still has errors); the
    file's text."""
    fill_form(page, finanzen="keine")
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page).to_have_url(DRAFT_URL)
    expect(page.locator("#quellen-liste > li").first).to_be_visible(timeout=timeout_ms)
    finished = page.get_by_role("status")
    expect(finished).to_contain_text("Der Entwurf ist fertig", timeout=timeout_ms)
    area = page.get_by_label("Sachdarstellung")
    area.fill(area.input_value() + "\n\n" + EDIT)
    page.get_by_role("button", name="Erneut prüfen").click()
    expect(page.get_by_role("status")).to_contain_text("Erneut geprüft.", timeout=timeout_ms)
    with page.expect_download(timeout=timeout_ms) as info:
        page.get_by_role("button", name="Word herunterladen (DOCX)").click()
        page.wait_for_function(EXPORT_ANSWERED, timeout=timeout_ms)
        confirm = page.get_by_role("button", name=re.compile("Trotzdem exportieren"))
        if confirm.is_visible():
            confirm.click()
    target = tmp_path / "entwurf.docx"
    info.value.save_as(target)
    return docx_text(target)


# The export asked for a confirmation, or its file is on the way.
EXPORT_ANSWERED = """() => !document.getElementById('bestaetigung').hidden
    || document.getElementById('meldung').textContent.includes('heruntergeladen')"""
