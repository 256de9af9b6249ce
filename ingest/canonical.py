"""The canonical choice: which section becomes which field of the ``Vorlage``.

A "Begründung" is the Sachdarstellung when the document has no facts section of its own, and
the separate ``begruendung`` field otherwise (``assistant.schema.Vorlage``). THE
Beschlussvorschlag is the full operative text under "Beschluss:" at the end when a document
prints one (Karlsruhe prints a short "Beschlussantrag (Kurzfassung)" on page 1 as well), else
the best resolution section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.headings import Kind
from ingest.segment import RawSection

_SUBSTANTIAL = 40


def best_section(sections: list[RawSection], kind: Kind) -> RawSection | None:
    """The section of ``kind`` with the highest rank, ties to the longest non-empty text."""
    candidates = [s for s in sections if s.kind == kind and s.text]
    if not candidates:
        return None
    # A few words under a heading (a page header's leftovers, "siehe Anlage") lose to a real text.
    return max(candidates, key=lambda s: (len(s.text) >= _SUBSTANTIAL, s.rank, len(s.text)))


@dataclass
class CanonicalSections:
    """The sections chosen for the canonical fields (``None`` where the document has none)."""

    beschlussvorschlag: RawSection | None = None
    sachdarstellung: RawSection | None = None
    begruendung: RawSection | None = None
    finanzielle_auswirkungen: RawSection | None = None
    klimaschutz: RawSection | None = None
    anlagen: list[RawSection] = field(default_factory=list)

    def canonical_of(self, section: RawSection) -> str | None:
        """The canonical field a section was chosen for, by identity."""
        for name in (
            "beschlussvorschlag",
            "sachdarstellung",
            "begruendung",
            "finanzielle_auswirkungen",
            "klimaschutz",
        ):
            if getattr(self, name) is section:
                return name
        return "anlagen" if any(a is section for a in self.anlagen) else None


_BESCHLUSS_HEADING = re.compile(r"^Beschluss(?!\w)", re.IGNORECASE)


def final_resolution(sections: list[RawSection]) -> RawSection | None:
    """The full resolution printed under "Beschluss:" at the end of a Vorlage, if any.

    Karlsruhe prints the resolution twice: a short "Beschlussantrag (Kurzfassung)" /
    "Kurzfassung" / "Antrag an den Gemeinderat" on page 1 (often a summary, or "Beschluss mit
    vollständigem Wortlaut siehe Seite 5") and the operative text under "Beschluss:" (followed
    by "Antrag an den Gemeinderat ..." or directly by the text) at the end. The full operative
    text is what a clerk wants as an example, so it is THE Beschlussvorschlag; the last such
    section wins.
    """
    chosen: RawSection | None = None
    for i, section in enumerate(sections):
        if section.kind != "resolution" or not _BESCHLUSS_HEADING.match(section.heading):
            continue
        if section.text:
            chosen = section
        elif i + 1 < len(sections) and sections[i + 1].kind == "resolution":
            chosen = sections[i + 1] if sections[i + 1].text else chosen
    return chosen


def choose_canonical(sections: list[RawSection]) -> CanonicalSections:
    """Pick the canonical sections; a Begründung is the facts section when there is no other."""
    facts = best_section(sections, "facts")
    reasons = best_section(sections, "reasons")
    if facts is None:
        facts, reasons = reasons, None
    facts = _follow_annex_reference(facts, sections)
    finance = best_section(sections, "finance") or next(
        (s for s in sections if s.kind == "finance"), None
    )
    return CanonicalSections(
        beschlussvorschlag=final_resolution(sections) or best_section(sections, "resolution"),
        sachdarstellung=facts,
        begruendung=reasons,
        finanzielle_auswirkungen=finance,
        klimaschutz=best_section(sections, "climate"),
        anlagen=[s for s in sections if s.kind == "attachments" and s.text],
    )


_SEE_ANNEX = re.compile(r"^(?:siehe|s\.|vgl\.)\s*(Anlage \d{1,2})\W*$", re.IGNORECASE)


def _follow_annex_reference(
    facts: RawSection | None, sections: list[RawSection]
) -> RawSection | None:
    """ "Begründung: siehe Anlage 1": the facts are the annex printed in the same document."""
    if facts is None:
        return None
    m = _SEE_ANNEX.match(facts.text)
    if m is None:
        return facts
    wanted = m.group(1).lower()
    annex = next(
        (s for s in sections if s.kind == "annex" and s.heading.lower().startswith(wanted)), None
    )
    return annex if annex is not None and annex.text else facts
