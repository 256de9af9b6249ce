"""The difference between two versions of a draft, section by section
(``GET /api/drafts/{id}/diff``, the page's „Fassungen vergleichen“).

Texts are compared word by word with :mod:`difflib` (whitespace kept, so that the parts put
together give each version's text again): a part is ``equal``, ``delete`` (only in the
earlier version ``von``) or ``insert`` (only in the later one ``zu``); a replaced passage is a
``delete`` followed by an ``insert``. ``von`` may also be the later number: the diff then
reads backwards. Counts are words (whitespace does not count).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, Field

from assistant import presenter
from assistant.ports import DraftVersion
from assistant.schema import Draft

__all__ = [
    "SECTIONS",
    "DiffPart",
    "MissingVersion",
    "SectionDiff",
    "VersionDiff",
    "diff_texts",
    "diff_versions",
]

#: The sections compared, in the order of a Vorlage (Begründung only when one version has it).
SECTIONS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
)

_TOKENS = re.compile(r"\s+|\S+")

PartKind = Literal["equal", "delete", "insert"]


class DiffPart(BaseModel):
    """A run of text that both versions share (``equal``), or only the earlier (``delete``)
    or only the later one (``insert``)."""

    kind: PartKind
    text: str


class SectionDiff(BaseModel):
    """One section compared: its title, whether it changed, counted words and the parts."""

    section: str
    title: str
    changed: bool
    inserted: int = Field(description="Eingefügte Wörter")
    deleted: int = Field(description="Gestrichene Wörter")
    summary: str = Field(description="Deutsch, z. B. „3 Wörter eingefügt, 1 Wort gestrichen“")
    parts: list[DiffPart]


class VersionDiff(BaseModel):
    """Two versions of one draft compared, section by section."""

    id: str
    von: int
    zu: int
    summary: str = Field(description="Deutsch: was sich insgesamt geändert hat")
    sections: list[SectionDiff]


class MissingVersion(LookupError):
    """A version number the draft does not have (``str()`` is German)."""

    def __init__(self, number: int) -> None:
        super().__init__(presenter.no_version(number))
        self.number = number

    def __str__(self) -> str:
        return str(self.args[0])


def _words(parts: Sequence[DiffPart], kind: PartKind) -> int:
    return sum(len(p.text.split()) for p in parts if p.kind == kind)


def _append(parts: list[DiffPart], kind: PartKind, tokens: Sequence[str]) -> None:
    text = "".join(tokens)
    if not text:
        return
    if parts and parts[-1].kind == kind:
        parts[-1] = DiffPart(kind=kind, text=parts[-1].text + text)
    else:
        parts.append(DiffPart(kind=kind, text=text))


def diff_texts(old: str, new: str) -> list[DiffPart]:
    """``old`` against ``new``, word by word; the ``equal`` and ``delete`` parts give ``old``,
    the ``equal`` and ``insert`` parts give ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[DiffPart] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(parts, "equal", a[i1:i2])
            continue
        _append(parts, "delete", a[i1:i2])
        _append(parts, "insert", b[j1:j2])
    return parts


def _section(name: str, old: Draft, new: Draft) -> SectionDiff | None:
    before, after = getattr(old, name) or "", getattr(new, name) or ""
    if name == "begruendung" and not before and not after:
        return None
    parts = diff_texts(before, after)
    inserted, deleted = _words(parts, "insert"), _words(parts, "delete")
    return SectionDiff(
        section=name,
        title=presenter.section_title(name),
        changed=before != after,
        inserted=inserted,
        deleted=deleted,
        summary=presenter.diff_summary(inserted, deleted, changed=before != after),
        parts=parts,
    )


def diff_versions(versions: Sequence[DraftVersion], von: int, zu: int) -> VersionDiff:
    """Version ``von`` of a draft against version ``zu`` (``versions`` belong to one draft).

    Raises:
        MissingVersion: ``von`` or ``zu`` is not among ``versions``.
    """
    by_number = {v.number: v for v in versions}
    for number in (von, zu):
        if number not in by_number:
            raise MissingVersion(number)
    old, new = by_number[von], by_number[zu]
    sections = [s for name in SECTIONS if (s := _section(name, old.draft, new.draft)) is not None]
    inserted = sum(s.inserted for s in sections)
    deleted = sum(s.deleted for s in sections)
    changed = any(s.changed for s in sections)
    return VersionDiff(
        id=new.draft_id,
        von=von,
        zu=zu,
        summary=presenter.diff_summary(inserted, deleted, changed=changed),
        sections=sections,
    )
