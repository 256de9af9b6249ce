"""The platform-neutral core without a platform: who asks (rights only in a direct message,
none for strangers), deduplication, which channel messages are taken, the help and the
questions of an incomplete draft, and a German failure instead of silence. Drafts, searches
and refinements through the real app are in tests/bots/test_slack_app.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from api.bots.conversation import BotContext, Conversation, Incoming
from api.bots.dedupe import SeenEvents
from api.bots.identity import Users
from api.bots.threads import MemoryThreads
from api.bots.views import DraftView, Progress
from api.container import build_services
from assistant.draft_jobs import DraftJobs
from assistant.settings import Settings
from assistant.usecases.search import SearchResult
from storage import open_archive, sqlite_url
from tests.assistant.test_draft_jobs import Streamer


@dataclass
class Recorder:
    """A Replier that keeps what it was told."""

    calls: list[tuple[str, object]] = field(default_factory=list)

    async def progress(self, update: Progress) -> None:
        self.calls.append(("progress", update))

    async def text(self, message: str) -> None:
        self.calls.append(("text", message))

    async def hits(self, result: SearchResult) -> None:
        self.calls.append(("hits", result))

    async def draft(self, view: DraftView) -> None:
        self.calls.append(("draft", view))

    async def failure(self, message: str) -> None:
        self.calls.append(("failure", message))


USERS = Settings.model_validate(
    {
        "bots": {
            "users": [
                {
                    "platform": "slack",
                    "user_id": "U0VERA",
                    "name": "vera",
                    "rights": ["nichtoeffentlich"],
                    "approver": True,
                },
                {"platform": "teams", "user_id": "29:1abc", "name": "tom"},
            ]
        }
    }
).bots.users


@pytest.fixture
def conversation(tmp_path: Path) -> Conversation:
    services = build_services(Settings(data_dir=tmp_path))
    archive = open_archive(sqlite_url(tmp_path / "db.sqlite"))
    context = BotContext(
        services=services,
        store=services.store,
        jobs=DraftJobs(Streamer(), archive),
        archive=archive,
        threads=MemoryThreads(),
        users=Users(USERS),
    )
    return Conversation(context)


def _incoming(text: str, **changes: object) -> Incoming:
    base: dict[str, object] = {
        "platform": "slack",
        "user_id": "U0VERA",
        "text": text,
        "direct": False,
        "thread_key": "C1:1.0",
    }
    return Incoming(**{**base, **changes})  # type: ignore[arg-type]


def test_rights_only_in_a_direct_message_and_none_for_strangers() -> None:
    users = Users(USERS)
    direct = users.identify("slack", "U0VERA", direct=True)
    assert direct.name == "vera" and direct.may_see_nonpublic and direct.approver
    channel = users.identify("slack", "U0VERA", direct=False)
    assert channel.name == "vera" and not channel.may_see_nonpublic
    assert not users.identify("teams", "U0VERA", direct=True).known  # another platform
    stranger = users.identify("teams", "29:1x/y", direct=True)
    assert stranger.name == "teams-29-1x-y" and not stranger.may_see_nonpublic
    assert not stranger.known and not stranger.approver


def test_seen_events_are_bounded_and_expire() -> None:
    now = [0.0]
    seen = SeenEvents(size=3, ttl_s=10, clock=lambda: now[0])
    assert seen.first_time(["a", "m1"])
    assert not seen.first_time(["b", "m1"])  # the same message under another event id
    assert not seen.first_time(["a"])
    assert seen.first_time(["c"]) and seen.first_time(["d"])
    assert len(seen) == 3 and seen.first_time(["a"])  # "a" was pushed out
    now[0] = 11.0
    assert seen.first_time(["c"]) and len(seen) == 1


def test_help_once_and_channel_talk_ignored(conversation: Conversation) -> None:
    async def run() -> list[Recorder]:
        replies = []
        for incoming in (
            _incoming("hilfe", event_keys=("ev1", "msg1")),
            _incoming("hilfe", event_keys=("ev2", "msg1")),  # the same message again
            _incoming("Guten Morgen zusammen", addressed=False, event_keys=("ev3",)),
            _incoming("kürzer", addressed=False, event_keys=("ev4",)),  # no draft here
            _incoming("Guten Morgen", direct=True, event_keys=("ev5",)),
        ):
            reply = Recorder()
            await conversation.handle(incoming, reply)
            replies.append(reply)
        return replies

    first, repeat, talk, unbound, direct = asyncio.run(run())
    assert [kind for kind, _ in first.calls] == ["text"]
    help_text = str(first.calls[0][1])
    assert "Entwurf:" in help_text and "nur öffentliche Vorlagen" in help_text
    assert repeat.calls == [] and talk.calls == [] and unbound.calls == []
    assert direct.calls[0][0] == "text"
    assert str(direct.calls[0][1]).startswith("Das habe ich nicht verstanden")
    assert "nur öffentliche Vorlagen" not in str(direct.calls[0][1])


def test_an_incomplete_draft_asks_and_a_broken_message_fails_in_german(
    conversation: Conversation,
) -> None:
    async def run() -> tuple[Recorder, Recorder]:
        asked, failed = Recorder(), Recorder()
        await conversation.handle(_incoming("Entwurf: Neubau Kita Lindenweg"), asked)
        await conversation.handle(_incoming("Entwurf: " + "x" * 4001), failed)
        return asked, failed

    asked, failed = asyncio.run(run())
    assert asked.calls == [
        ("text", "Für den Entwurf fehlt noch etwas:\n- Welches Gremium entscheidet?")
    ]
    assert failed.calls == [("failure", "Die Nachricht ist zu lang (höchstens 4.000 Zeichen).")]


def test_a_replier_that_breaks_still_gets_a_failure(conversation: Conversation) -> None:
    class Broken(Recorder):
        async def text(self, message: str) -> None:
            raise RuntimeError("Slack down")

    reply = Broken()
    asyncio.run(conversation.handle(_incoming("hilfe"), reply))
    assert reply.calls == [
        ("failure", "Das hat leider nicht geklappt; bitte versuchen Sie es gleich noch einmal.")
    ]
