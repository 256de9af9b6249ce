"""The Teams bot at ``POST /api/messages`` on the app (docs/bots.md, "Microsoft Teams").

Every request passes :class:`TeamsGate` first: the Bot Framework's JWT
(:mod:`api.bots.teams_auth`) with the activity's ``channelId`` and ``serviceUrl``, and the
token must vouch for that ``serviceUrl`` (our replies carry our own token there). In the local
test mode (``bots.teams.test_mode``) there is no token: the request must come from loopback
and name a loopback ``serviceUrl``. A refused request gets 401 with a German ``detail``.

* A **message** is answered at once with 200 and handled in the background by the shared
  :class:`~api.bots.conversation.Conversation` (``entwurf …``, ``suche …``, ``hilfe``,
  refinements in the thread), which reports through a :class:`TeamsReplier` (status card,
  updated; the result; a failure told in German on the card).
* An **invoke** of the draft card's „Als Word-Datei“ (``adaptiveCard/action``, verb
  ``word``): in a personal chat the bot offers the file with Teams' file-consent card; when
  the user accepts (``fileConsent/invoke``) the file is made again from the stored version
  (:mod:`api.bots.word`) and uploaded to the address Teams gives. In a channel Teams lets no
  bot send files: the answer points to „Im Browser öffnen“.
* Other activities (conversation updates, reactions) get 200 and nothing else.

Other features plug in without touching the route: a handler per card verb in
:attr:`TeamsBot.card_actions` (:data:`CardAction`), and :attr:`TeamsBot.message_hooks`
(:data:`MessageHook`) that see a message before the core (the Mitzeichnung).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api.bind import is_loopback
from api.bots.conversation import Conversation, Incoming, german_error
from api.bots.identity import Identity
from api.bots.teams_activity import (
    ActivityError,
    ActivityRef,
    Outbound,
    TeamsReplier,
    read_activity,
    reference,
    user_id_of,
)
from api.bots.teams_auth import BotFrameworkAuth, OpenIdKeys, TeamsAuthError
from api.bots.teams_cards import VERB_WORD, failure_card, text_card
from api.bots.teams_connector import BotConnector, ConnectorTokens, NoTokens, SdkTokens
from api.bots.word import word_file
from assistant import presenter_bots
from assistant.draft_jobs import DRAFT_CANCELLED
from assistant.settings_bots import TeamsSettings

if TYPE_CHECKING:
    from api.bots.mount import BotRuntime

__all__ = ["MESSAGES_PATH", "CardAction", "MessageHook", "TeamsBot", "TeamsGate", "install_teams"]

log = logging.getLogger("vorlagen.teams")

MESSAGES_PATH = "/api/messages"
ONLY_LOCAL_TEST = "Im Testmodus nimmt der Teams-Bot nur Anfragen von diesem Rechner an."
NO_SERVICE_URL = "Das Token des Bot Frameworks nennt keine oder eine andere Antwortadresse."
BAD_ACTIVITY = "Die Nachricht von Teams ist unvollständig."
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
MAX_DRAFT_ID = 64
STOP_GRACE_S = 5.0


CardAction = Callable[[ActivityRef, dict[str, Any]], Awaitable[str]]
"""Answers a card's ``Action.Execute`` of one verb: gets the activity and the action's data
(with the card's inputs), returns the German message shown beside the card. Registered in
:attr:`TeamsBot.card_actions` (the Word file: :data:`~api.bots.teams_cards.VERB_WORD`)."""

MessageHook = Callable[[ActivityRef, Incoming, TeamsReplier], Awaitable[bool]]
"""Sees a message before the bot core (e.g. „Mitzeichnung: …“); True when it answered it
(then the core does not). It runs in the background, after the token check, and must
deduplicate itself (``conversation.seen.first_time(incoming.event_keys)``)."""


class TeamsGate:
    """Who may post to ``/api/messages``: a valid Bot Framework token (``auth``), or, with
    ``auth`` None (the test mode), a loopback client naming a loopback ``serviceUrl``."""

    def __init__(self, auth: BotFrameworkAuth | None) -> None:
        self.auth = auth

    async def check(self, request: Request, activity: dict[str, Any]) -> None:
        """Raises :class:`TeamsAuthError` (German) for a request that may not pass."""
        service_url = activity.get("serviceUrl")
        service_url = service_url if isinstance(service_url, str) else None
        if self.auth is None:
            client = request.client.host if request.client else ""
            service_host = urlsplit(service_url).hostname if service_url else None
            if not is_loopback(client) or (service_host and not is_loopback(service_host)):
                raise TeamsAuthError(ONLY_LOCAL_TEST, "test mode: not loopback")
            return
        channel = activity.get("channelId")
        token = await self.auth.verify(
            request.headers.get("authorization"),
            channel_id=channel if isinstance(channel, str) else None,
            service_url=service_url,
        )
        if service_url and token.service_url is None:
            raise TeamsAuthError(NO_SERVICE_URL, "token without serviceurl")


class TeamsBot:
    """The route's handler and the work it starts (see the module docstring)."""

    def __init__(
        self,
        conversation: Conversation,
        connector: BotConnector,
        gate: TeamsGate,
        outbound: Outbound | None = None,
    ) -> None:
        self.conversation = conversation
        self.connector = connector
        self.gate = gate
        # where the bot writes first: bots.teams.service_url until an activity arrives, then
        # the address of the last authenticated activity (Teams names it in each one)
        self.outbound = outbound
        self._tasks: set[asyncio.Task[None]] = set()
        self.card_actions: dict[str, CardAction] = {VERB_WORD: self._word}
        self.message_hooks: list[MessageHook] = []

    async def endpoint(self, request: Request) -> Response:
        """``POST /api/messages``."""
        activity = _json_object(await request.body())
        try:
            await self.gate.check(request, activity)
        except TeamsAuthError as err:
            client = request.client.host if request.client else "unbekannt"
            log.warning("Teams: Anfrage abgelehnt (%s) von %s", err.reason, client)
            return JSONResponse(
                {"detail": str(err)},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="Vorlagen-Assistent"'},
            )
        try:
            if activity.get("type") == "invoke":
                return await self._invoke(activity)
            ref, incoming = read_activity(activity, self.conversation.context.users)
        except ActivityError:
            return JSONResponse({"detail": BAD_ACTIVITY}, status_code=400)
        self._remember(ref)
        if incoming is not None:
            replier = TeamsReplier(self.connector, ref)
            self._spawn(self._message(ref, incoming, replier), replier)
        return Response(status_code=200)

    def _remember(self, ref: ActivityRef) -> None:
        bot = ref.bot or (self.outbound.bot if self.outbound else {})
        self.outbound = Outbound(ref.service_url, bot)

    async def _message(self, ref: ActivityRef, incoming: Incoming, replier: TeamsReplier) -> None:
        for hook in self.message_hooks:
            if await hook(ref, incoming, replier):
                return
        await self.conversation.handle(incoming, replier)

    async def idle(self) -> None:
        """Wait until the work started so far is done (tests; a graceful stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel the work still running (the app stops)."""
        for task in list(self._tasks):
            task.cancel()
        await self.idle()

    def _spawn(self, work: Coroutine[Any, Any, Any], replier: TeamsReplier | None = None) -> None:
        task = asyncio.create_task(self._guarded(work, replier))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, Any], replier: TeamsReplier | None) -> None:
        try:
            await work
        except asyncio.CancelledError:
            if replier is not None and replier.status_id is not None:
                # the app stops: the status card must not stay at „wird erstellt“
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(replier.failure(DRAFT_CANCELLED), STOP_GRACE_S)
            raise
        except Exception:  # the core tells the user; this is a failure to reach Teams
            log.error("Teams: Antwort nicht zugestellt", exc_info=True)

    # --- card buttons --------------------------------------------------------------------------

    async def _invoke(self, activity: dict[str, Any]) -> Response:
        ref = reference(activity)
        self._remember(ref)
        name = activity.get("name")
        value = activity.get("value")
        value = value if isinstance(value, dict) else {}
        if name == "adaptiveCard/action":
            return await self._card_action(ref, value)
        if name == "fileConsent/invoke":
            self._spawn(self._file_consent(ref, value))
            return JSONResponse({}, status_code=200)
        return _invoke_message(presenter_bots.UNKNOWN_ACTION)

    async def _card_action(self, ref: ActivityRef, value: dict[str, Any]) -> Response:
        """An ``Action.Execute`` of a card: the handler registered for its verb answers with
        the German message Teams shows beside the card."""
        action = value.get("action")
        action = action if isinstance(action, dict) else {}
        verb, data = action.get("verb"), action.get("data")
        handler = self.card_actions.get(verb) if isinstance(verb, str) else None
        if handler is None:
            return _invoke_message(presenter_bots.UNKNOWN_ACTION)
        return _invoke_message(await handler(ref, data if isinstance(data, dict) else {}))

    async def _word(self, ref: ActivityRef, data: dict[str, Any]) -> str:
        """„Als Word-Datei“: offer the file with Teams' file-consent card (personal chat)."""
        draft_id = _draft_id(data)
        if draft_id is None:
            return presenter_bots.UNKNOWN_ACTION
        if not ref.direct:
            return presenter_bots.WORD_ONLY_DIRECT
        identity = self._identity(ref)
        try:
            word = await word_file(self.conversation.context.archive, identity, draft_id)
        except Exception as err:
            return german_error(err)
        consent = {
            "contentType": FILE_CONSENT,
            "name": word.name,
            "content": {
                "description": presenter_bots.WORD_UPLOADED,
                "sizeInBytes": len(word.data),
                "acceptContext": {"entwurf": draft_id},
                "declineContext": {"entwurf": draft_id},
            },
        }
        replier = TeamsReplier(self.connector, ref)
        self._spawn(self._post(replier, replier.message(consent)))
        return presenter_bots.WORD_OFFERED

    async def _post(self, replier: TeamsReplier, activity: dict[str, Any]) -> None:
        ref = replier.ref
        await self.connector.send(
            ref.service_url, ref.conversation_id, activity, reply_to=ref.activity_id
        )

    async def _file_consent(self, ref: ActivityRef, value: dict[str, Any]) -> None:
        """The user accepted (or declined) the Word file: make it again from the stored
        version, upload it to the address Teams gave, and show it in the chat."""
        replier = TeamsReplier(self.connector, ref)
        context = value.get("context")
        draft_id = _draft_id(context)
        upload = value.get("uploadInfo")
        upload = upload if isinstance(upload, dict) else {}
        if value.get("action") != "accept":
            await replier.send(text_card(presenter_bots.WORD_DECLINED))
            return
        upload_url = upload.get("uploadUrl")
        if draft_id is None or not isinstance(upload_url, str):
            await replier.send(failure_card(presenter_bots.UNKNOWN_ACTION))
            return
        try:
            word = await word_file(self.conversation.context.archive, self._identity(ref), draft_id)
            await self.connector.upload(upload_url, word.data)
        except Exception as err:
            await replier.send(failure_card(german_error(err)))
            return
        info = {
            "contentType": FILE_INFO,
            "contentUrl": str(upload.get("contentUrl", "")),
            "name": str(upload.get("name", word.name)),
            "content": {
                "uniqueId": str(upload.get("uniqueId", "")),
                "fileType": str(upload.get("fileType", "docx")),
            },
        }
        await self._post(replier, replier.message(info))

    def _identity(self, ref: ActivityRef) -> Identity:
        users = self.conversation.context.users
        return users.identify("teams", user_id_of(ref, users), direct=ref.direct)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _draft_id(data: Any) -> str | None:
    """The draft a button names (``{"entwurf": id}``), or None."""
    value = data.get("entwurf") if isinstance(data, dict) else None
    if isinstance(value, str) and 0 < len(value) <= MAX_DRAFT_ID and value.isascii():
        return value
    return None


