"""The parts of the clerks' page around the draft, in Debian's Chromium against the real app:
the message box, the search, the upload, German errors, the login."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ingest.parse import parse_path
from tests.api.test_app import CANARY
from tests.web.conftest import PASSWORD, USER, LiveApp, RecordedPage, screenshot
from tests.web.steps import assert_accessible, fill_form, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]


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
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "formular-360.png")
    page.set_viewport_size({"width": 1280, "height": 900})
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


def test_the_page_runs_no_script_that_came_as_text(live: LiveApp, page_of: Any) -> None:
    """Retrieved text is shown with textContent; should HTML ever reach the page anyway, its
    Content-Security-Policy refuses inline scripts and foreign hosts."""
    page = page_of(live.url).page
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert policy is not None and "script-src 'self'" in policy and "default-src 'self'" in policy
    page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend',
            '<img src="/static/favicon.svg" onload="window.injected = 1">')"""
    )
    page.wait_for_function("() => document.querySelector('body > img').naturalWidth > 0")
    page.wait_for_timeout(100)  # the image has loaded: its handler would have run by now
    assert page.evaluate("window.injected") is None


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
