"""Rule ``grounded``: every fact in the draft is backed by the request or a cited source.

Facts are compared in normalised form (:mod:`.facts`): every number, amount, percentage, date,
year, time, paragraph reference (§) and Vorlagen-Nr. in the draft's texts must occur in the
request (betreff, kommune, gremium, fakten, finanzielle_auswirkungen, Beratungsfolge) or in a
citation the draft actually cites with ``[n]`` (its passage, Vorlagen-Nr. and Betreff).
Citation markers, list numbering ("1.", "2)") and attachment numbers ("Anlage 1") are not facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.facts import extract_facts, sources_of
from assistant.validation.findings import finding, texts


def check_grounded(draft: Draft) -> Iterator[Finding]:
    """Every number, amount, date, year, percentage, § and Vorlagen-Nr. in the draft occurs in
    the request or in a passage the draft cites."""
    sources = sources_of(draft)
    for name, text in texts(draft):
        for fact in extract_facts(text):
            if not sources.covers(fact):
                yield finding(
                    "grounded",
                    f"{fact.label} „{fact.raw}“ steht weder in Ihren Angaben noch in einer "
                    "zitierten Quelle.",
                    field_name=name,
                    span=(fact.start, fact.end),
                    token=fact.raw,
                )
