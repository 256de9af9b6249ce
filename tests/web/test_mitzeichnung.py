"""The Mitzeichnung on the page, in Debian's Chromium against the real app: a clerk sends a
finished draft to an approver, who returns it with notes in a second browser context (a
login of their own, with the right ``mitzeichnen``); the clerk sees the decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD, USER, LiveApp, RecordedPage, screenshot
from tests.web.steps import BETREFF, EDIT, assert_accessible, fill_form, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]

APPROVER = "bruno.keller"
NOTES = "Bitte die Kosten belegen. <img src=x onerror=alert(1)>"


@pytest.fixture
def live_approval(serve: Callable[..., LiveApp]) -> LiveApp:
    """The app with a clerk and an approver (login required)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users = [
        {"name": USER, "password_hash": hasher.hash(PASSWORD), "rights": []},
        {"name": APPROVER, "password_hash": hasher.hash(PASSWORD), "rights": ["mitzeichnen"]},
    ]
    return serve(users=users, session_secret="s" * 40)


def log_in(recorded: RecordedPage, name: str) -> Page:
    page = recorded.page
    # an alert() run by injected HTML fails assert_clean as a script error would
    page.on(
        "dialog", lambda dialog: (recorded.script_errors.append(dialog.message), dialog.dismiss())
    )
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(recorded.base + "/")
    return page


def test_a_draft_is_sent_returned_with_notes_and_the_clerk_sees_it(
    live_approval: LiveApp, page_of: Any
) -> None:
    clerk_view: RecordedPage = page_of(live_approval.url)
    clerk = log_in(clerk_view, USER)
    expect(clerk.locator("#bitten")).to_have_count(0)  # no right mitzeichnen: no requests
    fill_form(clerk, finanzen="Keine.")
    clerk.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(clerk)
    expect(clerk.locator("#mitzeichnungen-leer")).to_be_visible()
    area = clerk.get_by_label("Beschlussvorschlag")
    edited = area.input_value() + " " + EDIT
    area.fill(edited)
    name = clerk.get_by_label("Wer soll mitzeichnen?")
    name.fill(APPROVER)
    send = clerk.get_by_role("button", name="Zur Mitzeichnung senden")
    send.click()  # unsaved edits: save first, nothing is sent
    expect(clerk.locator("#fehler")).to_contain_text("ungespeicherte Änderungen")
    expect(clerk.locator("#mitzeichnungen-liste > li")).to_have_count(0)
    clerk.get_by_role("button", name="Als Version speichern").click()
    expect(clerk.get_by_role("status")).to_contain_text("Als Fassung 2 gespeichert.")

    name.fill("niemand")
    send.click()  # the API's German sentence in the alert region
    expect(clerk.get_by_role("alert")).to_have_text(
        "„niemand“ ist nicht als mitzeichnende Person eingerichtet."
    )
    name.fill(APPROVER)
    send.click()
    expect(clerk.get_by_role("status")).to_have_text(
        f"Fassung 2 ist an {APPROVER} zur Mitzeichnung gesendet."
    )
    expect(clerk.locator("#fehler")).to_be_hidden()
    requests = clerk.locator("#mitzeichnungen-liste > li")
    expect(requests).to_have_count(1)
    expect(requests.first).to_contain_text(f"Fassung 2 an {APPROVER} (erbeten von {USER} am ")
    expect(requests.first).to_contain_text(re.compile(r"\d\d:\d\d\): offen$"))
    assert_accessible(clerk, "sent for approval")

    approver_view: RecordedPage = page_of(live_approval.url)
    approver = log_in(approver_view, APPROVER)
    waiting = approver.locator("#bitten-liste > li")
    expect(waiting).to_have_count(1)
    entry = waiting.first
    expect(entry.get_by_role("heading", name=BETREFF)).to_be_visible()
    expect(entry).to_contain_text(f"{USER} bittet um Mitzeichnung von Fassung 2")
    expect(entry.locator(".lesetext").first).to_have_text(edited)  # the stored version
    link = entry.get_by_role("link", name=re.compile("^Entwurf öffnen"))
    expect(link).to_have_attribute("href", re.compile(r"^/entwurf/[A-Za-z0-9_-]+$"))
    assert clerk.url.endswith(link.get_attribute("href") or "-")
    assert_accessible(approver, "open request")

    give_back = entry.get_by_role("button", name=re.compile("^Zurückgeben"))
    give_back.click()  # returning needs notes: refused, the notes field has the focus
    expect(approver.get_by_role("alert")).to_have_text(
        "Bitte schreiben Sie beim Zurückgeben in die Anmerkungen, was zu ändern ist."
    )
    notes = entry.get_by_label("Anmerkungen")
    expect(notes).to_be_focused()
    assert_accessible(approver, "returning refused")
    notes.fill(NOTES)
    give_back.click()
    expect(approver.get_by_role("status")).to_have_text(f"„{BETREFF}“ (Fassung 2) zurückgegeben.")
    expect(waiting).to_have_count(0)
    expect(approver.locator("#bitten-leer")).to_be_visible()
    expect(approver.locator("#bitten-entschieden")).to_contain_text("zurückgegeben")
    expect(approver.get_by_role("heading", name="Bitten um Mitzeichnung")).to_be_focused()
    assert_accessible(approver, "returned")

    clerk.reload()
    wait_finished(clerk)
    decided = clerk.locator("#mitzeichnungen-liste > li").first
    expect(decided).to_contain_text(
        re.compile(
            rf"zurückgegeben von {APPROVER} am \d\d\.\d\d\.\d{{4}}, \d\d:\d\d mit Anmerkungen"
        )
    )
    expect(decided.locator("q")).to_have_text(NOTES)  # as text, not as an image
    expect(decided.locator("img")).to_have_count(0)
    assert_accessible(clerk, "returned, clerk")
    screenshot(clerk, "mitzeichnung-zurueckgegeben.png")

    name.fill(APPROVER)
    send.click()  # the same version again, now approved
    expect(clerk.get_by_role("status")).to_have_text(
        f"Fassung 2 ist an {APPROVER} zur Mitzeichnung gesendet."
    )
    expect(clerk.locator("#mitzeichnungen-liste > li")).to_have_count(2)
    approver.reload()
    expect(waiting).to_have_count(1)
    screenshot(approver, "mitzeichnung-bitte.png")
    waiting.first.get_by_role("button", name=re.compile("^Freigeben")).click()
    expect(approver.get_by_role("status")).to_have_text(f"„{BETREFF}“ (Fassung 2) freigegeben.")
    expect(waiting).to_have_count(0)
    clerk.reload()
    wait_finished(clerk)
    expect(clerk.locator("#mitzeichnungen-liste > li").last).to_contain_text(
        re.compile(rf"\): freigegeben von {APPROVER} am \d\d\.\d\d\.\d{{4}}, \d\d:\d\d$")
    )
    clerk_view.assert_clean()
    approver_view.assert_clean()
