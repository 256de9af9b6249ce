"""„Als Word-Datei“ in a bot: the stored latest version of a draft as a DOCX file.

The file is made from the version in the draft archive, never from text a button carried
back: the button names only the draft. The asking user must be able to see the draft with
the rights they have in this conversation (in a channel: öffentliche Vorlagen only), else
the draft „does not exist“ for them. A draft with errors is exported anyway, with its
findings in the file (as the page's forced export), and the export is recorded in the audit
log under the user's name.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from api.bots.identity import Identity
from assistant import presenter_bots
from assistant.export.errors import ExportError
from assistant.ports import BackendError, DraftArchive
from assistant.usecases.drafts import export_checked
from assistant.usecases.rewrite import MissingDraft, latest_draft

__all__ = ["WordFailed", "WordFile", "word_file"]


class WordFailed(BackendError):
    """The Word file could not be made; ``str(err)`` is German."""


@dataclass(frozen=True)
class WordFile:
    """A draft's Word file: ``name`` (``entwurf-<id>.docx``) and its bytes."""

    name: str
    data: bytes


async def word_file(archive: DraftArchive, identity: Identity, draft_id: str) -> WordFile:
    """The latest stored version of ``draft_id`` as DOCX for ``identity``; raises
    :class:`MissingDraft` (also for a draft the user may not see) or :class:`WordFailed`."""
    allowed = identity.may_see_nonpublic
    draft = await latest_draft(archive, draft_id, allow_nonpublic=allowed)
    if not allowed and any(c.oeffentlich is not True for c in draft.citations):
        raise MissingDraft
    try:
        exported = await asyncio.to_thread(export_checked, draft, "docx", force=True)
    except ExportError as err:
        raise WordFailed(presenter_bots.EXPORT_FAILED) from err
    sources = [c.vorlage_id for c in draft.citations]
    await asyncio.to_thread(archive.audit, identity.name, "export", (draft_id,), sources)
    return WordFile(f"entwurf-{draft_id}{exported.suffix}", exported.data)
