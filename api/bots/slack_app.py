"""The Slack bot: slack-bolt's ``AsyncApp`` on the HTTP app at ``/slack/events`` (or over
Socket Mode), an adapter over :class:`~api.bots.conversation.Conversation` (docs/bots.md).

* **Verification**: every HTTP request's ``X-Slack-Signature`` (HMAC-SHA256 of
  ``v0:<timestamp>:<body>`` with the signing secret) and timestamp (at most 5 minutes old) are
  checked by bolt's request verification. Bolt's ``ssl_check`` shortcut, which answers a body
  with ``ssl_check=1`` *before* that check, is switched off; a signed ssl_check gets its 200
  from :func:`_ssl_check` behind the verification. Without a signing secret the settings refuse
  to load (``assistant/settings_bots.py``).
* **Ack within 3 s**: every listener acknowledges at once and leaves the work to a background
  task (:class:`SlackBot` keeps them; a server stop cancels them).
* **Events**: ``app_mention`` in channels, ``message`` in direct messages and in threads the
  bot holds a draft for (follow-ups refine it without a mention). A mention arrives as both
  ``app_mention`` and ``message``: the core answers the message once (its channel and ts are
  a deduplication key beside the event id, which Slack keeps on retries).
* **Slash command** ``/vorlage entwurf …``, ``suche …``, ``hilfe``: the bot posts the command
  in the channel and answers in its thread.
* **Buttons**: „Als Word-Datei“ uploads the DOCX into the thread (``files_upload_v2``), „Im
  Browser öffnen“ is a link to the page (``bots.public_url``).
* A 👀 reaction marks a message the bot took; the answer always follows (the Replier's
  contract).

Bolt logs request bodies at debug and info level (message text), so its logger is held at
warning level; our own log lines carry names and ids, never text.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.bots import slack_blocks as blocks
from api.bots.conversation import Conversation, Incoming, german_error
from api.bots.mount import BotRuntime
from api.bots.slack_reply import SlackReply
from api.bots.word import word_file
from assistant import presenter_bots
from assistant.settings_bots import SlackSettings

__all__ = ["EVENTS_PATH", "SlackBot", "install_slack"]

log = logging.getLogger("vorlagen.bots.slack")

EVENTS_PATH = "/slack/events"
COMMAND = re.compile(r"^/vorlagen?$")
EYES = "eyes"
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_OTHER = re.compile(r"<[#!][^>]*>")

CANNOT_POST = (
    "Ich kann in diesem Kanal nicht schreiben; bitte laden Sie mich ein (/invite) oder schreiben "
    "Sie mir direkt."
)


def plain_text(text: str) -> str:
    """A Slack message as typed: mentions removed, links as their address or label, the
    entities ``&amp;`` ``&lt;`` ``&gt;`` decoded."""
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _OTHER.sub(" ", text)
    return html.unescape(text).strip()


def _is_direct(channel: str, channel_type: str | None = None) -> bool:
    return channel_type == "im" or (channel_type is None and channel.startswith("D"))


class SlackBot:
    """The bolt app with the bot's listeners; work runs in tracked background tasks."""

    def __init__(self, conversation: Conversation, settings: SlackSettings) -> None:
        assert settings.bot_token is not None and settings.signing_secret is not None
        self.conversation = conversation
        self.settings = settings
        quiet = logging.getLogger("vorlagen.bots.slack.bolt")
        quiet.setLevel(logging.WARNING)
        self.client = AsyncWebClient(
            token=settings.bot_token.get_secret_value(), base_url=settings.api_url
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret.get_secret_value(),
            request_verification_enabled=True,
            ssl_check_enabled=False,  # answered behind the signature check (_ssl_check)
            # the listeners only start tracked tasks, so bolt may wait for them before it
            # answers: the answer still comes at once, and no work runs untracked
            process_before_response=True,
            logger=quiet,
        )
        self.app.middleware(_ssl_check)
        self.tasks: set[asyncio.Task[None]] = set()
        self._register()

    # --- lifetime ------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait for the running work (tests)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the running work (server stop; the draft jobs are recorded by the app)."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*list(self.tasks), return_exceptions=True)

    # --- listeners -----------------------------------------------------------------------

    def _register(self) -> None:
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command(COMMAND)(self._on_command)
        self.app.action(blocks.DOCX_ACTION)(self._on_docx)
        self.app.action(blocks.OPEN_ACTION)(self._on_open)

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self.spawn(self._message(body, event, mentioned=True))

    async def _on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
    ) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, bots (ourselves included)
        bot_user = context.get("bot_user_id") or ""
        mentioned = bool(bot_user) and f"<@{bot_user}" in str(event.get("text", ""))
        self.spawn(self._message(body, event, mentioned=mentioned))

    async def _on_command(
        self, ack: Callable[..., Awaitable[None]], command: dict[str, Any]
    ) -> None:
        await ack()
        self.spawn(self._command(command))

    async def _on_docx(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        await ack()
        self.spawn(self._docx(body))

    async def _on_open(self, ack: Callable[..., Awaitable[None]]) -> None:
        await ack()  # a link button: Slack opens the page itself

    # --- the work ------------------------------------------------------------------------

    async def _message(self, body: dict[str, Any], event: dict[str, Any], mentioned: bool) -> None:
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        direct = _is_direct(channel, event.get("channel_type"))
        thread_ts = str(event.get("thread_ts") or ts)
        incoming = Incoming(
            platform="slack",
            user_id=str(event.get("user", "")),
            text=plain_text(str(event.get("text", ""))),
            direct=direct,
            thread_key=f"{channel}:{thread_ts}",
            addressed=direct or mentioned,
            conversation_key=channel if direct else None,
            event_keys=(f"slack:event:{body.get('event_id', '')}", f"slack:msg:{channel}:{ts}"),
        )
        turn = await self.conversation.accept(incoming)
        if turn is None:
            return
        await self._react(channel, ts)
        await self.conversation.respond(turn, SlackReply(self.client, channel, thread_ts))

    async def _command(self, command: dict[str, Any]) -> None:
        channel, user = str(command.get("channel_id", "")), str(command.get("user_id", ""))
        text = plain_text(str(command.get("text", "")))
        direct = _is_direct(channel) or command.get("channel_name") == "directmessage"
        shown = f"<@{user}>: {command.get('command', '/vorlage')} {blocks.escape(text)}"
        try:
            root = await self.client.chat_postMessage(channel=channel, text=shown)
        except SlackApiError as err:
            log.warning("Slack: Befehl nicht beantwortbar (%s)", err.response.get("error"))
            await self._respond_url(command, CANNOT_POST)
            return
        thread_ts = str(root["ts"])
        incoming = Incoming(
            platform="slack",
            user_id=user,
            text=text,
            direct=direct,
            thread_key=f"{channel}:{thread_ts}",
            conversation_key=channel if direct else None,
            event_keys=(f"slack:command:{command.get('trigger_id', '')}",),
        )
        reply = SlackReply(self.client, channel, thread_ts)
        turn = await self.conversation.accept(incoming)
        if turn is not None:
            await self.conversation.respond(turn, reply)

    async def _docx(self, body: dict[str, Any]) -> None:
        channel = str((body.get("channel") or {}).get("id", ""))
        message = body.get("message") or {}
        thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
        actions = body.get("actions") or [{}]
        draft_id = str(actions[0].get("value", ""))
        user = str((body.get("user") or {}).get("id", ""))
        context = self.conversation.context
        identity = context.users.identify("slack", user, direct=_is_direct(channel))
        reply = SlackReply(self.client, channel, thread_ts)
        try:
            word = await word_file(context.archive, identity, draft_id)
            await self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=word.data,
                filename=word.name,
                title=presenter_bots.WORD_UPLOADED,
                initial_comment=presenter_bots.WORD_UPLOADED,
            )
        except Exception as err:  # told in German; a bug is logged by german_error
            await reply.failure(german_error(err))

    async def _react(self, channel: str, ts: str) -> None:
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=EYES)
        except SlackApiError as err:  # the answer follows anyway
            log.info("Slack: 👀 nicht gesetzt (%s)", err.response.get("error"))

    async def _respond_url(self, command: dict[str, Any], text: str) -> None:
        url = command.get("response_url")
        if not url:
            return
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        try:
            await AsyncWebhookClient(str(url)).send(text=text, response_type="ephemeral")
        except Exception:
            log.warning("Slack: Antwort über response_url fehlgeschlagen", exc_info=True)


