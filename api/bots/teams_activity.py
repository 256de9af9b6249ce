"""A Teams activity read for the bot core, and the core's answers sent back as cards.

:func:`read_activity` takes what the Bot Framework posted (JSON) and returns an
:class:`ActivityRef` (where answers go) and, for a message, the core's
:class:`~api.bots.conversation.Incoming`:

* the user is the configured one (``bots.users`` with ``platform = "teams"``) by their
  Entra object id (``from.aadObjectId``, what an admin finds in Entra) or by their Teams id
  (``from.id``, ``29:…``), in that order;
* a **personal** chat is a direct message (the user's own rights); a channel or group chat is
  not (öffentliche Vorlagen only), and there the bot is addressed only when it is mentioned;
* the mention of the bot (``<at>…</at>``) is taken out of the text;
* a thread is the Teams conversation (in a channel its id names the thread's first post),
  the delivery is deduplicated by the activity's id.

:class:`TeamsReplier` implements :class:`~api.bots.conversation.Replier`: the first progress
posts the status card as a reply, later progress updates that card (the Bot Connector's
update-activity), and the result replaces it (a long draft continues in further cards).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any, Final

from api.bots.conversation import Incoming
from api.bots.identity import Users
from api.bots.teams_cards import (
    Card,
    attachment,
    draft_cards,
    failure_card,
    hits_card,
    status_card,
    text_card,
)
from api.bots.teams_connector import BotConnector
from api.bots.views import DraftView, Progress
from assistant.usecases.search import SearchResult

__all__ = ["ActivityError", "ActivityRef", "TeamsReplier", "read_activity", "user_id_of"]

PLATFORM: Final = "teams"
MAX_KEY = 300
MAX_ID = 1000
_AT = re.compile(r"<at>(.*?)</at>", re.I | re.S)


class ActivityError(ValueError):
    """The activity lacks what a reply needs (a programming or platform error: 400)."""


@dataclass(frozen=True)
class ActivityRef:
    """Where the answers to one activity go, and who sent it."""

    service_url: str
    conversation_id: str
    activity_id: str | None
    channel_id: str
    conversation_type: str
    bot: dict[str, Any]
    user: dict[str, Any]

    @property
    def direct(self) -> bool:
        return self.conversation_type == "personal"


@dataclass(frozen=True)
class Outbound:
    """Where the bot writes first, with no activity to answer (a Mitzeichnung asked for over
    HTTP): a Bot Connector address and the bot's own account."""

    service_url: str
    bot: dict[str, Any]

    @classmethod
    def of(cls, ref: ActivityRef) -> Outbound:
        return cls(ref.service_url, ref.bot)


def _text_field(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > MAX_ID:
        return ""
    return value


def _account(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {k: value[k] for k in ("id", "name", "aadObjectId") if isinstance(value.get(k), str)}


def reference(activity: dict[str, Any]) -> ActivityRef:
    """Where answers to ``activity`` go; :class:`ActivityError` without a service address or
    conversation."""
    conversation = activity.get("conversation")
    conversation = conversation if isinstance(conversation, dict) else {}
    service_url = _text_field(activity, "serviceUrl")
    conversation_id = _text_field(conversation, "id")
    if not service_url or not conversation_id:
        raise ActivityError("activity without serviceUrl or conversation")
    return ActivityRef(
        service_url=service_url,
        conversation_id=conversation_id,
        activity_id=_text_field(activity, "id") or None,
        channel_id=_text_field(activity, "channelId"),
        conversation_type=_text_field(conversation, "conversationType") or "personal",
        bot=_account(activity.get("recipient")),
        user=_account(activity.get("from")),
    )


def user_id_of(ref: ActivityRef, users: Users) -> str:
    """The id the user is configured under: the Entra object id when ``bots.users`` knows
    it, else the Teams id."""
    aad = ref.user.get("aadObjectId")
    if aad and users.identify(PLATFORM, aad, direct=True).known:
        return str(aad)
    return str(ref.user.get("id", ""))


def _mentions_bot(activity: dict[str, Any], bot_id: str) -> list[str]:
    """The texts (``<at>Name</at>``) with which ``activity`` mentions the bot."""
    found: list[str] = []
    entities = activity.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        mentioned = entity.get("mentioned")
        if isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            text = entity.get("text")
            found.append(text if isinstance(text, str) else "")
    return found


def _clean(text: str, mentions: list[str]) -> str:
    for mention in mentions:
        if mention:
            text = text.replace(mention, " ")
    text = _AT.sub(" ", text) if mentions else _AT.sub(r"\1", text)
    return re.sub(r"[ \t\xa0]+", " ", html.unescape(text)).strip()


def _key(value: str) -> str:
    if len(value) <= MAX_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def read_activity(activity: dict[str, Any], users: Users) -> tuple[ActivityRef, Incoming | None]:
    """The reference of ``activity`` and, for a message with text, what the core reads."""
    ref = reference(activity)
    if activity.get("type") != "message":
        return ref, None
    raw = activity.get("text")
    if not isinstance(raw, str):
        return ref, None
    mentions = _mentions_bot(activity, str(ref.bot.get("id", "")))
    conversation_key = _key(ref.conversation_id)
    incoming = Incoming(
        platform=PLATFORM,
        user_id=user_id_of(ref, users),
        text=_clean(raw, mentions),
        direct=ref.direct,
        thread_key=conversation_key,
        addressed=ref.direct or bool(mentions),
        conversation_key=conversation_key if ref.direct else None,
        event_keys=(f"teams:{conversation_key}:{ref.activity_id}",) if ref.activity_id else (),
    )
    return ref, incoming


class TeamsReplier:
    """The core's :class:`~api.bots.conversation.Replier` for one Teams activity."""

    def __init__(self, connector: BotConnector, ref: ActivityRef) -> None:
        self.connector = connector
        self.ref = ref
        self.status_id: str | None = None

    def message(self, *attachments: dict[str, Any], text: str | None = None) -> dict[str, Any]:
        """A message activity from the bot to the user in this conversation."""
        activity: dict[str, Any] = {
            "type": "message",
            "from": self.ref.bot,
            "recipient": self.ref.user,
            "conversation": {"id": self.ref.conversation_id},
            "attachments": list(attachments),
        }
        if text is not None:
            activity["text"] = text
        if self.ref.activity_id:
            activity["replyToId"] = self.ref.activity_id
        return activity

    async def send(self, content: Card) -> str | None:
        """Post ``content`` as a reply to the activity; the new activity's id."""
        return await self.connector.send(
            self.ref.service_url,
            self.ref.conversation_id,
            self.message(attachment(content)),
            reply_to=self.ref.activity_id,
        )

    async def _replace_status(self, content: Card) -> None:
        """The status card becomes ``content`` (or ``content`` is posted when there is none)."""
        if self.status_id is None:
            await self.send(content)
            return
        await self.connector.update(
            self.ref.service_url,
            self.ref.conversation_id,
            self.status_id,
            self.message(attachment(content)),
        )

    async def progress(self, update: Progress) -> None:
        content = status_card(update)
        if self.status_id is None:
            self.status_id = await self.send(content)
        else:
            await self._replace_status(content)

    async def text(self, message: str) -> None:
        await self._replace_status(text_card(message))

    async def hits(self, result: SearchResult) -> None:
        await self._replace_status(hits_card(result))

    async def draft(self, view: DraftView) -> None:
        first, *rest = draft_cards(view)
        await self._replace_status(first)
        for content in rest:
            await self.send(content)

    async def failure(self, message: str) -> None:
        await self._replace_status(failure_card(message))
