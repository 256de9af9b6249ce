"""The bots on the HTTP app: built once from the app's services, store, draft queue and
archive, and mounted only when enabled (``bots.slack.enabled``, ``bots.teams.enabled``).

Every platform gets the same :class:`~api.bots.conversation.Conversation`, so a thread's draft,
the deduplication and the users are shared; each platform module has an ``install_*``
function that adds its routes (Slack: ``/slack/events``; Teams: ``/api/messages``).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.bots.conversation import BotContext, Conversation
from api.bots.identity import Users
from api.bots.threads import MemoryThreads, ThreadStore
from api.container import Services, Store
from assistant.draft_jobs import DraftJobs
from assistant.ports import DraftArchive

__all__ = ["bot_context", "install_bots", "thread_store"]


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
) -> None:
    """Mount the enabled bots on ``app`` (nothing when none is enabled); raises
    ``BotSettingsError`` (German) when an enabled bot lacks what it needs."""
    bots = services.settings.bots
    if not (bots.slack.enabled or bots.teams.enabled):
        return
    conversation = Conversation(bot_context(services, store, jobs, archive))
    app.state.bot_conversation = conversation
    # Each platform's install function is called here (Slack: api/bots/slack_app.py;
    # Teams: api/bots/teams_*.py).
