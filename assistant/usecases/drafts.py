"""Draft requests in, checked drafts out: the rules every entry point applies before and after
the drafting service (:class:`assistant.drafting.DraftingService`).

* :func:`prepare_request`: a clerk's request, normalised (whitespace, empty optional fields),
  refused when it has no Betreff or no deciding Gremium, and completed with the installation's
  header data. The limits (``k``, length of the facts) are validators of
  :class:`~assistant.schema.DraftRequest` itself.
* :func:`revalidate`: a draft checked again (a clerk may have edited it since): the stored
  ``validation`` is replaced. Checks are deterministic, so this is always safe.
* :func:`export_checked`: the one way to export a draft: checked again, then exported; refused
  while it has errors unless forced (a forced export carries the findings visibly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.export import FORMATS, ExportError, export
from assistant.schema import Draft, DraftRequest, SearchFilter
from assistant.usecases.errors import InvalidRequest
from assistant.validation import validate

__all__ = [
    "DRAFT_FORMATS",
    "FORMATS",
    "MEDIA_TYPES",
    "Exported",
    "export_checked",
    "export_format",
    "export_options",
    "prepare_request",
    "revalidate",
]

#: The formats a fresh draft is handed out in (an export offers :data:`FORMATS`).
DRAFT_FORMATS: tuple[str, ...] = ("md", "json", "docx")

#: Media type and file suffix of each export format (for HTTP responses and file names).
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "md": ("text/markdown; charset=utf-8", ".md"),
    "json": ("application/json", ".json"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "oparl": ("application/json", ".oparl.json"),
    "html": ("text/html; charset=utf-8", ".html"),
}


def _line(value: str | None) -> str | None:
    """A single-line field: inner whitespace collapsed, empty as None."""
    return " ".join(value.split()) or None if value else None


def _text(value: str | None) -> str | None:
    """A multi-line field: surrounding whitespace dropped, empty as None."""
    return value.strip() or None if value else None


def prepare_request(
    request: DraftRequest, *, kommune: str | None = None, federfuehrung: str | None = None
) -> DraftRequest:
    """``request`` ready for the drafting service.

    Single-line fields have their whitespace collapsed, empty optional fields become None (an
    empty Art the default "Beschlussvorlage"); ``kommune`` and ``federfuehrung`` (the
    installation's ``vorlage.*`` settings) fill the header where the request names none (they
    do not restrict the search).

    Raises:
        InvalidRequest: the Betreff or the deciding Gremium is empty (German).
    """
    betreff = _line(request.betreff)
    if betreff is None:
        raise InvalidRequest("Der Betreff ist leer; bitte einen Betreff angeben.", "betreff")
    gremium = _line(request.gremium)
    if gremium is None:
        raise InvalidRequest(
            "Das entscheidende Gremium ist leer; bitte ein Gremium angeben.", "gremium"
        )
    filters = request.filters
    clean = request.model_copy(
        update={
            "betreff": betreff,
            "gremium": gremium,
            "kommune": _text(request.kommune),
            "art": _text(request.art) or "Beschlussvorlage",
            "fakten": _text(request.fakten) or "",
            "finanzielle_auswirkungen": _text(request.finanzielle_auswirkungen),
            "federfuehrung": _line(request.federfuehrung),
            "aktenzeichen": _line(request.aktenzeichen),
            "filters": SearchFilter(
                kommune=_text(filters.kommune),
                art=_text(filters.art),
                oeffentlich=filters.oeffentlich,
                since=filters.since,
            ),
        }
    )
    return clean.with_defaults(kommune=kommune, federfuehrung=federfuehrung)


def revalidate(draft: Draft) -> Draft:
    """``draft`` with its ``validation`` replaced by a fresh check."""
    return draft.model_copy(update={"validation": validate(draft)})


def export_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """``fmt`` as one of ``allowed`` (case and surrounding spaces do not matter).

    Raises:
        InvalidRequest: an unknown format (German, naming the possible ones).
    """
    kind = fmt.strip().lower()
    if kind not in allowed:
        raise InvalidRequest(
            f"Das Format „{fmt}“ ist unbekannt; möglich sind: {', '.join(allowed)}.", "format"
        )
    return kind


def export_options(fmt: str, template: Path | str | bytes | None = None) -> str:
    """The export format ``fmt`` names, checked together with a Word ``template`` (a path or
    the bytes of a .docx), before any work is done.

    Raises:
        InvalidRequest: an unknown format, or a Word template for another format than docx.
        ExportError: the template file does not exist.
    """
    kind = export_format(fmt)
    if template is not None and kind != "docx":
        raise InvalidRequest("Eine Word-Vorlage ist nur beim Format docx möglich.", "template")
    if isinstance(template, Path) and not template.is_file():
        raise ExportError(f"Die Word-Vorlage {template} wurde nicht gefunden.")
    return kind


@dataclass(frozen=True)
class Exported:
    """An export: the bytes, the draft as checked for it, and how to hand the bytes out."""

    data: bytes
    draft: Draft
    format: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format][0]

    @property
    def suffix(self) -> str:
        return MEDIA_TYPES[self.format][1]


def export_checked(
    draft: Draft,
    fmt: str,
    *,
    force: bool = False,
    template: Path | str | bytes | None = None,
    today: date | None = None,
) -> Exported:
    """Check ``draft`` again and export it in ``fmt`` (see :func:`assistant.export.export`).

    Raises:
        InvalidRequest: an unknown format, or a Word template for another format.
        ExportRefused: the draft has errors and ``force`` is false (German, naming the rules).
        ExportError: the export failed (a missing or unusable Word template; German).
    """
    kind = export_options(fmt, template)
    checked = revalidate(draft)
    data = export(checked, kind, force=force, template=template, today=today)
    return Exported(data=data, draft=checked, format=kind)
