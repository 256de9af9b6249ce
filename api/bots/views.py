"""What a bot shows, as plain data: a draft's progress and the finished draft.

The platforms render these (Slack: Block Kit, ``api/bots/slack_blocks.py``; Teams: Adaptive
Cards) and escape every text themselves: the strings here are raw, and passages, Betreffs and
the model's text are untrusted (a passage may hold ``<@U123>`` or ``<http://…|hier>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

from assistant import presenter, presenter_bots
from assistant.draft_events import DraftEvent
from assistant.draft_jobs import JobEvent
from assistant.schema import Citation, Draft

__all__ = [
    "DraftView",
    "Progress",
    "SourceView",
    "draft_url",
    "draft_view",
    "progress_of",
    "vorlage_url",
]

PASSAGE_CHARS = 300
_EVENTS: TypeAdapter[DraftEvent] = TypeAdapter(DraftEvent)

ProgressKind = Literal["queued", "sources", "section", "checked"]


@dataclass(frozen=True)
class Progress:
    """One step of a running draft: ``kind``, one German sentence ``text``, and the sections
    finished so far as (title, text) pairs in the order written (a platform may show them
    while the rest is written)."""

    kind: ProgressKind
    text: str
    sections: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SourceView:
    """One cited passage: ``n`` as cited (``[n]``), a label (Nr. · Betreff, Kommune), the
    passage (shortened) and, when known, a link."""

    n: int
    label: str
    passage: str
    url: str | None = None


@dataclass(frozen=True)
class DraftView:
    """A finished draft (or new version) for a thread: every text raw (the platform escapes).

    ``findings`` are German lines (:func:`assistant.presenter.finding_line`); ``summary`` is the
    check in one sentence; ``page_url`` opens the draft on the page (``bots.public_url``), None
    when no public address is configured."""

    draft_id: str
    heading: str
    beschlussvorschlag: str
    sachdarstellung: str
    finanzielle_auswirkungen: str
    summary: str
    findings: tuple[str, ...]
    sources: tuple[SourceView, ...]
    page_url: str | None = None
    version: int | None = None
    hints: tuple[str, ...] = field(default=())


def draft_url(public_url: str | None, draft_id: str) -> str | None:
    """The draft on the page: ``<public_url>/entwurf/<id>``; None without a public address."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/entwurf/{draft_id}"


def _label(citation: Citation) -> str:
    parts = [citation.vorlagen_nr or "ohne Nr.", citation.betreff or "(ohne Betreff)"]
    label = " · ".join(parts)
    return f"{label} ({citation.kommune})" if citation.kommune else label


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def vorlage_url(public_url: str | None, vorlage_id: str) -> str | None:
    """The cited Vorlage on the page: ``<public_url>/vorlage/<id>`` (the page checks the
    reader's rights again); None without a public address."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/vorlage/{quote(vorlage_id, safe='')}"


def _source(citation: Citation, public_url: str | None) -> SourceView:
    return SourceView(
        n=citation.n,
        label=_label(citation),
        passage=_short(citation.passage, PASSAGE_CHARS),
        url=vorlage_url(public_url, citation.vorlage_id),
    )


def draft_view(
    draft_id: str,
    draft: Draft,
    *,
    public_url: str | None,
    version: int | None = None,
    refined: str | None = None,
    hints: tuple[str, ...] = (),
) -> DraftView:
    """The view of ``draft`` (stored as ``draft_id``); ``refined``: how a new version came
    about (German, e.g. „verfeinert“), None for a first draft."""
    report = draft.validation
    findings = (
        tuple(presenter.finding_line(f) for f in [*report.errors, *report.warnings])
        if report
        else ()
    )
    return DraftView(
        draft_id=draft_id,
        heading=presenter_bots.draft_heading(draft.request.betreff, version, refined),
        beschlussvorschlag=draft.beschlussvorschlag,
        sachdarstellung=draft.sachdarstellung,
        finanzielle_auswirkungen=draft.finanzielle_auswirkungen,
        summary=presenter.validation_summary(report),
        findings=findings,
        sources=tuple(_source(c, public_url) for c in draft.citations),
        page_url=draft_url(public_url, draft_id),
        version=version,
        hints=hints,
    )


class ProgressTracker:
    """Turns a job's events into :class:`Progress` (None for events not worth a message:
    tokens, a section's restart)."""

    def __init__(self) -> None:
        self._sections: dict[str, str] = {}

    def update(self, event: JobEvent) -> Progress | None:
        if event.type == "queued":
            position = int(event.data.get("position", 1))
            return Progress("queued", presenter_bots.queue_position(position))
        if event.type not in ("retrieval", "section_done", "validation"):
            return None
        try:
            parsed = _EVENTS.validate_python({"type": event.type, **event.data})
        except ValidationError:
            return None
        if event.type == "section_done":
            section = str(event.data.get("section", ""))
            title = presenter.section_title(section)
            self._sections[title] = str(event.data.get("text", ""))
            return Progress("section", presenter_bots.section_finished(title), self._done())
        text = presenter.draft_progress(parsed) or ""
        kind: ProgressKind = "sources" if event.type == "retrieval" else "checked"
        return Progress(kind, text, self._done())

    def _done(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._sections.items())


def progress_of(events: list[JobEvent]) -> list[Progress]:
    """The progress of a whole log (for tests and re-attaching)."""
    tracker = ProgressTracker()
    return [p for p in (tracker.update(e) for e in events) if p is not None]
