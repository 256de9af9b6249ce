"""Follow-up refinements of a stored draft into a new version (issue 11).

The base is the draft's latest stored version (as in :mod:`assistant.usecases.rewrite`); each
refinement (:class:`~assistant.usecases.chat_refine.Refinement`) is a job in the draft queue
whose events end with the new Draft, stored as version ``refined``:

* **finanzierung** (rules, no model): the text is appended to the request's Finanzielle
  Auswirkungen and to the draft's (a draft that said „keine“ gets the text alone), the whole
  draft is validated again;
* **fakt** (rules, then the model): the text is added to the request's facts as one more
  line, and the Sachdarstellung is written again from them (the Beschlussvorschlag and the
  rest stay as last saved);
* **kuerzer**: the Sachdarstellung is written again from the same facts without the
  paragraph on comparable Vorlagen, which code adds to a draft; that paragraph is the only
  part the code can leave out reliably, so „kürzer“ means exactly this;
* **sachlicher** (rules, no model): judging and intensifying words and exclamation marks are
  taken out of the Sachdarstellung and the Beschlussvorschlag as last saved
  (:func:`assistant.plain_style.matter_of_fact`), the whole draft is validated again; when
  the rules find nothing, :class:`NothingToRefine` says so and no version is made.

The request's limits (20,000 characters of facts or Finanzielle Auswirkungen) hold for the
refined request too (pydantic's ValidationError, answered with a German sentence).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from assistant.draft_case import NO_FINANCIAL_IMPACT, finanzen_for
from assistant.draft_events import (
    DraftDone,
    DraftEvent,
    RetrievalDone,
    Section,
    SectionDone,
    ValidationDone,
)
from assistant.draft_jobs import DraftJob, DraftJobs
from assistant.plain_style import matter_of_fact
from assistant.ports import DraftArchive
from assistant.presenter import NOTHING_TO_PLAIN
from assistant.schema import Draft, DraftRequest
from assistant.usecases.chat_refine import Refinement
from assistant.usecases.drafts import revalidate
from assistant.usecases.rewrite import Revision, SectionRewriter, latest_draft, queue_revision

__all__ = ["NothingToRefine", "checked", "plainer", "start_refine", "with_fact", "with_finance"]

SECTIONS: tuple[Section, ...] = ("sachdarstellung", "beschlussvorschlag")


class NothingToRefine(ValueError):
    """The refinement would leave the draft as it is; ``str(err)`` is German."""


def _request(base: Draft, **changes: str) -> DraftRequest:
    """The base's request with ``changes``, validated again (its limits hold)."""
    return DraftRequest.model_validate({**base.request.model_dump(), **changes})


def _joined(before: str, added: str) -> str:
    return f"{before.rstrip()}\n{added}" if before.strip() else added


def with_finance(base: Draft, text: str) -> Draft:
    """``base`` with ``text`` appended to the Finanzielle Auswirkungen of its request and of
    the draft (instead of „keine“), checked again."""
    request = _request(
        base, finanzielle_auswirkungen=_joined(base.request.finanzielle_auswirkungen or "", text)
    )
    shown = base.finanzielle_auswirkungen.strip()
    if shown in ("", NO_FINANCIAL_IMPACT) or shown == finanzen_for(base.request):
        finanzen = finanzen_for(request)  # as a new draft would show it
    else:  # the clerk's own edited text, kept, the addition below it
        finanzen = _joined(shown, text)
    return revalidate(
        base.model_copy(update={"request": request, "finanzielle_auswirkungen": finanzen})
    )


def with_fact(base: Draft, text: str) -> Draft:
    """``base`` with ``text`` as one more line of its request's facts."""
    fakten = base.request.fakten or ""
    line = text if text.startswith("- ") else f"- {text}"
    return base.model_copy(update={"request": _request(base, fakten=_joined(fakten, line))})


def plainer(base: Draft) -> Draft:
    """``base`` with judging words taken out of both sections, checked again.

    Raises:
        NothingToRefine: the rules found nothing to take out.
    """
    changes = {section: matter_of_fact(getattr(base, section)) for section in SECTIONS}
    if not any(result.removed for result in changes.values()):
        raise NothingToRefine(NOTHING_TO_PLAIN)
    return revalidate(
        base.model_copy(update={section: result.text for section, result in changes.items()})
    )


async def checked(draft: Draft) -> AsyncIterator[DraftEvent]:
    """A checked draft as a job's events: its sources, both sections, its check, itself."""
    yield RetrievalDone(citations=list(draft.citations))
    for section in SECTIONS:
        yield SectionDone(section=section, text=getattr(draft, section))
    assert draft.validation is not None
    yield ValidationDone(report=draft.validation)
    yield DraftDone(draft=draft)


async def start_refine(
    jobs: DraftJobs,
    archive: DraftArchive,
    writer: SectionRewriter,
    draft_id: str,
    refinement: Refinement,
    *,
    actor: str,
    allow_nonpublic: bool,
) -> DraftJob:
    """Queue ``refinement`` of the draft's latest version (see the module docstring).

    Raises:
        ValueError: the refinement is not usable (``Refinement.usable``).
        NothingToRefine: „sachlicher“ found nothing to change (no version is made).
        MissingDraft, JobBusy, QueueFull: as :func:`assistant.usecases.rewrite.start_rewrite`.
        ValidationError: the refined request breaks a limit (German message).
    """
    if not refinement.usable:
        raise ValueError(f"refinement {refinement.kind!r} cannot be applied")
    base = await latest_draft(archive, draft_id, allow_nonpublic=allow_nonpublic)
    if refinement.kind == "finanzierung":  # done now, so that a broken limit is a 422
        base = with_finance(base, refinement.text)
    elif refinement.kind == "fakt":
        base = with_fact(base, refinement.text)
    elif refinement.kind == "sachlicher":
        base = plainer(base)
    refined = base

    def events() -> AsyncIterator[DraftEvent]:
        if refinement.kind in ("finanzierung", "sachlicher"):
            return checked(refined)
        return writer.rewrite(refined, "sachdarstellung", precedents=refinement.kind != "kuerzer")

    revision = Revision(draft_id, base.request, events, "refined", "edit")
    return await queue_revision(
        jobs, archive, revision, actor=actor, allow_nonpublic=allow_nonpublic
    )
