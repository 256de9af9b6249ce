"""The Teams bot's Adaptive Cards (JSON dicts): help and plain answers, search hits, the status
card of a running draft, the finished draft, failures.

**Untrusted text.** Passages, Betreffs, the model's text and even the clerk's own words go into
``TextRun``s of ``RichTextBlock``s, which Adaptive Cards never read as Markdown (a
``TextBlock`` would turn ``[hier](https://…)`` into a link). On top, :func:`neutral` removes
control characters and Teams mention tags (``<at>…</at>``) and breaks URL schemes and
``www.`` with a zero-width space, so that no client turns a passage into a link or a mention.
Links on a card come only from our own settings (``bots.public_url``: the draft and the cited
Vorlagen on the page) as ``Action.OpenUrl``.

**Size.** Teams refuses a message above about 28 KB. A card is kept below
:data:`MAX_CARD_BYTES` (its JSON, UTF-8): long texts are cut into pieces of at most
:data:`PIECE_CHARS` characters (at paragraph, then sentence, then word boundaries) and a draft
that does not fit one card continues on further cards (:func:`draft_cards`); the status card
shows the sections written so far shortened to fit.

The German wording comes from :mod:`assistant.presenter` and :mod:`assistant.presenter_bots`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from api.bots.views import DraftView, Progress
from assistant import presenter, presenter_bots
from assistant.usecases.search import SearchHit, SearchResult

__all__ = [
    "CARD_CONTENT_TYPE",
    "MAX_CARD_BYTES",
    "PIECE_CHARS",
    "VERB_WORD",
    "Card",
    "attachment",
    "card_bytes",
    "draft_cards",
    "failure_card",
    "hits_card",
    "neutral",
    "status_card",
    "text_card",
]

Card = dict[str, Any]
Element = dict[str, Any]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams: about 28 KB per message, with room for the activity around it
PIECE_CHARS = 2_500
STATUS_SECTION_CHARS = 1_200
EXCERPT_CHARS = 300
MAX_HITS = 10
VERB_WORD = "word"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MENTION = re.compile(r"</?\s*at\b[^>]*>", re.I)
_SCHEME = re.compile(r"\b(https?|ftps?|mailto|file|javascript|data|tel|sip|msteams)(?=:)", re.I)
_WWW = re.compile(r"\b(www)(?=\.)", re.I)
_ZWSP = "\u200b"


def neutral(text: str) -> str:
    """``text`` safe for a card: no control characters or bidi overrides, no mention tags,
    no scheme or ``www.`` a client would make a link of (a zero-width space breaks them)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " "))
    text = _MENTION.sub("", text)
    text = _SCHEME.sub(lambda m: m.group(1) + _ZWSP, text)
    return _WWW.sub(lambda m: m.group(1) + _ZWSP, text)


# --- elements ----------------------------------------------------------------------------------


def _rich(
    text: str, *, weight: str | None = None, size: str | None = None, **extra: Any
) -> Element:
    """A RichTextBlock with one TextRun: shown as plain text, never as Markdown."""
    run: Element = {"type": "TextRun", "text": neutral(text)}
    if weight:
        run["weight"] = weight
    if size:
        run["size"] = size
    block: Element = {"type": "RichTextBlock", "inlines": [run]}
    block.update(extra)
    return block


def _heading(text: str) -> Element:
    return _rich(text, weight="Bolder", size="Medium")


def _subheading(text: str) -> Element:
    return _rich(text, weight="Bolder", spacing="Medium")


def _note(text: str) -> Element:
    block = _rich(text)
    block["inlines"][0]["isSubtle"] = True
    return block


def _paragraphs(text: str) -> list[Element]:
    """``text`` as blocks: one per line (a line break inside a TextRun is not shown alike
    by every client), a long line in pieces of at most :data:`PIECE_CHARS` characters; a
    paragraph after an empty line gets space above it."""
    blocks: list[Element] = []
    gap = False
    for line in text.strip().splitlines():
        if not line.strip():
            gap = True
            continue
        for piece in pieces(line):
            blocks.append(_rich(piece, spacing="Medium") if gap and blocks else _rich(piece))
            gap = False
    return blocks


def pieces(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, at paragraph breaks where
    possible, else at sentence ends, else at spaces, else hard."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    parts = [part for paragraph in paragraphs for part in _split_long(paragraph.strip(), limit)]
    return _joined(parts, limit, "\n\n")


def _split_long(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text] if text else []
    for pattern in (r"(?<=[.!?;])\s+", r"\s+"):
        parts = re.split(pattern, text)
        if len(parts) > 1 and all(len(p) <= limit for p in parts):
            return _joined(parts, limit, " ")
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def _joined(parts: list[str], limit: int, separator: str) -> list[str]:
    """Consecutive ``parts`` joined by ``separator`` while the result fits ``limit``."""
    out: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = part
    if current:
        out.append(current)
    return out


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- cards -------------------------------------------------------------------------------------


def card(body: Sequence[Element], actions: Sequence[Element] = ()) -> Card:
    """An Adaptive Card of ``body`` (full width in Teams) with ``actions``."""
    content: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "msteams": {"width": "Full"},
        "body": list(body),
    }
    if actions:
        content["actions"] = list(actions)
    return content


def attachment(content: Card) -> dict[str, Any]:
    """A card as a Bot Framework attachment."""
    return {"contentType": CARD_CONTENT_TYPE, "content": content}


