"""The HTML export („Kopieren für Word“): escaped, with headings, tables and lists."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from assistant.export import ExportRefused, export
from assistant.schema import ValidationReport
from tests.assistant.test_export import GROUNDED, STYLE, TODAY, make_draft


class Outline(HTMLParser):
    """The tags in order, the text, and whether every opened element was closed."""

    VOID = frozenset({"br", "meta"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.mismatched.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outline(data: bytes) -> Outline:
    parser = Outline()
    parser.feed(data.decode("utf-8"))
    parser.close()
    assert parser.mismatched == [] and parser.open == []
    return parser


def test_headings_tables_paragraphs_and_escaped_text() -> None:
    data = export(make_draft(), "html", today=TODAY)
    page = outline(data)
    html = data.decode("utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="de">' in html
    assert "<h1>Beschlussvorlage: Fortschreibung des Integrationskonzepts</h1>" in html
    for heading in ("Beratungsfolge", "Beschlussvorschlag", "Sachdarstellung", "Quellen"):
        assert f"<h2>{heading}</h2>" in html
    assert "Prüfhinweise" not in html
    # escaped: the "&" and "<Bericht>" of the Beschlussvorschlag stay text
    assert "jährlich zu berichten &amp; &lt;Bericht&gt; vorzulegen." in html
    assert "bericht" not in page.tags
    # a blank line is a new paragraph, a single line break a <br>
    assert "<p>Das Integrationskonzept wurde im Sozialausschuss vorberaten [1].<br>" in html
    assert "<th" in html and "Sozialausschuss" in "".join(page.text)
    assert "<script" not in html and "class=" not in html and "style=" not in html


def test_lists_become_word_lists() -> None:
    sach = (
        "Die Maßnahmen:\n- Sprachkurse ausbauen\n- Beratung <vor Ort>\n\n"
        "1. Bericht im Ausschuss\n2) Beschluss im Rat\n\nDanach weiter."
    )
    draft = make_draft().model_copy(update={"sachdarstellung": sach})
    html = export(draft, "html", today=TODAY).decode("utf-8")
    outline(html.encode("utf-8"))
    assert (
        "<p>Die Maßnahmen:</p>\n<ul><li>Sprachkurse ausbauen</li>"
        "<li>Beratung &lt;vor Ort&gt;</li></ul>"
    ) in html
    assert "<ol><li>Bericht im Ausschuss</li><li>Beschluss im Rat</li></ol>" in html
    assert "<p>Danach weiter.</p>" in html


def test_refused_with_errors_unless_forced_then_with_the_findings() -> None:
    failing = make_draft(ValidationReport.from_findings([GROUNDED, STYLE]))
    with pytest.raises(ExportRefused):
        export(failing, "html")
    html = export(failing, "html", force=True, today=TODAY).decode("utf-8")
    outline(html.encode("utf-8"))
    assert html.index("<h2>Prüfhinweise</h2>") < html.index("<h1>")
    assert "„2018“" in html and "Der Text ist sehr kurz." in html
