"""The Mitzeichnung in Slack (docs/bots.md, "Mitzeichnung"), beside the Slack bot
(``api/bots/slack_app.py``) on the same bolt app and the same signature check.

* **Asking**: „Mitzeichnung: Name“ (or „Mitzeichnung: @Name“) in the thread of a draft, or in
  the direct chat whose latest draft it is. A bolt middleware takes such messages before the
  bot core (deduplicated with the core's keys, so a mention sent both ways is answered once)
  and sends the draft's newest stored version to the approver
  (:class:`~api.bots.approval_desk.ApprovalDesk`).
* **The card** goes to the approver's direct chat with the bot (their Slack user from
  ``bots.users``): the draft with its findings and sources, a notes field, „Freigeben“ and
  „Zurückgeben“. The buttons carry the request's id only.
* **Deciding**: the acting Slack user is mapped through ``bots.users`` (approver role:
  ``approver = true``); the decision is stored with the version, the card shows it, and the
  clerk who asked gets a direct message. A refusal (no role, decided already, a newer version)
  is shown to the acting user alone (an ephemeral message), in German.

Every text that is not ours (Betreff, draft text, names, notes) is escaped for mrkdwn.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from api.bots import slack_blocks as blocks
from api.bots.approval_desk import (
    ApprovalDesk,
    approval_desk,
    approval_error,
    approval_id_of,
    approval_view,
)
from api.bots.identity import Identity
from api.bots.slack_app import SlackBot, _is_direct, plain_text
from api.bots.slack_reply import SlackReply
from assistant import presenter_approval as wording
from assistant.ports_approval import Approval, Decision
from assistant.usecases.approval import MAX_NOTES, ApprovalCase, read_approval_command

__all__ = [
    "APPROVE_ACTION",
    "NOTES_ACTION",
    "RETURN_ACTION",
    "SlackApproval",
    "card_messages",
    "install_slack_approval",
]

log = logging.getLogger("vorlagen.bots.slack")

APPROVE_ACTION = "mitzeichnung_freigeben"
RETURN_ACTION = "mitzeichnung_zurueckgeben"
NOTES_ACTION = "mitzeichnung_anmerkungen"
NOTES_BLOCK = "mitzeichnung_anmerkungen"
BUTTONS_BLOCK = "mitzeichnung_knoepfe"
DECISIONS: dict[str, Decision] = {APPROVE_ACTION: "freigegeben", RETURN_ACTION: "zurueckgegeben"}
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


# --- the card ---------------------------------------------------------------------------------


def _intro(case: ApprovalCase) -> list[blocks.Block]:
    approval = case.approval
    line = wording.approval_request_line(approval.requested_by, case.betreff, approval.version)
    return [
        {"type": "header", "text": {"type": "plain_text", "text": wording.APPROVAL_TITLE}},
        *blocks.text_blocks(line),
    ]


def _controls(approval_id: str) -> list[blocks.Block]:
    """The notes field and the two buttons (their value: the request's id, nothing else)."""
    notes = {
        "type": "input",
        "block_id": NOTES_BLOCK,
        "optional": True,
        "label": {"type": "plain_text", "text": wording.NOTES_LABEL},
        "element": {
            "type": "plain_text_input",
            "action_id": NOTES_ACTION,
            "multiline": True,
            "max_length": MAX_NOTES,
            "placeholder": {"type": "plain_text", "text": wording.NOTES_PLACEHOLDER},
        },
    }
    buttons = [
        (APPROVE_ACTION, wording.BUTTON_APPROVE, "primary"),
        (RETURN_ACTION, wording.BUTTON_RETURN, "danger"),
    ]
    actions = {
        "type": "actions",
        "block_id": BUTTONS_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": action,
                "text": {"type": "plain_text", "text": label},
                "style": style,
                "value": approval_id,
            }
            for action, label, style in buttons
        ],
    }
    return [notes, actions]


def _decided(approval: Approval) -> list[blocks.Block]:
    assert approval.decision is not None and approval.decided_at is not None
    line = wording.decision_line(approval.decision, approval.decided_by or "", approval.decided_at)
    if approval.notes:
        line += f"\n{wording.NOTES_LABEL}: {approval.notes}"
    return blocks.text_blocks(line)


