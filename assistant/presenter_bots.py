"""German wording of the Slack and Teams bots (issue 12; the shared wording of drafts, findings
and search hits stays in :mod:`assistant.presenter`)."""

from __future__ import annotations

__all__ = [
    "AS_WORD",
    "BOT_FAILED",
    "CHANNEL_PUBLIC_ONLY",
    "DRAFT_STARTED",
    "EXPORT_FAILED",
    "FINANCE_TITLE",
    "FINDINGS_TITLE",
    "MORE_SOURCES",
    "NOT_YOUR_CONVERSATION",
    "NO_FINDINGS",
    "OPEN_IN_BROWSER",
    "QUESTIONS_INTRO",
    "SOURCES_TITLE",
    "TRUNCATED",
    "UNKNOWN_ACTION",
    "WORD_DECLINED",
    "WORD_OFFERED",
    "WORD_ONLY_DIRECT",
    "WORD_UPLOADED",
    "continued",
    "draft_heading",
    "queue_position",
    "search_heading",
    "section_finished",
]

DRAFT_STARTED = "Entwurf wird erstellt …"
"""The first status of a draft (the status message a platform then updates)."""

BOT_FAILED = "Das hat leider nicht geklappt; bitte versuchen Sie es gleich noch einmal."
"""A failure without a German message of its own (a bug; it is logged)."""

EXPORT_FAILED = "Die Word-Datei konnte nicht erstellt werden; bitte erneut versuchen."
WORD_UPLOADED = "Die Word-Datei zum Entwurf."
QUESTIONS_INTRO = "Für den Entwurf fehlt noch etwas:"
CHANNEL_PUBLIC_ONLY = "Hinweis: In Kanälen verwende ich nur öffentliche Vorlagen."
NOT_YOUR_CONVERSATION = "Diesen Entwurf gibt es nicht (oder Sie dürfen ihn nicht sehen)."
SOURCES_TITLE = "Quellen"
FINDINGS_TITLE = "Prüfung"
FINANCE_TITLE = "Finanzielle Auswirkungen"
NO_FINDINGS = "Keine Hinweise."
OPEN_IN_BROWSER = "Im Browser öffnen"
AS_WORD = "Als Word-Datei"
TRUNCATED = "… (gekürzt; der vollständige Text steht im Browser und in der Word-Datei)"
MORE_SOURCES = "… und {count} weitere Quellen"


def queue_position(position: int) -> str:
    """A waiting draft: where it stands in the model's queue."""
    if position <= 1:
        return "Der Entwurf ist als Nächster an der Reihe …"
    return f"Der Entwurf wartet auf das Sprachmodell (Platz {position} in der Warteschlange) …"


def section_finished(title: str) -> str:
    """A section of the draft was written."""
    return f"{title} ist geschrieben."


def draft_heading(betreff: str, version: int | None, refined: str | None) -> str:
    """The result's heading: "Entwurf: Betreff" or, for a new version, with how it came about
    ("Entwurf: Betreff – Fassung 2, verfeinert")."""
    if refined is None or version is None:
        return f"Entwurf: {betreff}"
    return f"Entwurf: {betreff} – Fassung {version}, {refined}"


def search_heading(query: str, count: int) -> str:
    """Above the hits of a search."""
    return f"{count} ähnliche Vorlagen zu „{query}“:"


# --- Teams (api/bots/teams_*.py) ------------------------------------------------------------

WORD_ONLY_DIRECT = (
    "Die Word-Datei kann ich nur im direkten Chat senden; bitte öffnen Sie den Entwurf im "
    "Browser oder schreiben Sie mir direkt."
)
WORD_OFFERED = "Die Word-Datei ist bereit; bitte bestätigen Sie das Speichern in Ihrem OneDrive."
WORD_DECLINED = "Die Word-Datei wurde nicht gespeichert."
UNKNOWN_ACTION = "Diese Schaltfläche kenne ich nicht (mehr); bitte die Anfrage neu stellen."


def continued(part: int, total: int) -> str:
    """Above the second and further cards of a long draft."""
    return f"Fortsetzung ({part} von {total})"
