"""„Kopieren für Word“ in Debian's Chromium against the real app: the draft on the clipboard as
text/html (the html export: headings, escaped text) and as plain text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveApp, RecordedPage
from tests.web.steps import BETREFF, EDIT, assert_accessible, fill_form, wait_finished

pytestmark = [pytest.mark.slow, pytest.mark.browser]

READ_CLIPBOARD = """async () => {
    const [item] = await navigator.clipboard.read();
    const read = async (type) => item.types.includes(type)
        ? await (await item.getType(type)).text() : null;
    return {types: item.types, html: await read('text/html'), text: await read('text/plain')};
}"""


def clipboard(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(READ_CLIPBOARD)
    return result


def test_copy_for_word_puts_formatted_html_on_the_clipboard(live: LiveApp, page_of: Any) -> None:
    recorded: RecordedPage = page_of(live.url)
    page = recorded.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    fill_form(page)  # without Finanzielle Auswirkungen: an error, so a confirmation first
    page.get_by_role("button", name="Entwurf schreiben").click()
    wait_finished(page)
    area = page.get_by_label("Sachdarstellung")
    area.fill(area.input_value() + "\n\n" + EDIT + "\n- erstens <b>fett</b>\n- zweitens")
    page.get_by_role("button", name="Kopieren für Word").click()
    confirm = page.get_by_role("button", name=re.compile("Trotzdem exportieren"))
    expect(confirm).to_be_focused()
    expect(page.locator("#bestaetigung-text")).to_contain_text("nicht exportiert")
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text(
        "Der Entwurf ist in der Zwischenablage; in Word mit Strg+V einfügen (mit Prüfhinweisen)."
    )
    copied = clipboard(page)
    html, text = copied["html"], copied["text"]
    assert "text/html" in copied["types"] and "text/plain" in copied["types"]
    assert f"<h1>Beschlussvorlage: {BETREFF}</h1>" in html
    assert "<h2>Prüfhinweise</h2>" in html and "<h2>Sachdarstellung</h2>" in html
    assert "<li>erstens &lt;b&gt;fett&lt;/b&gt;</li><li>zweitens</li>" in html
    assert EDIT in text and "Sachdarstellung" in text and "<h2>" not in text
    assert_accessible(page, "copied for Word")

    # with the errors fixed (the "<b>" counts as a placeholder): copied at once, by keyboard
    page.locator("#feld-finanzielle_auswirkungen").fill("Keine.")
    area.fill(area.input_value().replace(" <b>fett</b>", ""))
    page.get_by_role("button", name="Kopieren für Word").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        "Der Entwurf ist in der Zwischenablage; in Word mit Strg+V einfügen."
    )
    expect(confirm).to_be_hidden()
    assert "Prüfhinweise" not in clipboard(page)["html"]
    recorded.assert_clean()