def _invoke_message(text: str) -> Response:
    """The answer to a card action: a message Teams shows beside the card."""
    body = {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": text}
    return JSONResponse(body, status_code=200)


def gate_for(settings: TeamsSettings) -> TeamsGate:
    """The gate of ``settings``: the JWT check, or the loopback-only test mode."""
    if settings.test_mode:
        log.warning("Teams-Bot im Testmodus: nur Anfragen von diesem Rechner, ohne Token.")
        return TeamsGate(None)
    if not settings.app_id:  # the settings' validator already refuses this
        raise ValueError("bots.teams.app_id is required outside the test mode")
    keys = OpenIdKeys(settings.openid_metadata_url)
    return TeamsGate(BotFrameworkAuth(settings.app_id, keys, tenant_id=settings.tenant_id))


def tokens_for(settings: TeamsSettings) -> ConnectorTokens:
    """The Bot Connector's tokens: MSAL with the app's credentials; none in the test mode."""
    if settings.test_mode or not settings.app_id or settings.app_password is None:
        return NoTokens()
    password = settings.app_password.get_secret_value()
    return SdkTokens(settings.app_id, password, settings.tenant_id)


def configured(settings: TeamsSettings) -> Outbound | None:
    """The Bot Connector address of the settings (``bots.teams.service_url``), if any."""
    if not settings.service_url:
        return None
    return Outbound(settings.service_url, {"id": f"28:{settings.app_id or 'vorlagen'}"})


def install_teams(
    app: FastAPI,
    conversation: Conversation,
    settings: TeamsSettings,
    runtime: BotRuntime | None = None,
) -> TeamsBot:
    """Mount ``POST /api/messages`` on ``app`` (the bot is ``app.state.teams_bot``); at the
    app's stop (``runtime``) the answers still being written are cancelled."""
    bot = TeamsBot(
        conversation, BotConnector(tokens_for(settings)), gate_for(settings), configured(settings)
    )
    app.state.teams_bot = bot
    app.add_api_route(MESSAGES_PATH, bot.endpoint, methods=["POST"], include_in_schema=False)
    if runtime is not None:
        runtime.stops.append(bot.close)
    return bot
