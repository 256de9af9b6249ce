"""The German wording of batch summaries (issue 13): field titles, statuses, reasons, counts.

Shared by the checks (where a finding applies), the CLI, the report and the search results.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = [
    "BEZUG_LABELS",
    "COVERAGE_LABELS",
    "KURZFASSUNG_LABEL",
    "NO_SUMMARIES",
    "STATUS_LABELS",
    "SUMMARY_FIELD_TITLES",
    "SUMMARY_JOB_BUSY",
    "SUMMARY_JOB_CANCELLED",
    "SUMMARY_JOB_FAILED",
    "SUMMARY_JOB_MISSING",
    "kurzfassung_text",
    "model_failed",
    "not_in_limit",
    "not_in_since",
    "notes_missing",
    "parse_failed",
    "partly_read",
    "summary_counts",
    "summary_field_title",
    "summary_job_interrupted",
    "summary_job_result",
    "unexpected_failure",
]

#: How a search hit's automatic summary is introduced.
KURZFASSUNG_LABEL = "Kurzfassung (automatisch)"

SUMMARY_FIELD_TITLES: dict[str, str] = {
    "kurzfassung": "Kurzfassung",
    "beschluss": "Beschluss",
    "entscheidendes_gremium": "Entscheidendes Gremium",
    "betraege": "Beträge",
    "schlagworte": "Schlagworte",
    "betroffene_gruppen": "Betroffene Gruppen",
    "orte": "Orte",
    "integrationskonzept": "Integrationskonzept",
}
_SUBFIELDS = {"betrag": "Betrag", "zweck": "Zweck", "referenz": "Name", "bezug": "Bezug"}
_ITEM = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")

STATUS_LABELS: dict[str, str] = {
    "ok": "geprüft",
    "befunde": "mit Befunden",
    "fehlgeschlagen": "fehlgeschlagen",
    "unlesbar": "unlesbar",
    "uebersprungen": "übersprungen",
}
COVERAGE_LABELS: dict[str, str] = {
    "vollstaendig": "ganz gelesen",
    "teilweise": "teilweise gelesen",
    "keine": "nicht gelesen",
}
BEZUG_LABELS: dict[str, str] = {
    "ist_konzept": "ist ein Integrationskonzept",
    "setzt_um": "setzt ein Integrationskonzept um",
    "verweist": "verweist auf ein Integrationskonzept",
    "keiner": "kein Bezug",
}


def summary_field_title(name: str) -> str:
    """ "betraege[1].zweck" -> "Beträge, Nr. 2, Zweck"; unknown names as they are."""
    match = _ITEM.fullmatch(name)
    if not match:
        return name
    field, index, sub = match.groups()
    parts = [SUMMARY_FIELD_TITLES.get(field, field)]
    if index is not None:
        parts.append(f"Nr. {int(index) + 1}")
    if sub:
        parts.append(_SUBFIELDS.get(sub, sub))
    return ", ".join(parts)


def model_failed(detail: str) -> str:
    return f"Das Sprachmodell hat keine brauchbare Zusammenfassung geliefert: {detail}"


def unexpected_failure() -> str:
    return "Die Vorlage konnte wegen eines internen Fehlers nicht zusammengefasst werden."


def parse_failed(detail: str) -> str:
    return f"Die Vorlage konnte nicht gelesen werden: {detail}"


def not_in_since(since: str) -> str:
    return f"Die Vorlage ist älter als {since} oder undatiert (--since)."


def not_in_limit(limit: int) -> str:
    return f"Nicht bearbeitet: die Grenze von {limit} Vorlagen je Lauf war erreicht (--limit)."


NOTES_MISSING = "Die Notizen zu diesem Teil fehlen"


def notes_missing(detail: str) -> str:
    """The reason of a part whose notes the model did not deliver."""
    return f"{NOTES_MISSING}: {detail}"


def partly_read(reasons: Sequence[str | None], total: int) -> str:
    """Why only some of ``total`` parts were read, from the unread parts' ``reasons``: the
    Vorlage was too long, the model failed on some parts, or both."""
    failed = sum(1 for reason in reasons if (reason or "").startswith(NOTES_MISSING))
    causes = []
    if len(reasons) > failed:
        causes.append("der Rest war zu lang")
    if failed:
        parts = "einem Teil" if failed == 1 else f"{failed} Teilen"
        causes.append(f"zu {parts} lieferte das Sprachmodell keine brauchbaren Notizen")
    read = total - len(reasons)
    return f"Nur {read} von {total} Teilen der Vorlage wurden gelesen; {' und '.join(causes)}."


def summary_counts(counts: Mapping[str, int]) -> str:
    """ "12 geprüft, 3 mit Befunden, 1 fehlgeschlagen, 40 schon erledigt" (zeros left out)."""
    labels = {
        **STATUS_LABELS,
        "erledigt": "schon erledigt",
        "nicht_bearbeitet": "nicht bearbeitet",
    }
    shown = [f"{n} {labels.get(key, key)}" for key, n in counts.items() if n]
    return ", ".join(shown) or "noch nichts"


def kurzfassung_text(status: str, kurzfassung: str) -> str:
    """The Kurzfassung as a search result shows it; one kept with findings says so."""
    if status == "befunde":
        return f"{kurzfassung} (Automatische Zusammenfassung, bei der Prüfung beanstandet.)"
    return kurzfassung


# --- the archive's summaries in the app (POST /api/summaries, GET /bericht) ---------------------

NO_SUMMARIES = (
    "Es gibt noch keine Zusammenfassungen. Wer Vorlagen einlesen darf, startet sie auf der "
    "Startseite mit „Archiv zusammenfassen“ (oder mit „vorlagen summarize --store“)."
)
SUMMARY_JOB_MISSING = "Diese Zusammenfassung des Archivs gibt es nicht (mehr)."
SUMMARY_JOB_BUSY = (
    "Das Archiv wird gerade schon zusammengefasst; bitte warten Sie, bis dieser Lauf fertig ist."
)
SUMMARY_JOB_CANCELLED = (
    "Die Zusammenfassung des Archivs wurde abgebrochen; was fertig war, ist gespeichert."
)
SUMMARY_JOB_FAILED = (
    "Die Zusammenfassung des Archivs ist fehlgeschlagen; was fertig war, ist gespeichert. "
    "Bitte später erneut starten."
)


def summary_job_result(counts: Mapping[str, int], model_calls: int) -> str:
    """The sentence at the end of a job: „Archiv zusammengefasst: 3 geprüft, 1 mit Befunden,
    40 schon erledigt (5 Modellaufrufe).“"""
    calls = "1 Modellaufruf" if model_calls == 1 else f"{model_calls} Modellaufrufe"
    return f"Archiv zusammengefasst: {summary_counts(counts)} ({calls})."


def summary_job_interrupted(done: int, total: int | None) -> str:
    """The sentence of a job the service's stop or restart interrupted, with how far it got
    (as last recorded): „Der Lauf wurde durch einen Neustart des Dienstes unterbrochen, nach
    12 von 40 Vorlagen. …“"""
    where = (
        f"nach {done} von {total} Vorlagen"
        if total is not None and done > 0
        else "bevor die erste Vorlage bearbeitet war"
    )
    return (
        f"Der Lauf wurde durch einen Neustart des Dienstes unterbrochen, {where}. Ein neuer "
        "Lauf setzt dort fort; Erledigtes wird nicht noch einmal zusammengefasst."
    )
