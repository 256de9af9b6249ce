"""Segmentation: heading lines -> sections -> the canonical section fields of a Vorlage.

Council systems print the same parts under many names. ``HEADINGS`` maps each known heading to a
*kind*; the segmenter cuts the normalised text at every heading line and then chooses, per
canonical field, the best section of the matching kind:

========================  ==================================================================
kind                      headings (examples)
========================  ==================================================================
``resolution``            Beschlussvorschlag, Beschlussentwurf, Beschlussempfehlung,
                          Beschlussantrag, Antrag an den Gemeinderat, Beschluss:, ...
``facts``                 Sachdarstellung, Sachverhalt, Darstellung des Sachverhaltes,
                          Sachdarstellung/Begründung, Erläuterungen, Ergänzende Erläuterungen
``reasons``               Begründung, Begründung der Verwaltungsempfehlung
``finance``               Finanzielle Auswirkungen, Schnellübersicht über die finanziellen ...
``climate``               Relevanz für den Klimaschutz, Klimacheck, CO2-Relevanz
``attachments``           Anlagen, Anlage/n
``beratungsfolge``        Beratungsfolge (the table itself is parsed by ``ingest.beratungsfolge``)
``betreff``               Betreff:
``None``                  headings that only end the section before them (Ziele, Personelle
                          Auswirkungen, Verfahrensbeteiligte, gezeichnet:, signature lines, ...)
========================  ==================================================================

A "Begründung" is the Sachdarstellung when the document has no facts section of its own, and
the separate ``begruendung`` field otherwise (DESIGN.md section 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Kind = str  # one of the kinds in the module docstring

_END = r"(?=\s*(?::|\t|$|\())"


@dataclass(frozen=True)
class HeadingRule:
    """One entry of the headings dictionary.

    ``rank`` orders headings of the same kind: the section under the highest-ranked heading
    wins, ties go to the longer text. ``inline`` allows section text after the heading on the
    same line ("Betreff: Neubau Kita", "Beschluss: Der Gemeinderat ...").
    """

    pattern: re.Pattern[str]
    kind: Kind | None
    rank: int = 1
    inline: bool = True


def _rule(alternatives: str, kind: Kind | None, rank: int = 1, *, inline: bool = True) -> HeadingRule:
    return HeadingRule(re.compile(rf"(?:{alternatives}){_END}", re.IGNORECASE), kind, rank, inline)


_ANTRAG_AN = r"Antrag an (?:den|die|das) [A-ZÄÖÜ][\w\-]*(?: [\w\-]+){0,3}(?: ?/ ?Ausschuss)?"

#: Ordered: the first rule whose pattern matches a line wins, so specific headings precede
#: general ones ("Erläuterungen zu finanziellen Auswirkungen" before "Erläuterungen").
HEADINGS: tuple[HeadingRule, ...] = (
    _rule(r"Erläuterungen zu (?:den )?finanziellen Auswirkungen", "finance", 1),
    _rule(r"Begründung der (?:Verwaltungsempfehlung|Beschlussempfehlung|Vorlage)", "reasons", 2),
    _rule(
        r"Sachdarstellung\s*(?:[,/]|und)\s*Begründung|Sachverhalt\s*(?:[,/]|und)\s*Begründung|"
        r"Begründung\s*(?:[,/]|und)\s*Sachverhalt",
        "facts",
        3,
    ),
    _rule(
        r"Sachdarstellung|Sachverhalt(?:sdarstellung)?|Darstellung des Sachverhalt(?:e?s)?|"
        r"Sachstand|Problembeschreibung",
        "facts",
        3,
    ),
    _rule(r"Ergänzende (?:Erläuterungen|Ausführungen)|Erläuterungen(?: zum Sachverhalt)?", "facts", 2),
    _rule(r"Begründung", "reasons", 1),
    _rule(
        r"Beschlussvorschlag(?: der Verwaltung)?|Beschlussentwurf|Beschlussempfehlung|"
        r"Beschlussantrag(?: \(Kurzfassung\))?|Empfehlung der Verwaltung|Vorschlag der Verwaltung|"
        + _ANTRAG_AN,
        "resolution",
        3,
    ),
    _rule(r"Beschluss", "resolution", 2),
    _rule(r"Kurzfassung", "resolution", 1),
    _rule(
        r"Finanzielle Auswirkunge?n?(?: (?:zu Lasten des städtischen Haushalts|"
        r"\(bitte ankreuzen\)))?|"
        r"Schnellübersicht über die finanziellen[^\n]*|Auswirkungen auf den Haushalt|"
        r"Haushaltsrechtliche Auswirkungen|Kosten und Finanzierung",
        "finance",
        2,
    ),
    _rule(
        r"Relevanz für den Klimaschutz|Klimaschutzrelevanz|Klimacheck|Klima-Check|"
        r"Auswirkungen auf den Klimaschutz|[A-Z]\) Nachhaltigkeit der Maßnahme im Sinne des "
        r"Klimaschutzes|CO2-Relevanz(?:: Auswirkung auf den Klimaschutz)?",
        "climate",
        1,
    ),
    _rule(r"Anlagen?|Anlage/n|Anlage\(n\)|Anlagenverzeichnis", "attachments", 1),
    _rule(r"Beratungsfolge(?: dieser Vorlage)?", "beratungsfolge", 1, inline=False),
    _rule(r"Betreff", "betreff", 1),
    _rule(
        r"Ziele|Personelle Auswirkungen|Verfahrensbeteiligte|gezeichnet|"
        r"Darstellung von Alternativen[^\n]*|Alternativen|Besondere Auswirkungen auf [^\n]*|"
        r"Rechtsgrundlagen?|Mitzeichnung(?:en)?|Beteiligte Stellen|Unterschriften?|"
        r"Anhörung Ortschaftsrat[^\n]*|Abstimmung mit städtischen Gesellschaften[^\n]*|"
        r"Hauptamt - (?:Sitzungsdienste|Ratsangelegenheiten) -",
        None,
        inline=False,
    ),
)

# "Lampertheim, den 12.09.2023" / "Wedel, 20.11.2023": the signature block ends the text.
_SIGNATURE = re.compile(
    r"^[A-ZÄÖÜ][\wäöüß\- .]{1,40}, (?:den )?\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$"
)
_SIGNATURE_RULE = HeadingRule(_SIGNATURE, None, 1, inline=False)

# Text after a heading that is not section text: remnants of words split by PDF layout
# ("Finanzielle Auswirkunge\tn") and empty form decoration.
_MAX_TRAILER = 2


@dataclass
class RawSection:
    """A section as cut from the text, before the canonical choice."""

    heading: str
    kind: Kind | None
    rank: int
    lines: list[str] = field(default_factory=list)
    inline: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def match_heading(line: str) -> tuple[HeadingRule, str] | None:
    """Return the heading rule a line matches and the section text on the same line, if any."""
    if _SIGNATURE.match(line):
        return _SIGNATURE_RULE, ""
    if len(line) > 200:
        return None
    for rule in HEADINGS:
        m = rule.pattern.match(line)
        if m is None:
            continue
        rest = line[m.end() :]
        stripped = rest.strip(" \t:")
        if len(stripped) <= _MAX_TRAILER:
            return rule, ""
        if rule.inline and rest.lstrip(" ")[:1] in (":", "\t"):
            return rule, stripped
        return None
    return None


def split_sections(lines: list[str]) -> tuple[list[str], list[RawSection]]:
    """Cut ``lines`` at heading lines.

    Returns the header (the lines before the first heading) and the sections in order.
    """
    header: list[str] = []
    sections: list[RawSection] = []
    for line in lines:
        found = match_heading(line) if line else None
        if found is None:
            (sections[-1].lines if sections else header).append(line)
            continue
        rule, rest = found
        sections.append(RawSection(line, rule.kind, rule.rank, [rest] if rest else [], rest))
    return header, sections


def best_section(sections: list[RawSection], kind: Kind) -> RawSection | None:
    """The section of ``kind`` with the highest rank, ties to the longest non-empty text."""
    candidates = [s for s in sections if s.kind == kind and s.text]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.rank, len(s.text)))


@dataclass
class CanonicalSections:
    """The canonical section texts chosen from a document's sections."""

    beschlussvorschlag: str | None = None
    sachdarstellung: str | None = None
    begruendung: str | None = None
    finanzielle_auswirkungen: str | None = None
    klimaschutz: str | None = None
    anlagen_text: str | None = None


def choose_canonical(sections: list[RawSection]) -> CanonicalSections:
    """Pick the canonical fields; a Begründung is the facts section when there is no other."""
    out = CanonicalSections()
    resolution = best_section(sections, "resolution")
    facts = best_section(sections, "facts")
    reasons = best_section(sections, "reasons")
    if facts is None:
        facts, reasons = reasons, None
    finance = best_section(sections, "finance")
    climate = best_section(sections, "climate")
    attachments = [s.text for s in sections if s.kind == "attachments" and s.text]
    out.beschlussvorschlag = resolution.text if resolution else None
    out.sachdarstellung = facts.text if facts else None
    out.begruendung = reasons.text if reasons else None
    out.klimaschutz = climate.text if climate else None
    out.anlagen_text = "\n".join(attachments) or None
    if finance is not None:
        out.finanzielle_auswirkungen = finance.text
    elif any(s.kind == "finance" for s in sections):
        out.finanzielle_auswirkungen = _empty_form_heading(sections)
    return out


def _empty_form_heading(sections: list[RawSection]) -> str:
    """A finance section without text still tells that the form is there: keep its heading."""
    return next(s.heading for s in sections if s.kind == "finance")
