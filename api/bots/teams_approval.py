"""The Mitzeichnung in Teams (docs/bots.md, "Mitzeichnung"), plugged into the Teams bot
(``api/bots/teams_app.py``) through its message hook and card actions, behind the same
Bot Framework token check.

* **Asking**: „Mitzeichnung: Name“ in the conversation of a draft (a personal chat, or a
  channel thread with the bot mentioned): the draft's newest stored version goes to the
  approver (:class:`~api.bots.approval_desk.ApprovalDesk`).
* **The card** goes to the approver's personal chat with the bot (a conversation the bot
  opens through the Bot Connector, for the approver's id in ``bots.users``): the draft with its
  findings and sources, a notes field, „Freigeben“ and „Zurückgeben“ (``Action.Execute``; the
  data names the request's id only, Teams adds the typed notes).
* **Deciding**: the acting Teams user is mapped through ``bots.users`` (approver role:
  ``approver = true``); the decision is stored with the version, the card is updated to show
  it, and the clerk who asked gets a personal message. A refusal is the German message Teams
  shows beside the card.

Every text goes through :mod:`api.bots.teams_cards` (plain ``TextRun``s, links and mentions
neutralised).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI

from api.bots.approval_desk import (
    ApprovalDesk,
    approval_desk,
    approval_error,
    approval_id_of,
    approval_view,
)
from api.bots.conversation import Incoming
from api.bots.teams_activity import ActivityRef, Outbound, TeamsReplier, user_id_of
from api.bots.teams_app import TeamsBot
from api.bots.teams_cards import Card, attachment, draft_cards, text_card
from assistant import presenter_approval as wording
from assistant.ports_approval import Approval, Decision
from assistant.usecases.approval import MAX_NOTES, ApprovalCase, read_approval_command

__all__ = [
    "NOTES_INPUT",
    "VERB_APPROVE",
    "VERB_RETURN",
    "TeamsApproval",
    "approval_cards",
    "install_teams_approval",
]

log = logging.getLogger("vorlagen.teams")

VERB_APPROVE = "mitzeichnung_freigeben"
VERB_RETURN = "mitzeichnung_zurueckgeben"
NOTES_INPUT = "anmerkungen"
DATA_KEY = "mitzeichnung"
REF_PREFIX = "teams:"


# --- the card ---------------------------------------------------------------------------------


def _buttons(approval_id: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "Action.Execute",
            "title": title,
            "verb": verb,
            "style": style,
            "data": {DATA_KEY: approval_id},
        }
        for verb, title, style in (
            (VERB_APPROVE, wording.BUTTON_APPROVE, "positive"),
            (VERB_RETURN, wording.BUTTON_RETURN, "destructive"),
        )
    ]


def _decided(approval: Approval) -> list[dict[str, Any]]:
    assert approval.decision is not None and approval.decided_at is not None
    line = wording.decision_line(approval.decision, approval.decided_by or "", approval.decided_at)
    if approval.notes:
        line += f"\n{wording.NOTES_LABEL}: {approval.notes}"
    body: list[dict[str, Any]] = text_card(line)["body"]
    return body


def approval_cards(
    case: ApprovalCase, public_url: str | None, decided: Approval | None = None
) -> list[Card]:
    """The approver's card(s): the request, the stored version with its findings and
    sources (:func:`~api.bots.teams_cards.draft_cards`), then on the last card the notes field
    and the two buttons, or, once ``decided``, the decision."""
    approval = case.approval
    cards = draft_cards(approval_view(case, public_url))
    intro = text_card(
        f"{wording.APPROVAL_TITLE}\n"
        + wording.approval_request_line(approval.requested_by, case.betreff, approval.version)
    )["body"]
    intro[0]["inlines"][0].update(weight="Bolder", size="Medium")
    cards[0]["body"] = [*intro, *cards[0]["body"]]
    last = cards[-1]
    if decided is not None:
        last["body"] = [*last["body"], *_decided(decided)]
        return cards
    notes = {
        "type": "Input.Text",
        "id": NOTES_INPUT,
        "label": wording.NOTES_LABEL,
        "placeholder": wording.NOTES_PLACEHOLDER,
        "isMultiline": True,
        "maxLength": MAX_NOTES,
    }
    last["body"] = [*last["body"], notes]
    last["actions"] = [*last.get("actions", []), *_buttons(approval.id)]
    return cards


# --- the adapter ------------------------------------------------------------------------------


def _card_ref(conversation_id: str, activity_id: str) -> str:
    return REF_PREFIX + json.dumps([conversation_id, activity_id])


def _read_card_ref(ref: str | None) -> tuple[str, str] | None:
    if not ref or not ref.startswith(REF_PREFIX):
        return None
    try:
        conversation_id, activity_id = json.loads(ref[len(REF_PREFIX) :])
    except ValueError:
        return None
    return str(conversation_id), str(activity_id)


class TeamsApproval:
    """The Mitzeichnung's hook and card actions on a :class:`TeamsBot`."""

    def __init__(self, bot: TeamsBot, desk: ApprovalDesk, tenant_id: str | None) -> None:
        self.bot = bot
        self.desk = desk
        self.tenant_id = tenant_id
        bot.message_hooks.append(self.on_message)
        bot.card_actions[VERB_APPROVE] = self.on_approve
        bot.card_actions[VERB_RETURN] = self.on_return

    # --- asking ------------------------------------------------------------------------------

    async def on_message(self, ref: ActivityRef, incoming: Incoming, replier: TeamsReplier) -> bool:
        """„Mitzeichnung: Name“: True when taken (answered here, not by the core)."""
        name = read_approval_command(incoming.text)
        if name is None:
            return False
        draft_id = await self._draft_of(incoming)
        if not incoming.addressed and draft_id is None:
            return False  # channel talk that is not for the bot
        conversation = self.bot.conversation
        if not conversation.seen.first_time(incoming.event_keys):
            return True
        identity = conversation.context.users.identify(
            "teams", incoming.user_id, direct=incoming.direct
        )
        try:
            if draft_id is None:
                await replier.text(wording.APPROVAL_NEEDS_DRAFT)
                return True
            if not name:
                await replier.text(wording.APPROVER_MISSING)
                return True
            case = await self.desk.ask(identity, draft_id, name, "teams")
            delivered = await self._deliver(case, Outbound.of(ref))
            await replier.text(
                wording.approval_sent(name, case.approval.version, delivered=delivered)
            )
        except Exception as err:  # told in German
            await replier.failure(approval_error(err))
        return True

    async def _draft_of(self, incoming: Incoming) -> str | None:
        threads = self.bot.conversation.context.threads
        found = await asyncio.to_thread(threads.draft_of, "teams", incoming.thread_key)
        if found is None and incoming.conversation_key:
            found = await asyncio.to_thread(threads.draft_of, "teams", incoming.conversation_key)
        return found

    async def _personal(self, to: Outbound, user: str) -> str:
        """The bot's personal conversation with ``user`` (opened through the connector)."""
        return await self.bot.connector.create_conversation(
            to.service_url, to.bot, user, self.tenant_id
        )

    def _message(self, to: Outbound, conversation_id: str, content: Card) -> dict[str, Any]:
        return {
            "type": "message",
            "from": to.bot,
            "conversation": {"id": conversation_id},
            "attachments": [attachment(content)],
        }

    async def deliver(self, case: ApprovalCase) -> bool:
        """The card for a request made elsewhere (over HTTP, from the page), at the address of
        the last activity the bot received, else ``bots.teams.service_url``; False when the
        approver has no Teams user or no address is known yet (the request stays stored)."""
        to = self.bot.outbound
        if to is None:
            if self.desk.platform_user("teams", case.approval.approver) is not None:
                log.info("Teams: Mitzeichnungskarte nicht gesendet, keine Connector-Adresse")
            return False
        return await self._deliver(case, to)

    async def _deliver(self, case: ApprovalCase, to: Outbound) -> bool:
        """The card in the approver's personal chat; False when the approver has no Teams
        user in ``bots.users``."""
        user = self.desk.platform_user("teams", case.approval.approver)
        if user is None:
            return False
        conversation_id = await self._personal(to, user)
        activity_id = None
        for content in approval_cards(case, self.desk.public_url):
            message = self._message(to, conversation_id, content)
            activity_id = await self.bot.connector.send(to.service_url, conversation_id, message)
        if activity_id:
            await self.desk.record_card(case.approval.id, _card_ref(conversation_id, activity_id))
        return True

    # --- deciding ----------------------------------------------------------------------------

    async def on_approve(self, ref: ActivityRef, data: dict[str, Any]) -> str:
        return await self._decide(ref, data, "freigegeben")

    async def on_return(self, ref: ActivityRef, data: dict[str, Any]) -> str:
        return await self._decide(ref, data, "zurueckgegeben")

    async def _decide(self, ref: ActivityRef, data: dict[str, Any], decision: Decision) -> str:
        """Store the decision; the answer Teams shows beside the card (German)."""
        approval_id = approval_id_of(data.get(DATA_KEY))
        notes = data.get(NOTES_INPUT)
        users = self.bot.conversation.context.users
        identity = users.identify("teams", user_id_of(ref, users), direct=ref.direct)
        try:
            if approval_id is None:
                return wording.MISSING_APPROVAL
            decided = await self.desk.decide(
                identity, approval_id, decision, notes if isinstance(notes, str) else None
            )
            case = await self.desk.case(identity, approval_id)
        except Exception as err:
            return approval_error(err)
        await self._show(ref, case, decided)
        await self._tell_requester(ref, case, decided)
        assert decided.decided_at is not None
        return wording.decision_line(decision, identity.name, decided.decided_at)

    async def _show(self, ref: ActivityRef, case: ApprovalCase, decided: Approval) -> None:
        """The card shows the decision instead of the buttons (stored; a failure to update
        is only logged)."""
        where = _read_card_ref(decided.message_ref)
        if where is None:
            return
        conversation_id, activity_id = where
        content = approval_cards(case, self.desk.public_url, decided)[-1]
        try:
            await self.bot.connector.update(
                ref.service_url,
                conversation_id,
                activity_id,
                {**self._message(Outbound.of(ref), conversation_id, content), "id": activity_id},
            )
        except Exception:
            log.warning("Teams: Mitzeichnungskarte nicht aktualisiert", exc_info=True)

    async def _tell_requester(
        self, ref: ActivityRef, case: ApprovalCase, decided: Approval
    ) -> None:
        user = self.desk.platform_user("teams", decided.requested_by)
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
            conversation_id = await self._personal(Outbound.of(ref), user)
            message = self._message(Outbound.of(ref), conversation_id, text_card(notice))
            await self.bot.connector.send(ref.service_url, conversation_id, message)
        except Exception:
            log.warning("Teams: Entscheidung nicht gemeldet", exc_info=True)


def install_teams_approval(app: FastAPI, bot: TeamsBot) -> TeamsApproval:
    """The Mitzeichnung on the mounted Teams bot, with the app's approval archive and
    approvers (``create_app`` sets them on ``app.state``)."""
    context = bot.conversation.context
    tenant_id = context.services.settings.bots.teams.tenant_id
    approval = TeamsApproval(bot, approval_desk(app, context), tenant_id)
    # requests made over HTTP reach a Teams approver too (api/routes/approval.py)
    app.state.approval_notifiers = [*getattr(app.state, "approval_notifiers", []), approval.deliver]
    app.state.teams_approval = approval
    return approval
