"""The per-document function of a batch summary: one job in, one record out (issue 13).

:func:`run_summary_job` is what both engines run (the local threads and the Ray actors): it
never raises for a document; a failing model becomes a record with status
``fehlgeschlagen`` and the German reason, so that a run goes on. It depends only on its
arguments (a :class:`Summarizer` and a :class:`SummaryJob`), so the same job gives the same
record wherever it runs (apart from ``created_at`` and ``seconds``).

:func:`record_fields` copies what the parsed record states (Vorlagen-Nr., Betreff, dates,
bodies, Beratungsfolge); the model's deciding body is used only when the Beratungsfolge names
none with the role Entscheidung.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assistant.ports import LLMError
from assistant.presenter_summaries import model_failed, partly_read, unexpected_failure
from assistant.schema import Vorlage
from assistant.summarize import Summarizer, SummaryResult
from assistant.summary_schema import Coverage, Integrationsbezug, SummaryRecord, SummaryStatus

__all__ = ["SummaryJob", "record_fields", "run_summary_job", "skipped_record"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryJob:
    """One document to summarise: its source key, content hash and parsed Vorlage."""

    source: str
    content_hash: str
    vorlage: Vorlage


def record_fields(vorlage: Vorlage) -> dict[str, Any]:
    """The record's fields taken from the parsed Vorlage, never from the model."""
    deciding = [s.gremium for s in vorlage.beratungsfolge if s.rolle == "Entscheidung"]
    return {
        "vorlage_id": vorlage.id,
        "kommune": vorlage.kommune,
        "vorlagen_nr": vorlage.vorlagen_nr,
        "art": vorlage.art,
        "oeffentlich": vorlage.oeffentlich,
        "datum": vorlage.datum,
        "betreff": vorlage.betreff,
        "federfuehrung": vorlage.federfuehrung,
        "beratungsfolge": vorlage.beratungsfolge,
        "entscheidungsgremium": deciding[-1] if deciding else None,
        "entscheidungsgremium_quelle": "vorlage" if deciding else None,
    }


def run_summary_job(summarizer: Summarizer, job: SummaryJob, prompt_version: str) -> SummaryRecord:
    """The record of ``job``: summarised (``ok`` or kept with ``befunde``) or ``fehlgeschlagen``
    with its reason. Never raises for a document."""
    started = time.monotonic()
    base = {
        "source": job.source,
        "content_hash": job.content_hash,
        "model": summarizer.model,
        "prompt_version": prompt_version,
        "created_at": datetime.now(UTC),
        **record_fields(job.vorlage),
    }
    try:
        result = summarizer.summarize(job.vorlage)
    except LLMError as err:
        return SummaryRecord(
            **base,
            status="fehlgeschlagen",
            reason=model_failed(str(err)),
            seconds=round(time.monotonic() - started, 3),
        )
    except Exception:
        log.exception("summary of %s failed unexpectedly", job.vorlage.id)
        return SummaryRecord(
            **base,
            status="fehlgeschlagen",
            reason=unexpected_failure(),
            seconds=round(time.monotonic() - started, 3),
        )
    return _summarised(base, result, time.monotonic() - started)


def _partly_read(result: SummaryResult) -> str:
    unread = [part.reason for part in result.parts if not part.read]
    return partly_read(unread, len(result.parts))


def _summarised(base: dict[str, Any], result: SummaryResult, seconds: float) -> SummaryRecord:
    out = result.out
    read = sum(1 for part in result.parts if part.read)
    coverage: Coverage = "vollstaendig" if read == len(result.parts) else "teilweise"
    status: SummaryStatus = "ok" if result.ok else "befunde"
    if base["entscheidungsgremium"] is None and out.entscheidendes_gremium.strip():
        base = {
            **base,
            "entscheidungsgremium": out.entscheidendes_gremium.strip(),
            "entscheidungsgremium_quelle": "modell",
        }
    return SummaryRecord(
        **base,
        status=status,
        reason=None if coverage == "vollstaendig" else _partly_read(result),
        seconds=round(seconds, 3),
        model_calls=result.calls,
        repaired=result.repaired,
        kurzfassung=out.kurzfassung.strip(),
        beschluss=out.beschluss.strip(),
        betraege=out.betraege,
        schlagworte=_unique(out.schlagworte),
        betroffene_gruppen=_unique(out.betroffene_gruppen),
        orte=_unique(out.orte),
        integrationskonzept=_concept(out.integrationskonzept),
        findings=result.findings,
        coverage=coverage,
        parts=result.parts,
    )


def skipped_record(
    source: str,
    content_hash: str,
    prompt_version: str,
    reason: str,
    vorlage: Vorlage | None = None,
    *,
    status: SummaryStatus = "uebersprungen",
) -> SummaryRecord:
    """The record of a document that was not summarised (``unlesbar`` or ``uebersprungen``)."""
    fields = record_fields(vorlage) if vorlage is not None else {}
    return SummaryRecord(
        source=source,
        content_hash=content_hash,
        prompt_version=prompt_version,
        status=status,
        reason=reason,
        created_at=datetime.now(UTC),
        **fields,
    )


def _concept(concept: Integrationsbezug) -> Integrationsbezug:
    """No name without a relation: a ``referenz`` beside ``keiner`` is dropped."""
    if concept.bezug == "keiner" and concept.referenz:
        return concept.model_copy(update={"referenz": ""})
    return concept


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = " ".join(value.split())
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())