def card_bytes(content: Card) -> int:
    """The size of a card on the wire (JSON, UTF-8)."""
    return len(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def text_card(message: str) -> Card:
    """A plain German answer (help, questions, refinements): one block per paragraph; lines
    that start with „- “ stay lines."""
    return card(_paragraphs(message))


def failure_card(message: str) -> Card:
    """A failure, told in one German sentence."""
    block = _rich(message, weight="Bolder")
    block["inlines"][0]["color"] = "Attention"
    return card([block])


def hits_card(result: SearchResult) -> Card:
    """The hits of a search (at most :data:`MAX_HITS`), each with its best passage."""
    if not result.hits:
        return card([_rich(presenter.NO_HITS)])
    shown = result.hits[:MAX_HITS]
    body: list[Element] = [_heading(presenter_bots.search_heading(result.query, len(shown)))]
    for hit in shown:
        body.extend(_hit(hit))
    return _fitted(body, [])[0]


def _hit(hit: SearchHit) -> list[Element]:
    title = f"{hit.rank}. {presenter.hit_number(hit)} · {presenter.hit_title(hit)}"
    elements = [_subheading(title)]
    details = presenter.hit_details(hit)
    if details:
        elements.append(_note(details))
    passage = hit.passages[0] if hit.passages else None
    if passage is not None:
        excerpt = _short(presenter.passage_line(passage), EXCERPT_CHARS)
        elements.append(_rich(excerpt, spacing="Small"))
    elif hit.excerpt:
        elements.append(_rich(_short(hit.excerpt, EXCERPT_CHARS), spacing="Small"))
    return elements


def status_card(update: Progress | None) -> Card:
    """The status of a running draft: „Entwurf wird erstellt …“, the latest step (queue
    position, sources found, a section written, checked) and the sections written so far
    (shortened; the whole text follows in the result)."""
    body: list[Element] = [_heading(presenter_bots.DRAFT_STARTED)]
    if update is not None and update.text:
        body.append(_note(update.text))
    for title, text in update.sections if update is not None else ():
        body.append(_subheading(title))
        body.append(_rich(_short(text, STATUS_SECTION_CHARS)))
    return _fitted(body, [])[0]


def draft_cards(view: DraftView) -> list[Card]:
    """The finished draft: heading, check summary, Beschlussvorschlag, Sachdarstellung,
    Finanzielle Auswirkungen, the hints, findings and sources, with „Als Word-Datei“ and (with
    a public address) „Im Browser öffnen“. One card when it fits, else several; the actions are
    on the last."""
    body: list[Element] = [_heading(view.heading), _note(view.summary)]
    for hint in view.hints:
        body.append(_note(hint))
    for name, text in (
        ("beschlussvorschlag", view.beschlussvorschlag),
        ("sachdarstellung", view.sachdarstellung),
    ):
        body.append(_subheading(presenter.section_title(name)))
        body.extend(_paragraphs(text) or [_note("–")])
    if view.finanzielle_auswirkungen.strip():
        body.append(_subheading(presenter_bots.FINANCE_TITLE))
        body.extend(_paragraphs(view.finanzielle_auswirkungen))
    body.append(_subheading(presenter_bots.FINDINGS_TITLE))
    body.extend(_lines(view.findings) or [_note(presenter_bots.NO_FINDINGS)])
    if view.sources:
        body.append(_subheading(presenter_bots.SOURCES_TITLE))
        body.extend(_source_blocks(view))
    return _fitted(body, _draft_actions(view))


def _lines(lines: Iterable[str]) -> list[Element]:
    return [_rich(f"• {line}", spacing="Small") for line in lines]


def _source_blocks(view: DraftView) -> list[Element]:
    """Each source: its label, linked to the Vorlage on our page when there is a public
    address (the link is ours, ``bots.public_url``; the label stays plain text), and the
    cited passage."""
    blocks: list[Element] = []
    for source in view.sources:
        label = _rich(f"[{source.n}] {source.label}", weight="Bolder", spacing="Small")
        if source.url and source.url.startswith(("https://", "http://")):
            label["inlines"][0]["selectAction"] = {"type": "Action.OpenUrl", "url": source.url}
        blocks.append(label)
        if source.passage:
            blocks.append(_note(source.passage))
    return blocks


def _draft_actions(view: DraftView) -> list[Element]:
    actions: list[Element] = [
        {
            "type": "Action.Execute",
            "title": presenter_bots.AS_WORD,
            "verb": VERB_WORD,
            "data": {"entwurf": view.draft_id},
        }
    ]
    if view.page_url:
        actions.append(
            {
                "type": "Action.OpenUrl",
                "title": presenter_bots.OPEN_IN_BROWSER,
                "url": view.page_url,
            }
        )
    return actions


def _fitted(body: list[Element], actions: list[Element]) -> list[Card]:
    """``body`` packed into as few cards as fit :data:`MAX_CARD_BYTES`, in order; from the
    second card on a note says which part it is; ``actions`` on the last card."""
    groups: list[list[Element]] = [[]]
    reserve = card_bytes(card([_note(presenter_bots.continued(99, 99))], actions))
    size = reserve
    for element in body:
        element_size = len(json.dumps(element, ensure_ascii=False).encode("utf-8")) + 1
        if groups[-1] and size + element_size > MAX_CARD_BYTES:
            groups.append([])
            size = reserve
        groups[-1].append(element)
        size += element_size
    total = len(groups)
    cards: list[Card] = []
    for number, group in enumerate(groups, start=1):
        lead = [_note(presenter_bots.continued(number, total))] if number > 1 else []
        cards.append(card(lead + group, actions if number == total else ()))
    return cards
