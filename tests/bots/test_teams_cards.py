"""The Teams bot's Adaptive Cards (api/bots/teams_cards.py): wording, neutralised text, size."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from api.bots.teams_cards import (
    MAX_CARD_BYTES,
    PIECE_CHARS,
    VERB_WORD,
    attachment,
    card_bytes,
    draft_cards,
    failure_card,
    hits_card,
    neutral,
    pieces,
    status_card,
    text_card,
)
from api.bots.views import DraftView, Progress, SourceView
from assistant import presenter_bots
from assistant.usecases.chat import HELP
from assistant.usecases.search import SearchHit, SearchPassage, SearchResult

INJECTION = (
    "Siehe [hier klicken](https://evil.example/x) und <at>Alle</at>, "
    "**fett**, www.evil.example, mailto:a@b.de\x07\u202e"
)


def card_texts(content: Any) -> list[str]:
    """Every text a card shows (TextRuns and TextBlocks), in order."""
    found: list[str] = []
    if isinstance(content, dict):
        if content.get("type") in ("TextRun", "TextBlock"):
            found.append(content["text"])
        for value in content.values():
            found.extend(card_texts(value))
    elif isinstance(content, list):
        for value in content:
            found.extend(card_texts(value))
    return found


def _links(content: Any) -> list[str]:
    """Every address a card opens (``Action.OpenUrl`` anywhere), in order."""
    if isinstance(content, dict):
        own = [content["url"]] if content.get("type") == "Action.OpenUrl" else []
        return own + [u for v in content.values() for u in _links(v)]
    if isinstance(content, list):
        return [u for v in content for u in _links(v)]
    return []


def _types(content: Any) -> set[str]:
    if isinstance(content, dict):
        own = {content["type"]} if isinstance(content.get("type"), str) else set()
        return own.union(*(_types(v) for v in content.values()))
    if isinstance(content, list):
        return set().union(*(_types(v) for v in content))
    return set()


def _view(**changes: Any) -> DraftView:
    values: dict[str, Any] = {
        "draft_id": "d-42",
        "heading": "Entwurf: Fortschreibung Integrationskonzept",
        "beschlussvorschlag": "Der Rat beschließt die Fortschreibung des Integrationskonzepts.",
        "sachdarstellung": (
            "Das Integrationskonzept stammt aus dem Jahr 2015 [1].\n\nEs wird fortgeschrieben."
        ),
        "finanzielle_auswirkungen": "Keine.",
        "summary": "Der Entwurf hat die Prüfung bestanden, 1 Hinweis(e).",
        "findings": ("Hinweis [style]: Satz zu lang (Stelle: Sachdarstellung)",),
        "sources": (
            SourceView(1, "2015/0815 · Integrationskonzept (Stadt Musterstadt)", "Das Konzept …"),
        ),
        "page_url": "https://vorlagen.example.de/entwurf/d-42",
    }
    values.update(changes)
    return DraftView(**values)


def test_neutral_removes_links_mentions_and_controls() -> None:
    text = neutral(INJECTION)
    assert "https://" not in text and "www." not in text and "mailto:" not in text
    assert "<at>" not in text and "</at>" not in text
    assert "\x07" not in text and "\u202e" not in text
    assert "Alle" in text and "hier klicken" in text  # the words stay readable


def test_untrusted_text_is_never_markdown() -> None:
    source_url = "https://vorlagen.example.de/vorlage/abc"
    view = _view(
        beschlussvorschlag=INJECTION,
        sources=(SourceView(1, INJECTION, INJECTION, url=source_url),),
        findings=(INJECTION,),
    )
    for content in draft_cards(view):
        # only RichTextBlocks with TextRuns: Adaptive Cards never read a TextRun as Markdown
        assert "TextBlock" not in _types(content)
        dumped = json.dumps(content)
        assert "https://evil" not in dumped and "<at>" not in dumped
    # the only links are our page's: the draft (an action) and the cited Vorlage
    assert _links(draft_cards(view)) == [source_url, "https://vorlagen.example.de/entwurf/d-42"]


def test_draft_card_shows_sections_findings_sources_and_actions() -> None:
    cards = draft_cards(_view())
    assert len(cards) == 1
    content = cards[0]
    texts = card_texts(content)
    for expected in (
        "Entwurf: Fortschreibung Integrationskonzept",
        "Beschlussvorschlag",
        "Der Rat beschließt die Fortschreibung des Integrationskonzepts.",
        "Sachdarstellung",
        "Das Integrationskonzept stammt aus dem Jahr 2015 [1].",
        "Es wird fortgeschrieben.",
        "Finanzielle Auswirkungen",
        "Prüfung",
        "• Hinweis [style]: Satz zu lang (Stelle: Sachdarstellung)",
        "Quellen",
        "[1] 2015/0815 · Integrationskonzept (Stadt Musterstadt)",
    ):
        assert expected in texts
    actions = content["actions"]
    assert actions[0] == {
        "type": "Action.Execute",
        "title": "Als Word-Datei",
        "verb": VERB_WORD,
        "data": {"entwurf": "d-42"},
    }
    assert actions[1]["title"] == "Im Browser öffnen"
    assert attachment(content)["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_without_public_url_there_is_no_browser_action() -> None:
    actions = draft_cards(_view(page_url=None))[0]["actions"]
    assert [a["title"] for a in actions] == ["Als Word-Datei"]


def test_long_draft_is_split_across_cards_within_the_size_limit() -> None:
    sentence = "Die Verwaltung prüft die Förderung nach § 12 mit 2.400.000 Euro im Jahr 2027. "
    long_text = "\n\n".join(sentence * 30 for _ in range(20))  # about 47,000 characters
    view = _view(sachdarstellung=long_text)
    cards = draft_cards(view)
    assert len(cards) >= 3
    assert all(card_bytes(c) <= MAX_CARD_BYTES for c in cards)
    assert "actions" in cards[-1] and all("actions" not in c for c in cards[:-1])
    assert card_texts(cards[1])[0] == presenter_bots.continued(2, len(cards))
    # nothing lost: the pieces put together are the text (paragraphs as written)
    shown = [t for c in cards for t in card_texts(c) if t.startswith("Die Verwaltung")]
    assert "\n\n".join(shown).replace("\n\n", " ").split() == long_text.split()


def test_pieces_cut_at_sentences_then_words() -> None:
    text = ("Ein Satz mit einigen Wörtern. " * 200).strip()
    parts = pieces(text)
    assert all(len(p) <= PIECE_CHARS for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()
    no_spaces = "x" * (PIECE_CHARS * 2 + 5)
    assert [len(p) for p in pieces(no_spaces)] == [PIECE_CHARS, PIECE_CHARS, 5]


def test_status_card_moves_through_the_steps() -> None:
    first = status_card(None)
    assert card_texts(first) == [presenter_bots.DRAFT_STARTED]
    queued = status_card(Progress("queued", presenter_bots.queue_position(3)))
    assert presenter_bots.queue_position(3) in card_texts(queued)
    sources = status_card(Progress("sources", "4 Quellen gefunden; das Sprachmodell schreibt …"))
    assert "4 Quellen gefunden; das Sprachmodell schreibt …" in card_texts(sources)
    section = status_card(
        Progress(
            "section",
            presenter_bots.section_finished("Sachdarstellung"),
            (("Sachdarstellung", "Text " * 2000),),
        )
    )
    texts = card_texts(section)
    assert texts[:3] == [
        presenter_bots.DRAFT_STARTED,
        "Sachdarstellung ist geschrieben.",
        "Sachdarstellung",
    ]
    assert texts[3].endswith("…") and len(texts[3]) <= 1200
    assert card_bytes(section) <= MAX_CARD_BYTES


def test_hits_card_lists_hits_with_their_passage() -> None:
    hit = SearchHit(
        rank=1,
        id="v1",
        vorlagen_nr="2023/0815",
        betreff="Kita <at>Alle</at> Lindenweg",
        kommune="Stadt Musterstadt",
        datum=date(2023, 3, 4),
        score=0.03,
        excerpt="…",
        passages=[
            SearchPassage(
                chunk_id="v1:s:0",
                section="sachdarstellung",
                score=0.03,
                excerpt="Neubau [x](http://e.vil)",
            )
        ],
    )
    content = hits_card(SearchResult(query="Kita", hits=[hit]))
    texts = card_texts(content)
    assert texts[0] == presenter_bots.search_heading("Kita", 1)
    assert "1. 2023/0815 · Kita Alle Lindenweg" in texts
    assert "Stadt Musterstadt, 04.03.2023" in texts
    assert "Sachdarstellung: Neubau [x](http\u200b://e.vil)" in texts
    assert card_texts(hits_card(SearchResult(query="x", hits=[]))) == [
        "Keine passenden Vorlagen gefunden."
    ]


def test_text_and_failure_cards() -> None:
    texts = card_texts(text_card(HELP))
    assert texts[0] == "So arbeiten Sie mit dem Vorlagen-Assistenten:"
    assert any(t.startswith("- „Suche: <Stichworte>“") for t in texts)
    failure = failure_card("Der Entwurf ist fehlgeschlagen; bitte erneut versuchen.")
    run = failure["body"][0]["inlines"][0]
    assert run["text"] == "Der Entwurf ist fehlgeschlagen; bitte erneut versuchen."
    assert run["color"] == "Attention"
