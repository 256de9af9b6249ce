"""Slack Block Kit for the bot's answers: escaped, split to Slack's limits.

Every text that is not ours (passages, Betreffs, the model's text, a search query) is escaped
for mrkdwn (``&``, ``<``, ``>``: Slack's own escaping, so ``<@U123>`` or ``<http://x|hier>``
from a passage shows as typed and can neither mention anyone nor hide a link) and sent with
``verbatim`` set, so that Slack does not turn bare names or addresses into links either.

Limits (api.slack.com/reference/block-kit): 3,000 characters per section text, 150 per header,
50 blocks per message; longer texts are split at paragraph or line ends, and a long answer
goes out as several messages (:func:`messages`).
"""

from __future__ import annotations

from typing import Any

from api.bots.views import DraftView, SourceView
from assistant import presenter, presenter_bots
from assistant.usecases.search import SearchResult

__all__ = [
    "DOCX_ACTION",
    "MAX_BLOCKS",
    "MAX_TEXT",
    "OPEN_ACTION",
    "Block",
    "draft_blocks",
    "escape",
    "hits_blocks",
    "messages",
    "split_text",
    "text_blocks",
]

Block = dict[str, Any]

MAX_TEXT = 3000
MAX_HEADER = 150
MAX_BLOCKS = 50
MAX_SOURCES = 20
DOCX_ACTION = "vorlage_docx"
OPEN_ACTION = "vorlage_open"


def escape(text: str) -> str:
    """``text`` for mrkdwn: ``&``, ``<`` and ``>`` as Slack's entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` (already escaped) in pieces of at most ``limit`` characters, cut at a
    paragraph end, else a line end, else a space, else anywhere; never inside an entity."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
            amp = window.rfind("&", limit - 6)
            if amp != -1 and ";" not in window[amp:]:
                cut = amp  # do not split "&amp;"
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def _header(text: str) -> Block:
    flat = " ".join(text.split())
    if len(flat) > MAX_HEADER:
        flat = flat[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": flat, "emoji": False}}


def _titled(title: str, body: str) -> list[Block]:
    """A bold title and the escaped body, split to the limit."""
    blocks = []
    for i, piece in enumerate(split_text(escape(body) or "–", MAX_TEXT - len(title) - 8)):
        blocks.append(_section(f"*{title}*\n{piece}" if i == 0 else piece))
    return blocks


def text_blocks(text: str) -> list[Block]:
    """A plain German answer (help, questions): escaped, split."""
    return [_section(piece) for piece in split_text(escape(text))]


def _source_line(source: SourceView) -> str:
    label = escape(source.label)
    if source.url:  # our link, from the citation's own address (http/https only)
        label = f"<{escape(source.url)}|{label.replace('|', '¦')}>"
    return f"[{source.n}] {label}\n> {escape(source.passage)}"


def _sources(view: DraftView) -> list[Block]:
    if not view.sources:
        return []
    lines = [_source_line(s) for s in view.sources[:MAX_SOURCES]]
    if len(view.sources) > MAX_SOURCES:
        lines.append(presenter_bots.MORE_SOURCES.format(count=len(view.sources) - MAX_SOURCES))
    blocks: list[Block] = [_section(f"*{presenter_bots.SOURCES_TITLE}*")]
    chunk = ""
    for line in lines:
        for piece in split_text(line):
            if chunk and len(chunk) + len(piece) + 2 > MAX_TEXT:
                blocks.append(_section(chunk))
                chunk = ""
            chunk = f"{chunk}\n\n{piece}" if chunk else piece
    if chunk:
        blocks.append(_section(chunk))
    return blocks


def _actions(view: DraftView) -> Block:
    elements: list[Block] = [
        {
            "type": "button",
            "action_id": DOCX_ACTION,
            "text": {"type": "plain_text", "text": presenter_bots.AS_WORD},
            "value": view.draft_id,
        }
    ]
    if view.page_url:
        elements.append(
            {
                "type": "button",
                "action_id": OPEN_ACTION,
                "text": {"type": "plain_text", "text": presenter_bots.OPEN_IN_BROWSER},
                "url": view.page_url,
            }
        )
    return {"type": "actions", "elements": elements}


def draft_blocks(view: DraftView) -> list[Block]:
    """A finished draft: heading, Beschlussvorschlag, Sachdarstellung, Finanzielle
    Auswirkungen, the check with its findings, the sources, the buttons."""
    blocks: list[Block] = [_header(view.heading)]
    blocks += _titled(presenter.section_title("beschlussvorschlag"), view.beschlussvorschlag)
    blocks += _titled(presenter.section_title("sachdarstellung"), view.sachdarstellung)
    if view.finanzielle_auswirkungen.strip():
        blocks += _titled(presenter_bots.FINANCE_TITLE, view.finanzielle_auswirkungen)
    blocks.append({"type": "divider"})
    findings = "\n".join(f"• {line}" for line in view.findings) or presenter_bots.NO_FINDINGS
    blocks += _titled(presenter_bots.FINDINGS_TITLE, f"{view.summary}\n{findings}")
    if view.hints:
        blocks += text_blocks("\n".join(f"• {hint}" for hint in view.hints))
    blocks += _sources(view)
    blocks.append(_actions(view))
    return blocks


def hits_blocks(result: SearchResult) -> list[Block]:
    """Search hits: one section per hit with its best passage."""
    if not result.hits:
        return text_blocks(presenter.NO_HITS)
    heading = presenter_bots.search_heading(result.query, len(result.hits))
    blocks = text_blocks(heading)
    for hit in result.hits:
        line = f"*{escape(presenter.hit_line(hit))}*"
        if hit.excerpt:
            line += f"\n> {escape(' '.join(hit.excerpt.split()))}"
        blocks += [_section(piece) for piece in split_text(line)]
    return blocks


def messages(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[list[Block]]:
    """``blocks`` as messages of at most ``limit`` blocks each (the buttons stay last)."""
    return [blocks[i : i + limit] for i in range(0, len(blocks), limit)] or [[]]
