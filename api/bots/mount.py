"""The bots on the HTTP app: built once from the app's services, store, draft queue and
archive, and mounted only when enabled (``bots.slack.enabled``, ``bots.teams.enabled``).

Every platform gets the same :class:`~api.bots.conversation.Conversation`, so a thread's draft,
the deduplication and the users are shared; each platform module has an ``install_*``
function that adds its routes (Slack: ``/slack/events``; Teams: ``/api/messages``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI

from api.bots.conversation import BotContext, Conversation
from api.bots.identity import Users
from api.bots.threads import MemoryThreads, ThreadStore
from api.container import Services, Store
from assistant.draft_jobs import DraftJobs
from assistant.ports import DraftArchive

__all__ = ["BotRuntime", "bot_context", "install_bots", "thread_store"]

log = logging.getLogger("vorlagen.bots")

Hook = Callable[[], Awaitable[None]]


@dataclass
class BotRuntime:
    """What the mounted bots do at the app's start and stop (the app's lifespan calls
    :meth:`start` and :meth:`stop`): e.g. open a Socket Mode connection, cancel running
    work."""

    starts: list[Hook] = field(default_factory=list)
    stops: list[Hook] = field(default_factory=list)

    async def start(self) -> None:
        for hook in self.starts:
            await hook()

    async def stop(self) -> None:
        for hook in reversed(self.stops):
            try:
                await hook()
            except Exception:  # the other bots still stop
                log.exception("Bot: Beenden fehlgeschlagen")


def thread_store(archive: DraftArchive) -> ThreadStore:
    """The threads in the archive's database (``bot_threads``); in memory for an archive
    that is not a database (tests with a fake archive)."""
    engine = getattr(archive, "engine", None)
    if engine is None:
        return MemoryThreads()
    from storage.bot_threads import SqlBotThreads  # SQLAlchemy only with a database

    return SqlBotThreads(engine)


def bot_context(
    services: Services, store: Store, jobs: DraftJobs, archive: DraftArchive
) -> BotContext:
    """What the bots use: the app's own services, store, queue and archive."""
    bots = services.settings.bots
    return BotContext(
        services=services,
        store=store,
        jobs=jobs,
        archive=archive,
        threads=thread_store(archive),
        users=Users(bots.users),
        public_url=bots.public_url,
    )


def install_bots(
    app: FastAPI, services: Services, store: Store, jobs: DraftJobs, archive: DraftArchive
) -> BotRuntime:
    """Mount the enabled bots on ``app`` (nothing when none is enabled; the settings already
    refused an enabled bot without its secrets) and return their start and stop hooks."""
    runtime = BotRuntime()
    bots = services.settings.bots
    if not (bots.slack.enabled or bots.teams.enabled):
        return runtime
    conversation = Conversation(bot_context(services, store, jobs, archive))
    app.state.bot_conversation = conversation
    if bots.slack.enabled:
        from api.bots.slack_app import install_slack  # slack-bolt only when enabled
        from api.bots.slack_approval import install_slack_approval

        install_slack_approval(app, install_slack(app, conversation, bots.slack, runtime))
    if bots.teams.enabled:
        from api.bots.teams_app import install_teams  # the Teams SDK only when enabled
        from api.bots.teams_approval import install_teams_approval

        install_teams_approval(app, install_teams(app, conversation, bots.teams, runtime))
    return runtime
