"""The Slack :class:`~api.bots.conversation.Replier`: answers go into the message's thread.

A draft's progress is one status message („Entwurf wird erstellt …“) that is updated as the
job moves on (queue place, sources, each finished section, the check) and says „fertig“ at the
end; the result follows as Block Kit messages (``api/bots/slack_blocks.py``), split to Slack's
limits. A failure is posted as one German sentence and also replaces the status, so neither
the 👀 on the user's message nor a status message is ever left without an answer.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from api.bots import slack_blocks as blocks
from api.bots.views import DraftView, Progress
from assistant import presenter, presenter_bots
from assistant.usecases.search import SearchResult

__all__ = ["SlackReply"]

log = logging.getLogger("vorlagen.bots.slack")

DONE_MARK = "✓"
FAILED_MARK = "⚠️"


class SlackReply:
    """Answers one message in ``channel``, in the thread ``thread_ts``."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.status_ts: str | None = None
        self._lines: list[str] = []

    # --- the Replier ---------------------------------------------------------------------

    async def progress(self, update: Progress) -> None:
        line = update.text
        if update.kind == "section":
            line = f"{DONE_MARK} {line}"
        if self._lines and self._lines[-1] == line:
            return
        if update.kind == "queued" and self._lines and not self._lines[-1].startswith(DONE_MARK):
            self._lines[-1] = line  # a new place in the queue replaces the old one
        else:
            self._lines.append(line)
        await self._status(self._status_text())

    async def text(self, message: str) -> None:
        await self._post(blocks.text_blocks(message), message)

    async def hits(self, result: SearchResult) -> None:
        fallback = (
            presenter_bots.search_heading(result.query, len(result.hits))
            if result.hits
            else presenter.NO_HITS
        )
        await self._post(blocks.hits_blocks(result), fallback)

    async def draft(self, view: DraftView) -> None:
        await self._post(blocks.draft_blocks(view), view.heading)
        if self.status_ts is not None:
            self._lines.append(f"{DONE_MARK} {view.summary}")
            await self._status(self._status_text())

    async def failure(self, message: str) -> None:
        text = f"{FAILED_MARK} {message}"
        if self.status_ts is not None:
            self._lines.append(text)
            await self._status(self._status_text())
        await self._post(blocks.text_blocks(text), text)

    # --- Slack calls ---------------------------------------------------------------------

    def _status_text(self) -> str:
        return "\n".join([presenter_bots.DRAFT_STARTED, *self._lines])

    async def _status(self, text: str) -> None:
        """Post the status message, or update it."""
        shown = blocks.text_blocks(text)
        if self.status_ts is None:
            response = await self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                text=blocks.escape(text),
                blocks=shown,
            )
            self.status_ts = str(response["ts"])
        else:
            await self.client.chat_update(
                channel=self.channel, ts=self.status_ts, text=blocks.escape(text), blocks=shown
            )

    async def _post(self, content: list[blocks.Block], fallback: str) -> None:
        """``content`` as one or more messages in the thread (50 blocks each)."""
        for part in blocks.messages(content):
            await self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                text=blocks.escape(fallback)[:3000],
                blocks=part,
                unfurl_links=False,
                unfurl_media=False,
            )