async def _ssl_check(
    body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse | None:
    """A (signed, already verified) ``ssl_check`` request: 200 without work."""
    if body.get("ssl_check") == "1":
        return BoltResponse(status=200, body="")
    return await next()


def install_slack(
    app: FastAPI, conversation: Conversation, settings: SlackSettings, runtime: BotRuntime
) -> SlackBot:
    """Mount the Slack bot: ``POST /slack/events`` in HTTP mode; in Socket Mode the app opens
    the connection at start-up instead (no endpoint)."""
    bot = SlackBot(conversation, settings)
    app.state.slack_bot = bot
    runtime.stops.append(bot.stop)
    if settings.socket_mode:
        _socket_mode(bot, settings, runtime)
        return bot
    handler = AsyncSlackRequestHandler(bot.app)

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return bot


def _socket_mode(bot: SlackBot, settings: SlackSettings, runtime: BotRuntime) -> None:
    """Socket Mode: an outgoing WebSocket to Slack (for intranets without a public endpoint);
    Slack delivers the same events over it, already authenticated by the app token."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert settings.app_token is not None
    handler = AsyncSocketModeHandler(bot.app, settings.app_token.get_secret_value())

    async def connect() -> None:
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def close() -> None:
        await handler.close_async()  # type: ignore[no-untyped-call]

    runtime.starts.append(connect)
    runtime.stops.append(close)
