"""German wording of the Mitzeichnung (approval of a draft): the request, the decision and
every refusal, the same on the page, over HTTP and in the bots. Plain strings; the bots escape
them for their platforms (the names and notes in them are untrusted text)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = [
    "APPROVAL_NEEDS_DRAFT",
    "APPROVAL_TITLE",
    "APPROVER_MISSING",
    "BUTTON_APPROVE",
    "BUTTON_RETURN",
    "DECISION_LABELS",
    "DRAFT_NOT_FINISHED",
    "MISSING_APPROVAL",
    "NOTES_LABEL",
    "NOTES_PLACEHOLDER",
    "NOTES_REQUIRED",
    "NOT_APPROVER",
    "OWN_APPROVAL",
    "already_decided",
    "approval_request_line",
    "approval_sent",
    "approver_may_not_see",
    "decision_label",
    "decision_line",
    "decision_notice",
    "german_time",
    "not_addressed",
    "notes_too_long",
    "stale_version",
    "unknown_approver",
    "version_moved_on",
]

LOCAL_TIME = ZoneInfo("Europe/Berlin")

APPROVAL_TITLE = "Bitte um Mitzeichnung"
BUTTON_APPROVE = "Freigeben"
BUTTON_RETURN = "Zurückgeben"
NOTES_LABEL = "Anmerkungen"
NOTES_PLACEHOLDER = "Was soll geändert werden? (beim Zurückgeben erforderlich)"

#: A decision (``assistant.ports_approval.Decision``) as a clerk reads it.
DECISION_LABELS: dict[str, str] = {
    "freigegeben": "freigegeben",
    "zurueckgegeben": "zurückgegeben",
}

MISSING_APPROVAL = "Diese Bitte um Mitzeichnung gibt es nicht (oder Sie dürfen sie nicht sehen)."
NOT_APPROVER = "Sie sind nicht zur Mitzeichnung berechtigt."
OWN_APPROVAL = "Sie können Ihren eigenen Entwurf nicht selbst mitzeichnen."
DRAFT_NOT_FINISHED = (
    "Der Entwurf wird gerade geschrieben; bitte senden Sie ihn zur Mitzeichnung, "
    "wenn er fertig ist."
)
NOTES_REQUIRED = "Bitte schreiben Sie beim Zurückgeben in die Anmerkungen, was zu ändern ist."


def german_time(value: datetime) -> str:
    """A stored (UTC) time in German local time: „30.11.2026, 16:20 Uhr“."""
    return value.astimezone(LOCAL_TIME).strftime("%d.%m.%Y, %H:%M Uhr")


def decision_label(decision: str) -> str:
    """The German word for a decision (the decision itself when unknown)."""
    return DECISION_LABELS.get(decision, decision)


def approval_request_line(requested_by: str, betreff: str, version: int) -> str:
    """What the approver is asked: „alice bittet um Mitzeichnung: „Betreff“ (Fassung 3).“"""
    return f"{requested_by} bittet um Mitzeichnung: „{betreff}“ (Fassung {version})."


def decision_line(decision: str, decided_by: str, decided_at: datetime) -> str:
    """„Freigegeben von bruno am 30.11.2026, 16:20 Uhr.“"""
    label = decision_label(decision)
    return f"{label[:1].upper()}{label[1:]} von {decided_by} am {german_time(decided_at)}."


def already_decided(decision: str, decided_by: str, decided_at: datetime) -> str:
    """A second decision on one request, refused."""
    return (
        "Über diese Bitte um Mitzeichnung ist bereits entschieden: "
        f"{decision_label(decision)} von {decided_by} am {german_time(decided_at)}."
    )


def stale_version(asked: int, current: int) -> str:
    """A decision on a version that is no longer the draft's latest, refused."""
    return (
        f"Der Entwurf wurde seit der Bitte um Mitzeichnung geändert (jetzt Fassung {current}, "
        f"erbeten für Fassung {asked}); entschieden werden kann nur über die aktuelle Fassung. "
        "Bitte lassen Sie die neue Fassung erneut zur Mitzeichnung senden."
    )


def version_moved_on(seen: int, current: int) -> str:
    """A request for a version the clerk saw that is no longer the latest, refused."""
    return (
        f"Inzwischen gibt es eine neuere Fassung ({current}) als die angezeigte ({seen}); "
        "bitte prüfen Sie die neue Fassung, bevor Sie sie zur Mitzeichnung senden."
    )


def unknown_approver(name: str) -> str:
    return f"„{name}“ ist nicht als mitzeichnende Person eingerichtet."


def approver_may_not_see(name: str) -> str:
    return (
        f"„{name}“ darf nichtöffentliche Vorlagen nicht sehen und kann diesen Entwurf "
        "daher nicht mitzeichnen."
    )


def not_addressed(approver: str) -> str:
    """A decision by an approver the request is not addressed to, refused."""
    return f"Diese Bitte um Mitzeichnung richtet sich an {approver}; nur diese Person entscheidet."


def notes_too_long(limit: int) -> str:
    return f"Die Anmerkungen sind zu lang (höchstens {limit} Zeichen)."


# --- the bots (api/bots/*_approval.py) -------------------------------------------------------

APPROVAL_NEEDS_DRAFT = (
    "Hier gibt es noch keinen Entwurf; bitte schreiben Sie „Mitzeichnung: Name“ im Thread des "
    "Entwurfs."
)

APPROVER_MISSING = "Bitte nennen Sie, wer mitzeichnen soll, z. B. „Mitzeichnung: Name“."


def approval_sent(approver: str, version: int, *, delivered: bool) -> str:
    """The clerk's answer once the request is stored (``delivered``: the approver got the
    card in the chat; else the request waits for them in the API and on the page)."""
    sent = f"Fassung {version} ist an {approver} zur Mitzeichnung gesendet."
    if delivered:
        return sent
    return f"{sent} {approver} ist hier im Chat nicht eingerichtet; bitte geben Sie Bescheid."


def decision_notice(
    decision: str, decided_by: str, betreff: str, version: int, notes: str | None
) -> str:
    """What the clerk who asked learns: „bruno hat „Betreff“ (Fassung 2) freigegeben.“ and
    the notes on a line of their own."""
    said = f"{decided_by} hat „{betreff}“ (Fassung {version}) {decision_label(decision)}."
    return f"{said}\n{NOTES_LABEL}: {notes}" if notes else said
