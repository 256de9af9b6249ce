"""The clerks' page (issue 11, first slice) in Debian's Chromium against the real app with the
scripted chat model: the clerk's whole path, re-attaching after a reload, the keyboard alone,
the login, errors on the page; axe-core on every state; no request to another host."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Page, expect

from assistant.draft_jobs import QUEUE_FULL
from ingest.parse import parse_path
from tests.api.test_app import CANARY
from tests.web.conftest import (
    PASSWORD,
    USER,
    LiveApp,
    RecordedPage,
    axe_violations,
    screenshot,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

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
    cited = page.locator("#verweise-sachdarstellung a").first
    expect(cited).to_have_text("[1]")
    cited.click()  # [n] leads to the source and the passage the model saw
    expect(page.locator("#quelle-1")).to_be_focused()
    assert_accessible(page, "finished with findings, a source open")
    screenshot(page, "entwurf-1280.png")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "entwurf-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

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


def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached with Tab")


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


def test_a_message_fills_the_form_and_a_search_lists_vorlagen(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    page.get_by_label("Ihre Nachricht").fill(
        "Entwurf: Fortschreibung Integrationskonzept, der Gemeinderat entscheidet am 12.03., "
        "Sozialausschuss berät vorher am 20.02.; Fakten: Konzept von 2019; Finanzen: keine"
    )
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_label("Betreff")).to_have_value("Fortschreibung Integrationskonzept")
    expect(page.get_by_label("Betreff")).to_be_focused()
    expect(page.get_by_label("Entscheidendes Gremium")).to_have_value("Gemeinderat")
    steps = page.locator("#schritte > fieldset")
    expect(steps).to_have_count(2)
    expect(steps.nth(0).get_by_label("Gremium")).to_have_value("Sozialausschuss")
    expect(steps.nth(0).get_by_label("Rolle")).to_have_value("Vorberatung")
    expect(steps.nth(1).get_by_label("Rolle")).to_have_value("Entscheidung")
    assert re.fullmatch(r"\d{4}-03-12", steps.nth(1).get_by_label("Datum").input_value())
    expect(page.locator("#antwort")).to_contain_text("Ins Formular übernommen")
    assert_accessible(page, "form filled from a message")
    screenshot(page, "formular-1280.png")
    assert page.url == live.url + "/"  # nothing starts before the clerk confirms

    page.get_by_label("Ihre Nachricht").fill("Suche: Integrationskonzept")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.locator("#treffer-liste > li").first).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("ähnliche Vorlagen gefunden")
    assert "Stadt Karlsruhe" in page.locator("#treffer-liste").inner_text()
    assert_accessible(page, "search hits")

    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    recorded.assert_clean()


def test_searching_earlier_vorlagen_with_filters(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    search = page.get_by_role("search")
    search.get_by_label("Suchbegriff").fill("Integrationskonzept")
    search.get_by_label("Nur Kommune").fill("Stadt Karlsruhe")
    search.get_by_role("button", name="Suchen").click()
    hits = page.locator("#treffer-liste > li")
    expect(hits.first).to_be_visible()
    expect(page.get_by_role("heading", name="Gefundene Vorlagen")).to_be_focused()
    assert "Stadt Karlsruhe" in hits.first.inner_text()
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", hits.first.inner_text())  # a German date
    assert CANARY not in page.locator("#treffer-liste").inner_text()  # nichtöffentlich
    assert_accessible(page, "search with filters")

    search.get_by_label("Nur ab Datum").fill("2099-01-01")
    search.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("status")).to_have_text("Keine passenden Vorlagen gefunden.")
    expect(hits).to_have_count(0)
    recorded.assert_clean()


def test_uploading_vorlagen_with_the_right_to_ingest(
    serve: Any, page_of: Any, store_dir: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(store_dir, store)  # the module's store stays as it is
    live = serve(store=store, local_rights=["ingest"])
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    empty = tmp_path / "leer.txt"
    empty.write_text("", encoding="utf-8")
    page.get_by_label("Dateien").set_input_files([seed, empty])
    page.get_by_role("button", name="Einlesen").click()
    result = page.locator("#einlesen-ergebnis")
    expect(result).to_contain_text("2 Dateien: 1 neu aufgenommen", timeout=60_000)
    expect(result).to_contain_text("leer.txt: ")
    expect(page.get_by_role("status")).to_contain_text("Eingelesen.")
    assert_accessible(page, "upload result")

    search = page.get_by_role("search")
    search.get_by_label("Suchbegriff").fill(parse_path(seed).betreff or "")
    search.get_by_role("button", name="Suchen").click()
    expect(page.locator("#treffer-liste > li").first).to_contain_text(parse_path(seed).betreff)
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


def test_errors_of_the_api_appear_on_the_page_in_german(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    expect(page.get_by_label("Dateien")).to_have_count(0)  # no right to ingest, no upload
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page.get_by_role("alert")).to_have_text("Bitte geben Sie den Betreff an.")
    page.get_by_label("Betreff").fill("Eine Vorlage")
    page.get_by_label("Entscheidendes Gremium").fill("Gemeinderat")
    page.get_by_label("Fakten").fill("x" * 20_000)
    page.evaluate("document.getElementById('fakten').removeAttribute('maxlength')")
    page.get_by_label("Fakten").fill("x" * 20_001)
    page.get_by_role("button", name="Entwurf schreiben").click()
    expect(page.get_by_role("alert")).to_contain_text("Die Fakten sind zu lang")

    page.goto(live.url + "/entwurf/gibtesnicht")
    expect(page.get_by_role("alert")).to_have_text(
        "Diesen Entwurf gibt es nicht (oder Sie dürfen ihn nicht sehen)."
    )
    recorded.assert_clean()


def test_the_login_page_when_the_server_has_users(live_login: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live_login.url)
    page = recorded.page
    expect(page).to_have_url(live_login.url + "/anmelden")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    assert_accessible(page, "login")

    page.get_by_label("Benutzername").fill(USER)
    page.get_by_label("Passwort").fill("falsch-falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text(".")
    assert page.url.endswith("/anmelden")

    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(live_login.url + "/")
    fill_form(page)
    page.get_by_role("button", name="Entwurf schreiben").click()  # with the CSRF token
    wait_finished(page)
    page.get_by_role("button", name="Als Version speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Als Fassung 2 gespeichert.")

    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(live_login.url + "/anmelden")
    recorded.assert_clean()
