"""The headings dictionary: printed section headings -> kinds, and the matcher.

Council systems print the same parts under many names. A ``HeadingRule`` maps the headings one
pattern accepts to a *kind*; the segmenter (``ingest.segment``) cuts the text at every line a
rule matches:

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
``betreff``               Betreff:, Titel:
``annex``                 Anlage 1: (an annex printed in the document; used when the facts
                          section only says "siehe Anlage 1")
``None``                  headings that only end the section before them (Ziele, Personelle
                          Auswirkungen, Verfahrensbeteiligte, gezeichnet:, signature lines, ...)
========================  ==================================================================

``CORE_HEADINGS`` is what every profile uses; a council-system profile (``ingest.systems``)
puts its own rules after it, the generic fallback its larger alias dictionary
(``ingest.aliases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Kind = str  # one of the kinds in the module docstring

_END = r"(?=\s*(?::|\t|$|\())"


@dataclass(frozen=True)
class HeadingRule:
    """One entry of the headings dictionary.

    ``rank`` orders headings of the same kind: the section under the highest-ranked heading
    wins, ties go to the longer text. ``inline`` allows section text after the heading on the
    same line ("Betreff: Neubau Kita", "Beschluss: Der Gemeinderat ..."). ``form_end`` marks
    the last field of a form after which running text is the statement of facts.
    """

    pattern: re.Pattern[str]
    kind: Kind | None
    rank: int = 1
    inline: bool = True
    form_end: bool = False


def rule(
    alternatives: str,
    kind: Kind | None,
    rank: int = 1,
    *,
    inline: bool = True,
    form_end: bool = False,
) -> HeadingRule:
    """A rule for headings matching ``alternatives`` at the start of a line, then ":"/TAB/end."""
    return HeadingRule(
        re.compile(rf"(?:{alternatives}){_END}", re.IGNORECASE), kind, rank, inline, form_end
    )


_ANTRAG_AN = (
    r"(?:[IVX]{1,4}\.\s*)?Antrag an (?:den|die|das) ?[A-ZÄÖÜ][\w\-]*(?: [\w\-]+){0,3}"
    r"(?: ?(?:/|\||,|oder) ?[\w\-]+(?: [\w\-]+){0,2})*"
    # "Antrag an den Gemeinderat – nach Vorberatung im Hauptausschuss -"
    r"(?:\s*[-–,]?\s*nach Vorberatung\b[^\n]*)?"
)

#: Ordered: the first rule whose pattern matches a line wins, so specific headings precede
#: general ones ("Erläuterungen zu finanziellen Auswirkungen" before "Erläuterungen").
CORE_HEADINGS: tuple[HeadingRule, ...] = (
    rule(r"Erläuterungen zu (?:den )?finanziellen Auswirkungen", "finance", 1),
    rule(r"Begründung der (?:Verwaltungsempfehlung|Beschlussempfehlung|Vorlage)", "reasons", 2),
    rule(
        r"Sachdarstellung\s*(?:[,/]|und)\s*Begründung|Sachverhalt\s*(?:[,/]|und)\s*Begründung|"
        r"Begründung\s*(?:[,/]|und)\s*Sachverhalt",
        "facts",
        3,
    ),
    rule(
        r"Sachdarstellung|Sachverhalt(?:sdarstellung)?|Darstellung des Sachverhalt(?:e?s)?|"
        r"Sachstand|Problembeschreibung",
        "facts",
        3,
    ),
    rule(
        r"Ergänzende (?:Erläuterungen|Ausführungen)|Erläuterungen(?: zum Sachverhalt)?", "facts", 2
    ),
    rule(r"Begründung", "reasons", 1),
    rule(
        r"Beschlussvorschlag(?: der Verwaltung| an (?:den|die|das) [^\n:]{2,40})?|"
        r"Beschlussentwurf|Beschlussempfehlung|"
        r"Beschlussantrag(?: \(Kurzfassung\))?|Empfehlung der Verwaltung|Vorschlag der Verwaltung|"
        + _ANTRAG_AN,
        "resolution",
        3,
    ),
    rule(r"Beschluss", "resolution", 2),
    rule(r"Kurzfassung|Information \(Kurzfassung\)", "resolution", 1),
    rule(
        r"Finanzielle Auswirkunge?n?(?: (?:zu Lasten des städtischen Haushalts|"
        r"\(bitte ankreuzen\)))?(?:[\s:]*(?:nein|ja|x|[☐☒\ue000-\uf8ff])(?![\w-]))*|"
        r"Schnellübersicht über die finanziellen[^\n]*|Auswirkungen auf den Haushalt|"
        r"Haushaltsrechtliche Auswirkungen|Kosten und Finanzierung",
        "finance",
        2,
    ),
    rule(
        r"Relevanz für den Klimaschutz|Klimaschutzrelevanz|Klimacheck|Klima-Check|"
        r"Auswirkungen auf den Klimaschutz|[A-Z]\) Nachhaltigkeit der Maßnahme im Sinne des "
        r"Klimaschutzes|CO2-Relevanz(?:: Auswirkung auf den Klimaschutz)?",
        "climate",
        1,
    ),
    rule(r"Anlagen?|Anlage/n|Anlage\(n\)|Anlagenverzeichnis", "attachments", 1),
    rule(r"Anlage \d{1,2}", "annex", 1),
    rule(r"Beratungsfolge(?: dieser Vorlage)?", "beratungsfolge", 1, inline=False),
    rule(r"Betreff|Titel|Gegenstand der Vorlage", "betreff", 1),
    rule(
        r"Ziele|Personelle Auswirkungen|Verfahrensbeteiligte|gezeichnet|beschlossen im [^\n]*|"
        r"Gesetzliche Grundlagen?|Bereits gefasste [^\n]*Beschlüsse|Vorliegende Gutachten[^\n]*|"
        r"Hinweise zur Veröffentlichung|Relevanz mit Leitbild|Steuerrelevanz|"
        r"Darstellung von Alternativen[^\n]*|Alternativen|Besondere Auswirkungen auf [^\n]*|"
        r"Rechtsgrundlagen?|Mitzeichnung(?:en)?|Beteiligte Stellen|Unterschriften?|"
        r"Anhörung Ortschaftsrat[^\n]*|"
        r"Hauptamt(?: ?[-–] ?(?:Sitzungsdienste?|Ratsangelegenheiten)(?: ?[-–.])?)?",
        None,
    ),
    # The office's instructions after the resolution: "II. Auf die Tagesordnung der ..."
    rule(
        r"[IVX]{1,4}\.\s*(?:Auf die Tagesordnung|Vervielfältigung|Kopie an|Z\.\s?d\.\s?A|"
        r"Zur Kenntnis|Weiter an|Wv\.|Wiedervorlage)[^\n]*",
        None,
        inline=False,
    ),
    rule(r"Vorbemerkung(?:en)?|Ausführliche Erläuterung(?:en)?", "facts", 2),
)

# "Lampertheim, den 12.09.2023" / "Wedel, 20.11.2023": the signature block ends the text.
SIGNATURE = re.compile(r"^[A-ZÄÖÜ][\wäöüß\- .]{1,40}, (?:den )?\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$")
SIGNATURE_RULE = HeadingRule(SIGNATURE, None, 1, inline=False)

# Text after a heading that is not section text: remnants of words split by PDF layout
# ("Finanzielle Auswirkunge\tn") and empty form decoration.
_MAX_TRAILER = 2
# Checkbox answers printed after a form heading: "Finanzielle Auswirkungen: nein ja",
# "Finanzielle Auswirkungen (bitte ankreuzen) x nein ja", "Finanzielle Auswirkungen Ja ☒ Nein ☐".
_FORM_TRAILER = re.compile(
    r"^[\s:]*(?:(?:nein|ja|x|[☐☒\ue000-\uf8ff]|\(bitte ankreuzen\))[\s:]*)+$", re.IGNORECASE
)
_MAX_HEADING_LINE = 200


def match_heading(
    line: str, headings: tuple[HeadingRule, ...] = CORE_HEADINGS
) -> tuple[HeadingRule, str] | None:
    """Return the heading rule a line matches and the section text on the same line, if any."""
    if SIGNATURE.match(line):
        return SIGNATURE_RULE, ""
    if len(line) > _MAX_HEADING_LINE:
        return None
    for candidate in headings:
        m = candidate.pattern.match(line)
        if m is None:
            continue
        rest = line[m.end() :]
        stripped = rest.strip(" \t:")
        if len(stripped) <= _MAX_TRAILER or _FORM_TRAILER.match(rest):
            return candidate, ""
        if candidate.inline and rest.lstrip(" ")[:1] in (":", "\t"):
            return candidate, rest.lstrip(" \t:")
        return None
    return None
