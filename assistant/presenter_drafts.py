"""German wording of a clerk's drafts beyond the draft itself: job status, version diffs and
where each number comes from (part of :mod:`assistant.presenter`, which re-exports it)."""

from __future__ import annotations

__all__ = [
    "PROVENANCE",
    "STATUS_LABELS",
    "diff_summary",
    "draft_status",
    "fact_kind",
    "no_version",
    "provenance_label",
    "provenance_summary",
]

#: A draft job's status (``assistant.ports.DraftStatus``) as a clerk reads it.
STATUS_LABELS: dict[str, str] = {
    "queued": "wartet",
    "running": "wird geschrieben",
    "done": "fertig",
    "failed": "gescheitert",
    "cancelled": "abgebrochen",
    "interrupted": "unterbrochen",
}


def draft_status(status: str) -> str:
    """The German word for a draft job's status (the status itself when unknown)."""
    return STATUS_LABELS.get(status, status)


def _words(count: int) -> str:
    return "1 Wort" if count == 1 else f"{count} Wörter"


def diff_summary(inserted: int, deleted: int, *, changed: bool) -> str:
    """What changed between two versions, counted in words („3 Wörter eingefügt, 1 Wort
    gestrichen“); „unverändert“ when nothing, „nur Leerzeichen und Zeilen geändert“ when only
    whitespace changed."""
    if not changed:
        return "unverändert"
    said = [
        f"{_words(n)} {verb}" for n, verb in ((inserted, "eingefügt"), (deleted, "gestrichen")) if n
    ]
    return ", ".join(said) if said else "nur Leerzeichen und Zeilen geändert"


#: Where a number of a draft comes from (``assistant.usecases.provenance``), as marked.
PROVENANCE: dict[str, str] = {
    "angaben": "aus Ihren Angaben",
    "quelle": "aus Quelle",
    "nicht_belegt": "nicht belegt",
}


def fact_kind(label: str) -> str:
    """A fact's kind without its article: „Der Betrag“ -> „Betrag“."""
    article, _, kind = label.partition(" ")
    return kind if article in ("Der", "Die", "Das") and kind else label


def provenance_label(status: str, sources: list[int]) -> str:
    """„aus Ihren Angaben“, „aus Quelle [2]“, „aus Quellen [1] und [3]“ or „nicht belegt“."""
    if status != "quelle":
        return PROVENANCE.get(status, status)
    marks = [f"[{n}]" for n in sources]
    if len(marks) == 1:
        return f"aus Quelle {marks[0]}"
    return f"aus Quellen {', '.join(marks[:-1])} und {marks[-1]}"


def provenance_summary(counts: dict[str, int]) -> str:
    """„5 Angaben: 3 aus Ihren Angaben, 1 aus Quellen, 1 nicht belegt“ (only kinds present)."""
    total = sum(counts.values())
    if not total:
        return "Keine Zahlen, Daten, Beträge, Vorschriften oder Vorlagen-Nummern."
    said = [
        f"{counts[status]} {'aus Quellen' if status == 'quelle' else PROVENANCE[status]}"
        for status in PROVENANCE
        if counts.get(status)
    ]
    head = "1 Angabe" if total == 1 else f"{total} Angaben"
    return f"{head}: {', '.join(said)}"


def no_version(number: int) -> str:
    """A version number a draft does not have."""
    return f"Die Fassung {number} gibt es bei diesem Entwurf nicht."
