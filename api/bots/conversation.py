"""The platform-neutral core of the Slack and Teams bots (issue 12, docs/bots.md).

A platform adapter turns what it receives into an :class:`Incoming` and implements a
:class:`Replier` for it; :class:`Conversation` does the rest, through the same use cases and
the same draft queue as the HTTP API (``POST /api/chat``):

1. :meth:`Conversation.accept` (quick, before any reply): a repeated delivery (the same
   platform event id, or the same message arriving as two events) is dropped; a message in a
   channel that does not address the bot is taken only when it refines the thread's draft;
   the user is identified (``bots.users``; in a channel nobody sees nichtöffentliche
   Vorlagen; an unknown user has no rights). ``None`` means: do not answer at all.
2. :meth:`Conversation.respond` answers the accepted :class:`Turn`: a refinement of the
   thread's draft („kürzer“, „Finanzierung ergänzen: …“, „Fakt ergänzen: …“), else the message
   read by :func:`assistant.usecases.chat.read_message`: the help, search hits, the questions
   a draft still needs, or a draft job in the app's :class:`~assistant.draft_jobs.DraftJobs`
   (the same queue as the page, recorded under the user's name, so that the page's „Meine
   Entwürfe“ lists it). The thread is bound to the draft in a :class:`ThreadStore` (the
   database), so that follow-ups refine it after a restart too. Progress and the result go to
   the Replier; a failure is told in one German sentence, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from fastapi import HTTPException
from pydantic import ValidationError

from api.auth import Caller
from api.bots.dedupe import SeenEvents
from api.bots.identity import Identity, Users
from api.bots.threads import ThreadStore
from api.bots.views import DraftView, Progress, ProgressTracker, draft_view
from api.container import Services, Store
from api.routes.drafts import start_job
from api.routes.revisions import refine_job
from assistant import presenter, presenter_bots
from assistant.draft_jobs import DraftJob, DraftJobs, JobBusy, QueueFull
from assistant.ports import BackendError, DraftArchive
from assistant.schema import Draft
from assistant.usecases.chat import HELP, ChatIntent, ChatRequest, read_message
from assistant.usecases.chat_refine import Refinement, read_refinement
from assistant.usecases.errors import InvalidRequest
from assistant.usecases.rewrite import MissingDraft
from assistant.usecases.search import SearchResult

__all__ = [
    "BotContext",
    "Conversation",
    "Incoming",
    "Platform",
    "Replier",
    "Turn",
    "german_error",
]

log = logging.getLogger("vorlagen.bots")

Platform = Literal["slack", "teams"]


@dataclass(frozen=True)
class Incoming:
    """One message a platform delivered.

    ``user_id``: the platform's user id (Slack ``U…``, Teams ``29:…``); ``text``: the message
    without the bot's mention; ``direct``: a direct message (else a channel or group);
    ``thread_key``: the thread the answer goes to and whose draft a follow-up refines (Slack:
    ``<channel>:<thread ts>``; at most 300 characters); ``addressed``: the bot was mentioned,
    called by command or written to directly (an unaddressed channel message is taken only
    as a refinement of its thread's draft); ``conversation_key``: a wider key (a direct
    message's channel) whose latest draft a message outside any bound thread refines, None in
    channels; ``event_keys``: what identifies the delivery for deduplication (the platform's
    event id, and the message's own id, so that one message delivered as two events is
    answered once).
    """

    platform: Platform
    user_id: str
    text: str
    direct: bool
    thread_key: str
    addressed: bool = True
    conversation_key: str | None = None
    event_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    """An accepted message: who asks, the thread's draft and the refinement it asks for."""

    incoming: Incoming
    identity: Identity
    draft_id: str | None = None
    refinement: Refinement | None = None


class Replier(Protocol):
    """Where the answer to one accepted message goes; each platform implements it for one
    message (its channel and thread). All texts are raw: the platform escapes them.

    Contract: :meth:`Conversation.respond` makes zero or more :meth:`progress` calls, then
    exactly one terminal call: :meth:`text`, :meth:`hits`, :meth:`draft` or :meth:`failure`.
    When a terminal call raises, :meth:`failure` follows (so a 👀 or a status message is never
    left without an answer). An exception from :meth:`progress` is logged and ignored.
    """

    async def progress(self, update: Progress) -> None:
        """A draft job moved on (queued with its place, sources found, a section written,
        checked); the first call means the work started (a platform may show
        :data:`assistant.presenter_bots.DRAFT_STARTED` and update it)."""

    async def text(self, message: str) -> None:
        """A plain German answer: the help, the questions a draft still needs, the
        refinements that exist (may hold line breaks and „- “ lists)."""

    async def hits(self, result: SearchResult) -> None:
        """Search hits (possibly none: :data:`assistant.presenter.NO_HITS`)."""

    async def draft(self, view: DraftView) -> None:
        """The finished draft or new version, with findings, sources and the page's link."""

    async def failure(self, message: str) -> None:
        """The work failed: ``message`` is one German sentence for the user."""


@dataclass
class BotContext:
    """What the bots use, built by the app (``api/bots/mount.py``): the same services,
    store, draft queue and archive as the HTTP routes."""

    services: Services
    store: Store
    jobs: DraftJobs
    archive: DraftArchive
    threads: ThreadStore
    users: Users
    public_url: str | None = None
    today: Callable[[], date] = field(default=date.today)


def german_error(err: BaseException) -> str:
    """The German sentence for a failure; a bug is logged and gets the generic sentence."""
    if isinstance(err, HTTPException) and isinstance(err.detail, str):
        return err.detail
    if isinstance(err, ValidationError):
        return presenter.invalid_input(err)
    if isinstance(err, InvalidRequest | BackendError | QueueFull | JobBusy | MissingDraft):
        return str(err)
    log.error("Bot: unerwarteter Fehler (%s)", type(err).__name__, exc_info=err)
    return presenter_bots.BOT_FAILED


class Conversation:
    """Answers platform messages (see the module docstring)."""

    def __init__(self, context: BotContext, seen: SeenEvents | None = None) -> None:
        self.context = context
        self.seen = seen if seen is not None else SeenEvents()

    async def handle(self, incoming: Incoming, replier: Replier) -> bool:
        """:meth:`accept` and :meth:`respond`; False when the message is not answered."""
        turn = await self.accept(incoming)
        if turn is None:
            return False
        await self.respond(turn, replier)
        return True

    async def accept(self, incoming: Incoming) -> Turn | None:
        """The turn to answer, or None: a repeat, or channel talk that is not for the bot."""
        if not self.seen.first_time(incoming.event_keys):  # before any await: no race
            log.info("Bot %s: doppelte Zustellung übergangen", incoming.platform)
            return None
        refinement = read_refinement(incoming.text)
        if not incoming.addressed and refinement is None:
            return None  # channel talk: not even a database look-up
        draft_id = None
        if refinement is not None or not incoming.addressed:
            draft_id = await self._thread_draft(incoming)
        if not incoming.addressed and (draft_id is None or refinement is None):
            return None
        identity = self.context.users.identify(
            incoming.platform, incoming.user_id, direct=incoming.direct
        )
        return Turn(incoming, identity, draft_id, refinement if draft_id else None)

    async def respond(self, turn: Turn, replier: Replier) -> None:
        """Answer ``turn`` through ``replier`` (its contract: one terminal call)."""
        incoming = turn.incoming
        log.info(
            "Bot %s: Nachricht von %s (%s)",
            incoming.platform,
            turn.identity.name,
            "direkt" if incoming.direct else "Kanal",
        )
        try:
            await self._respond(turn, replier)
        except Exception as err:  # told in German; a bug is logged by german_error
            message = german_error(err)
            try:
                await replier.failure(message)
            except Exception:
                log.exception("Bot %s: Fehlermeldung nicht zugestellt", incoming.platform)

    # --- the kinds of answer -------------------------------------------------------------------

    async def _respond(self, turn: Turn, replier: Replier) -> None:
        if turn.refinement is not None and turn.draft_id is not None:
            await self._refine(turn, turn.draft_id, turn.refinement, replier)
            return
        ChatRequest(nachricht=turn.incoming.text)  # the chat's rules (length): German error
        intent = read_message(turn.incoming.text, self.context.today())
        if intent.search is not None:
            await self._search(turn, intent, replier)
        elif intent.kind == "entwurf" and intent.form is not None:
            await self._draft(turn, intent, replier)
        else:
            await replier.text(self._help(turn, intent.hint))

    def _help(self, turn: Turn, hint: str | None) -> str:
        parts = [hint, HELP] if hint else [HELP]
        if not turn.incoming.direct:
            parts.append(presenter_bots.CHANNEL_PUBLIC_ONLY)
        return "\n\n".join(parts)

    async def _search(self, turn: Turn, intent: ChatIntent, replier: Replier) -> None:
        assert intent.search is not None
        result = await asyncio.to_thread(
            self.context.services.search,
            intent.search,
            allow_nonpublic=turn.identity.may_see_nonpublic,
            store=self.context.store,
        )
        await replier.hits(result)

    async def _draft(self, turn: Turn, intent: ChatIntent, replier: Replier) -> None:
        assert intent.form is not None
        if not intent.complete:
            questions = [f"- {m.question}" for m in intent.missing if m.required]
            await replier.text("\n".join([presenter_bots.QUESTIONS_INTRO, *questions]))
            return
        job = await start_job(
            self.context.services, self.context.jobs, self._caller(turn), intent.form
        )
        await self._bind(turn, job.id)
        hints = tuple(m.question for m in intent.missing)
        await self._follow(turn, job, replier, hints=hints)

    async def _refine(
        self, turn: Turn, draft_id: str, refinement: Refinement, replier: Replier
    ) -> None:
        if not refinement.usable:
            hint = presenter.refine_hint(refinement.kind)
            await replier.text(f"{hint}\n\n{presenter.REFINE_HELP}")
            return
        context = self.context
        job = await refine_job(
            context.services,
            context.store,
            context.jobs,
            context.archive,
            self._caller(turn),
            draft_id,
            refinement,
        )
        await replier.progress(Progress("queued", presenter.refine_started(refinement.kind)))
        await self._follow(turn, job, replier, refined=presenter.version_source("refined"))

    # --- following a job -----------------------------------------------------------------------

    async def _follow(
        self,
        turn: Turn,
        job: DraftJob,
        replier: Replier,
        *,
        refined: str | None = None,
        hints: tuple[str, ...] = (),
    ) -> None:
        """The job's progress, then its draft (or its German error)."""
        tracker = ProgressTracker()
        async for event in job.follow():
            if event.type in ("error", "cancelled"):
                await replier.failure(str(event.data.get("message") or presenter_bots.BOT_FAILED))
                return
            update = tracker.update(event)
            if update is not None:
                await self._progress(replier, update)
        if job.draft is None:
            await replier.failure(job.error or presenter_bots.BOT_FAILED)
            return
        await replier.draft(await self._view(turn, job.id, job.draft, refined, hints))

    async def _view(
        self, turn: Turn, draft_id: str, draft: Draft, refined: str | None, hints: tuple[str, ...]
    ) -> DraftView:
        allowed = turn.identity.may_see_nonpublic
        if not allowed and any(c.oeffentlich is not True for c in draft.citations):
            # never expected (the job ran without the right): refuse rather than show it
            log.error("Bot: Entwurf %s zitiert Nichtöffentliches ohne Berechtigung", draft_id)
            raise MissingDraft
        version = None
        if refined is not None:
            record = await asyncio.to_thread(
                self.context.archive.get, draft_id, allow_nonpublic=allowed
            )
            version = record.versions if record is not None else None
        return draft_view(
            draft_id,
            draft,
            public_url=self.context.public_url,
            version=version,
            refined=refined,
            hints=hints,
        )

    async def _progress(self, replier: Replier, update: Progress) -> None:
        try:
            await replier.progress(update)
        except Exception:
            log.warning("Bot: Fortschritt nicht zugestellt", exc_info=True)

    # --- identity and threads ------------------------------------------------------------------

    def _caller(self, turn: Turn) -> Caller:
        """The user as the HTTP routes' caller (the same checks, queue and audit)."""
        identity = turn.identity
        return Caller(identity.name, "user", may_see_nonpublic=identity.may_see_nonpublic)

    async def _thread_draft(self, incoming: Incoming) -> str | None:
        threads = self.context.threads
        found = await asyncio.to_thread(threads.draft_of, incoming.platform, incoming.thread_key)
        if found is None and incoming.conversation_key:
            found = await asyncio.to_thread(
                threads.draft_of, incoming.platform, incoming.conversation_key
            )
        return found

    async def _bind(self, turn: Turn, draft_id: str) -> None:
        incoming = turn.incoming
        for key in (incoming.thread_key, incoming.conversation_key):
            if key:
                await asyncio.to_thread(
                    self.context.threads.bind,
                    incoming.platform,
                    key,
                    draft_id,
                    turn.identity.name,
                )
