"""Which draft a Slack or Teams thread refines, in the draft database (table ``bot_threads``,
migration 0003): ``api.bots.threads.ThreadStore`` on a SQLAlchemy engine.

One row per platform and thread key; binding a thread again replaces its draft (the latest
draft started in a thread is the one its follow-ups refine). Removing a draft removes its
threads (foreign key, ``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.ports import ArchiveError
from storage.database import transaction
from storage.models import BotThreadRow

__all__ = ["SqlBotThreads"]

MAX_KEY = 300
MAX_PLATFORM = 16
MAX_USER = 64


def _checked(platform: str, thread_key: str) -> None:
    if not platform or len(platform) > MAX_PLATFORM:
        raise ValueError(f"platform must have 1…{MAX_PLATFORM} characters")
    if not thread_key or len(thread_key) > MAX_KEY:
        raise ValueError(f"thread_key must have 1…{MAX_KEY} characters")


class SqlBotThreads:
    """Thread -> draft in the ``bot_threads`` table. Database failures raise
    ``ArchiveError`` (German); a draft id the archive does not know raises it too."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def draft_of(self, platform: str, thread_key: str) -> str | None:
        _checked(platform, thread_key)
        statement = select(BotThreadRow.draft_id).where(
            BotThreadRow.platform == platform, BotThreadRow.thread_key == thread_key
        )
        with transaction(self._sessions) as session:
            return session.execute(statement).scalar_one_or_none()

    def bind(self, platform: str, thread_key: str, draft_id: str, user_name: str) -> None:
        _checked(platform, thread_key)
        if not user_name or len(user_name) > MAX_USER:
            raise ValueError(f"user_name must have 1…{MAX_USER} characters")
        try:
            with transaction(self._sessions) as session:
                _upsert(session, platform, thread_key, draft_id, user_name)
        except ArchiveError as err:
            if not isinstance(err.__cause__, IntegrityError):
                raise
            # another instance inserted the same thread first: replace its draft
            with transaction(self._sessions) as session:
                _upsert(session, platform, thread_key, draft_id, user_name)


def _upsert(session: Session, platform: str, thread_key: str, draft_id: str, user: str) -> None:
    row = session.get(BotThreadRow, (platform, thread_key), with_for_update=True)
    if row is None:
        row = BotThreadRow(platform=platform, thread_key=thread_key)
        session.add(row)
    row.draft_id = draft_id
    row.user_name = user
    row.created_at = datetime.now(UTC)