def card_messages(
    case: ApprovalCase, public_url: str | None, decided: Approval | None = None
) -> list[list[blocks.Block]]:
    """The approver's card as Slack messages (50 blocks each): the request, the stored
    version with its findings and sources, then the notes field and the buttons (or, once
    ``decided``, the decision) at the end of the last message."""
    body = _intro(case) + blocks.draft_blocks(approval_view(case, public_url))
    tail = _decided(decided) if decided is not None else _controls(case.approval.id)
    parts = blocks.messages(body)
    if len(parts[-1]) + len(tail) <= blocks.MAX_BLOCKS:
        parts[-1] = parts[-1] + tail
    else:
        parts.append(tail)
    return parts


# --- the adapter ------------------------------------------------------------------------------


def _state_notes(body: dict[str, Any]) -> str | None:
    values = ((body.get("state") or {}).get("values") or {}).get(NOTES_BLOCK) or {}
    value = (values.get(NOTES_ACTION) or {}).get("value")
    return value if isinstance(value, str) else None


class SlackApproval:
    """The Mitzeichnung's listeners on a :class:`SlackBot` (see the module docstring)."""

    def __init__(self, bot: SlackBot, desk: ApprovalDesk) -> None:
        self.bot = bot
        self.desk = desk
        bot.app.middleware(self._asking)
        bot.app.action(APPROVE_ACTION)(self._on_button)
        bot.app.action(RETURN_ACTION)(self._on_button)

    # --- asking ------------------------------------------------------------------------------

    async def _asking(
        self,
        body: dict[str, Any],
        context: dict[str, Any],
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Take „Mitzeichnung: Name“ messages; everything else goes on to the bot."""
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict) or event.get("type") not in ("app_mention", "message"):
            return await next()
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return await next()
        raw = str(event.get("text", ""))
        name = read_approval_command(plain_text(raw))
        if name is None:
            return await next()
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        direct = _is_direct(channel, event.get("channel_type"))
        thread_ts = str(event.get("thread_ts") or ts)
        bot_user = str(context.get("bot_user_id") or "")
        mentioned = event.get("type") == "app_mention" or (
            bool(bot_user) and f"<@{bot_user}" in raw
        )
        draft_id = await self._draft_of(channel, thread_ts, direct)
        if not (direct or mentioned or draft_id):
            return await next()  # channel talk that is not for the bot
        conversation = self.bot.conversation
        keys = (f"slack:event:{body.get('event_id', '')}", f"slack:msg:{channel}:{ts}")
        if conversation.seen.first_time(keys):
            identity = conversation.context.users.identify(
                "slack", str(event["user"]), direct=direct
            )
            name = name or self._mentioned_name(raw, bot_user)
            reply = SlackReply(self.bot.client, channel, thread_ts)
            self.bot.spawn(self._ask(identity, draft_id, name, reply))
        return BoltResponse(status=200, body="")

    async def _draft_of(self, channel: str, thread_ts: str, direct: bool) -> str | None:
        threads = self.bot.conversation.context.threads
        found = await asyncio.to_thread(threads.draft_of, "slack", f"{channel}:{thread_ts}")
        if found is None and direct:
            found = await asyncio.to_thread(threads.draft_of, "slack", channel)
        return found

    def _mentioned_name(self, raw: str, bot_user: str) -> str:
        """„Mitzeichnung: @bruno“: the configured name of the one user mentioned."""
        users = self.bot.conversation.context.users
        mentioned = [u for u in _USER_MENTION.findall(raw) if u != bot_user]
        if len(mentioned) != 1:
            return ""
        identity = users.identify("slack", mentioned[0], direct=False)
        return identity.name if identity.known else ""

    async def _ask(
        self, identity: Identity, draft_id: str | None, name: str, reply: SlackReply
    ) -> None:
        try:
            if draft_id is None:
                await reply.text(wording.APPROVAL_NEEDS_DRAFT)
                return
            if not name:
                await reply.text(wording.APPROVER_MISSING)
                return
            case = await self.desk.ask(identity, draft_id, name, "slack")
            delivered = await self.deliver(case)
            await reply.text(
                wording.approval_sent(name, case.approval.version, delivered=delivered)
            )
        except Exception as err:  # told in German
            await reply.failure(approval_error(err))

    async def deliver(self, case: ApprovalCase) -> bool:
        """The card in the approver's direct chat with the bot; False when the approver has
        no Slack user."""
        user = self.desk.platform_user("slack", case.approval.approver)
        if user is None:
            return False
        fallback = blocks.escape(
            wording.approval_request_line(
                case.approval.requested_by, case.betreff, case.approval.version
            )
        )[: blocks.MAX_TEXT]
        posted: dict[str, Any] = {}
        for part in card_messages(case, self.desk.public_url):
            response = await self.bot.client.chat_postMessage(
                channel=user, text=fallback, blocks=part, unfurl_links=False, unfurl_media=False
            )
            posted = {"channel": response.get("channel"), "ts": response.get("ts")}
        await self.desk.record_card(case.approval.id, f"slack:{posted['channel']}:{posted['ts']}")
        return True

    # --- deciding ----------------------------------------------------------------------------

    async def _on_button(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        await ack()
        self.bot.spawn(self._decide(body))

    async def _decide(self, body: dict[str, Any]) -> None:
        channel = str((body.get("channel") or {}).get("id", ""))
        user = str((body.get("user") or {}).get("id", ""))
        message_ts = str((body.get("message") or {}).get("ts", ""))
        action = (body.get("actions") or [{}])[0]
        decision = DECISIONS.get(str(action.get("action_id", "")))
        approval_id = approval_id_of(action.get("value"))
        identity = self.bot.conversation.context.users.identify(
            "slack", user, direct=_is_direct(channel)
        )
        try:
            if decision is None or approval_id is None:
                raise LookupError(wording.MISSING_APPROVAL)
            decided = await self.desk.decide(identity, approval_id, decision, _state_notes(body))
            case = await self.desk.case(identity, approval_id)
        except Exception as err:
            message = str(err) if isinstance(err, LookupError) else approval_error(err)
            await self._tell_alone(channel, user, message)
            return
        await self._show_decision(channel, message_ts, case, decided)
        await self._tell_requester(case, decided)

    async def _show_decision(
        self, channel: str, ts: str, case: ApprovalCase, decided: Approval
    ) -> None:
        assert decided.decision is not None and decided.decided_at is not None
        last = card_messages(case, self.desk.public_url, decided)[-1]
        text = wording.decision_line(decided.decision, decided.decided_by or "", decided.decided_at)
        try:
            await self.bot.client.chat_update(
                channel=channel, ts=ts, text=blocks.escape(text), blocks=last
            )
        except SlackApiError as err:  # the decision is stored; the card keeps its buttons
            log.warning("Slack: Karte nicht aktualisiert (%s)", err.response.get("error"))

    async def _tell_requester(self, case: ApprovalCase, decided: Approval) -> None:
        user = self.desk.platform_user("slack", decided.requested_by)
        if user is None:
            return
        notice = wording.decision_notice(
            decided.decision or "",
            decided.decided_by or "",
            case.betreff,
            decided.version,
            decided.notes,
        )
        try:
            await self.bot.client.chat_postMessage(
                channel=user, text=blocks.escape(notice), blocks=blocks.text_blocks(notice)
            )
        except SlackApiError as err:
            log.warning("Slack: Entscheidung nicht gemeldet (%s)", err.response.get("error"))

    async def _tell_alone(self, channel: str, user: str, message: str) -> None:
        try:
            await self.bot.client.chat_postEphemeral(
                channel=channel, user=user, text=blocks.escape(message)
            )
        except SlackApiError as err:
            log.warning("Slack: Hinweis nicht zugestellt (%s)", err.response.get("error"))


def install_slack_approval(app: FastAPI, bot: SlackBot) -> SlackApproval:
    """The Mitzeichnung on the mounted Slack bot, with the app's approval archive and
    approvers (``create_app`` sets them on ``app.state``)."""
    approval = SlackApproval(bot, approval_desk(app, bot.conversation.context))
    # requests made over HTTP reach a Slack approver too (api/routes/approval.py)
    app.state.approval_notifiers = [*getattr(app.state, "approval_notifiers", []), approval.deliver]
    app.state.slack_approval = approval
    return approval
