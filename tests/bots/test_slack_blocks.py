"""Block Kit of the Slack bot: untrusted text cannot mention or link, and long drafts are split
to Slack's limits (3,000 characters per text, 50 blocks per message)."""

from __future__ import annotations

import json

from api.bots import slack_blocks as blocks
from api.bots.views import DraftView, SourceView
from assistant.usecases.search import SearchHit, SearchResult

HOSTILE = "Siehe <@U0ADMIN> und <!channel>: <https://böse.example|hier klicken> & mehr"


def _view(**changes: object) -> DraftView:
    base = {
        "draft_id": "d" * 32,
        "heading": "Entwurf: Neubau Kita",
        "beschlussvorschlag": "Der Gemeinderat beschließt den Neubau.",
        "sachdarstellung": "Die Kita ist zu klein [1].",
        "finanzielle_auswirkungen": "2,4 Mio. Euro",
        "summary": "Der Entwurf hat die Prüfung bestanden.",
        "findings": ("Hinweis [dates]: Datum prüfen",),
        "sources": (SourceView(1, "2023/0815 · Kita Nord (Stadt Karlsruhe)", HOSTILE),),
        "page_url": "https://vorlagen.example/entwurf/" + "d" * 32,
    }
    return DraftView(**{**base, **changes})  # type: ignore[arg-type]


def _texts(content: list[blocks.Block]) -> list[str]:
    return [b["text"]["text"] for b in content if b.get("type") == "section"]


def test_hostile_text_is_escaped_and_verbatim() -> None:
    content = blocks.draft_blocks(_view(sachdarstellung=HOSTILE, heading=f"Entwurf: {HOSTILE}"))
    for block in content:
        if block["type"] == "section":
            assert block["text"]["verbatim"] is True
    dumped = json.dumps(_texts(content), ensure_ascii=False)
    for raw in ("<@U0ADMIN>", "<!channel>", "<https://böse.example|"):
        assert raw not in dumped
    assert "&lt;@U0ADMIN&gt;" in dumped and "&amp; mehr" in dumped
    hits = blocks.hits_blocks(
        SearchResult(
            query=HOSTILE,
            hits=[SearchHit(rank=1, id="x", betreff=HOSTILE, score=0.5, excerpt=HOSTILE)],
        )
    )
    assert "<@U0ADMIN>" not in json.dumps(hits)


def test_the_draft_has_its_parts_and_buttons() -> None:
    content = blocks.draft_blocks(_view())
    text = "\n".join(_texts(content))
    for part in ("*Beschlussvorschlag*", "*Sachdarstellung*", "*Prüfung*", "*Quellen*"):
        assert part in text
    assert "[1] 2023/0815 · Kita Nord" in text and "Hinweis [dates]" in text
    actions = content[-1]
    assert actions["type"] == "actions"
    word, page = actions["elements"]
    assert word["action_id"] == blocks.DOCX_ACTION and word["value"] == "d" * 32
    assert page["url"].endswith("/entwurf/" + "d" * 32)
    assert len(blocks.draft_blocks(_view(page_url=None))[-1]["elements"]) == 1


def test_long_drafts_are_split_to_slacks_limits() -> None:
    paragraph = "Die Verwaltung schlägt vor & begründet. " * 40  # ~1,600 characters
    long = "\n\n".join([paragraph] * 40)  # ~64,000 characters
    sources = tuple(SourceView(n, f"2023/{n:04d}", paragraph) for n in range(1, 31))
    content = blocks.draft_blocks(_view(sachdarstellung=long, sources=sources))
    assert len(content) > blocks.MAX_BLOCKS
    for block in content:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= blocks.MAX_TEXT
    parts = blocks.messages(content)
    assert len(parts) >= 2 and all(len(p) <= blocks.MAX_BLOCKS for p in parts)
    assert [b for p in parts for b in p] == content
    assert parts[-1][-1]["type"] == "actions"
    joined = "".join(_texts(content))
    assert "&amp" in joined and "&am\n" not in joined


def test_split_never_cuts_an_entity() -> None:
    text = "x" * 2997 + "&amp;" + "y" * 10
    pieces = blocks.split_text(text)
    assert pieces[0] == "x" * 2997 and pieces[1].startswith("&amp;")
