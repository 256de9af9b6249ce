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
``betreff``               Betreff:, Titel:
``annex``                 Anlage 1: (an annex printed in the document; used when the facts
                          section only says "siehe Anlage 1")
``None``                  headings that only end the section before them (Ziele, Personelle
                          Auswirkungen, Verfahrensbeteiligte, gezeichnet:, signature lines, ...)
========================  ==================================================================

A "Begründung" is the Sachdarstellung when the document has no facts section of its own, and
the separate ``begruendung`` field otherwise (``assistant.schema.Vorlage``).

Karlsruhe's forms (2005-2026, checked by ``bench/eval_parsing.py``) add four rules:

* the statement of facts starts at the first running page header "Ergänzende Erläuterungen
  Seite 2" (the heading on page 1 is a field of the finance form); later page headers are
  dropped, and sub-headings between two of them ("Vorbemerkung", "Ziele") are merged back;
* since 2019 the text often follows the form's last field ("Abstimmung mit städtischen
  Gesellschaften" / "Nein ☒" / "abgestimmt mit ...") without any heading: *implicit facts*;
* form fields (Masterplan/ISEK/IQ-relevant/Korridorthema/...) end a section;
* THE Beschlussvorschlag is the full operative text under "Beschluss:" at the end, not the
  "Beschlussantrag (Kurzfassung)" / "Kurzfassung" summary of page 1 (``final_resolution``).
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
    form_end: bool = False


def _rule(
    alternatives: str,
    kind: Kind | None,
    rank: int = 1,
    *,
    inline: bool = True,
    form_end: bool = False,
) -> HeadingRule:
    return HeadingRule(
        re.compile(rf"(?:{alternatives}){_END}", re.IGNORECASE), kind, rank, inline, form_end
    )


_ANTRAG_AN = (
    r"(?:[IVX]{1,4}\.\s*)?Antrag an (?:den|die|das) ?[A-ZÄÖÜ][\w\-]*(?: [\w\-]+){0,3}"
    r"(?: ?(?:/|\||,|oder) ?[\w\-]+(?: [\w\-]+){0,2})*"
    # Karlsruhe: "Antrag an den Gemeinderat – nach Vorberatung im Hauptausschuss -"
    r"(?:\s*[-–,]?\s*nach Vorberatung\b[^\n]*)?"
)

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
    _rule(
        r"Ergänzende (?:Erläuterungen|Ausführungen)|Erläuterungen(?: zum Sachverhalt)?", "facts", 2
    ),
    _rule(r"Begründung", "reasons", 1),
    _rule(
        r"Beschlussvorschlag(?: der Verwaltung| an (?:den|die|das) [^\n:]{2,40})?|"
        r"Beschlussentwurf|Beschlussempfehlung|"
        r"Beschlussantrag(?: \(Kurzfassung\))?|Empfehlung der Verwaltung|Vorschlag der Verwaltung|"
        + _ANTRAG_AN,
        "resolution",
        3,
    ),
    _rule(r"Beschluss", "resolution", 2),
    _rule(r"Kurzfassung|Information \(Kurzfassung\)", "resolution", 1),
    _rule(
        r"Finanzielle Auswirkunge?n?(?: (?:zu Lasten des städtischen Haushalts|"
        r"\(bitte ankreuzen\)))?(?:[\s:]*(?:nein|ja|x|[☐☒\ue000-\uf8ff])(?![\w-]))*|"
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
    _rule(r"Anlage \d{1,2}", "annex", 1),
    _rule(r"Beratungsfolge(?: dieser Vorlage)?", "beratungsfolge", 1, inline=False),
    _rule(r"Betreff|Titel|Gegenstand der Vorlage", "betreff", 1),
    _rule(
        r"Ziele|Personelle Auswirkungen|Verfahrensbeteiligte|gezeichnet|beschlossen im [^\n]*|"
        r"Gesetzliche Grundlagen?|Bereits gefasste [^\n]*Beschlüsse|Vorliegende Gutachten[^\n]*|"
        r"Hinweise zur Veröffentlichung|Relevanz mit Leitbild|Steuerrelevanz|"
        r"Darstellung von Alternativen[^\n]*|Alternativen|Besondere Auswirkungen auf [^\n]*|"
        r"Rechtsgrundlagen?|Mitzeichnung(?:en)?|Beteiligte Stellen|Unterschriften?|"
        r"Anhörung Ortschaftsrat[^\n]*|"
        r"Hauptamt(?: ?[-–] ?(?:Sitzungsdienste?|Ratsangelegenheiten)(?: ?[-–.])?)?",
        None,
    ),
    # Karlsruhe's form fields between the finance form and the text; they end a section.
    _rule(
        r"Karlsruhe Masterplan 2015[^\n]*|ISEK[- ]Karlsruhe[- ]2020[^\n]*|IQ-relevant[^\n]*|"
        r"Korridorthema[^\n]*|Bei Ja: Begründung[^\n]*|Formatänderungen der Wordvorlage[^\n]*|"
        r"Hauptamt: Stellungnahme[^\n]*|"
        r"Gedruckt auf 100 Prozent[^\n]*|"
        # the office's instructions after the resolution: "II. Auf die Tagesordnung der ..."
        r"[IVX]{1,4}\.\s*(?:Auf die Tagesordnung|Vervielfältigung|Kopie an|Z\.\s?d\.\s?A|"
        r"Zur Kenntnis|Weiter an|Wv\.|Wiedervorlage)[^\n]*",
        None,
        inline=False,
    ),
    # The last field of Karlsruhe's form (2005-2026). Since 2019 the statement of facts often
    # follows its answers without a heading of its own ("implicit facts", see split_sections).
    _rule(
        r"Abstimmung mit städtischen Gesellschaften[^\n]*|Fassung: [^\n]*Intranet[^\n]*",
        None,
        inline=False,
        form_end=True,
    ),
    _rule(r"-Relevanz: Auswirkung auf den Klimaschutz", "climate", 1, inline=False),
    _rule(r"Vorbemerkung(?:en)?|Ausführliche Erläuterung(?:en)?", "facts", 2),
)

# "Lampertheim, den 12.09.2023" / "Wedel, 20.11.2023": the signature block ends the text.
_SIGNATURE = re.compile(r"^[A-ZÄÖÜ][\wäöüß\- .]{1,40}, (?:den )?\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$")
_SIGNATURE_RULE = HeadingRule(_SIGNATURE, None, 1, inline=False)

# Text after a heading that is not section text: remnants of words split by PDF layout
# ("Finanzielle Auswirkunge\tn") and empty form decoration.
_MAX_TRAILER = 2
# Checkbox answers printed after a form heading: "Finanzielle Auswirkungen: nein ja",
# "Finanzielle Auswirkungen (bitte ankreuzen) x nein ja", "Finanzielle Auswirkungen Ja ☒ Nein ☐".
_FORM_TRAILER = re.compile(
    r"^[\s:]*(?:(?:nein|ja|x|[☐☒\ue000-\uf8ff]|\(bitte ankreuzen\))[\s:]*)+$", re.IGNORECASE
)
# A running page header repeats the heading of the text it continues: "Ergänzende
# Erläuterungen Seite 3", "Ergänzende Ausführungen Seite 2 von 2". The first one of a document
# opens the facts section (Karlsruhe prints the text's own heading only as a form field on page
# 1); later ones, and any inside a facts section, are page furniture.
_RUNNING_HEADER = re.compile(
    r"^(?:Ergänzende ?(?:Erläuterungen|Ausführungen)|Erläuterungen|Begründung)\s*,?\s*"
    r"Seite ?\d{1,3}(?: von \d{1,3})?$"
)
_RUNNING_HEADER_RULE = HeadingRule(_RUNNING_HEADER, "facts", 2, inline=False)
# Karlsruhe's finance form has a field "Ergänzende Erläuterungen:" (explanations of the
# figures); inside the form it is form text, not the heading of the statement of facts.
_FORM_FIELD_IN_FINANCE = re.compile(r"^Ergänzende Erläuterungen\s*:")


@dataclass
class RawSection:
    """A section as cut from the text, before the canonical choice."""

    heading: str
    kind: Kind | None
    rank: int
    lines: list[str] = field(default_factory=list)
    inline: str = ""
    form_end: bool = False

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
        if len(stripped) <= _MAX_TRAILER or _FORM_TRAILER.match(rest):
            return rule, ""
        if rule.inline and rest.lstrip(" ")[:1] in (":", "\t"):
            return rule, rest.lstrip(" \t:")
        return None
    return None


def split_sections(lines: list[str]) -> tuple[list[str], list[RawSection]]:
    """Cut ``lines`` at heading lines.

    Returns the header (the lines before the first heading) and the sections in order.
    """
    header: list[str] = []
    sections: list[RawSection] = []
    for line in lines:
        _feed(line, header, sections)
    return header, sections


def _feed(line: str, header: list[str], sections: list[RawSection]) -> None:
    found = match_heading(line) if line else None
    if found is not None and _continues_sentence(header, sections):
        found = None
    if found is not None and _repeats_facts_heading(found[0], line, sections):
        _rejoin_subsections(sections)
        return  # the heading repeated at the top of the next page
    if found is None and line and _RUNNING_HEADER.match(line):
        if any(_RUNNING_HEADER.match(s.heading) for s in sections):
            return  # only the first running header opens the facts; later ones are furniture
        if any(s.kind == "facts" and len(s.text) >= _SUBSTANTIAL for s in sections):
            _rejoin_subsections(sections)
            return  # page furniture
        found = _RUNNING_HEADER_RULE, ""
    if found is not None and (
        _is_form_field(found[0], line, sections)
        or _continues_facts(found[0], sections)
        or _opens_facts(found[0], line, sections)
    ):
        found = None
    if found is None:
        _add_text(line, header, sections)
        return
    rule, rest = found
    sections.append(
        RawSection(line, rule.kind, rule.rank, [rest] if rest else [], rest, form_end=rule.form_end)
    )


# A heading word that finishes the sentence of the line before ("siehe ergänzende" /
# "Erläuterungen") is no heading.
_OPEN_SENTENCE = re.compile(
    r"(?:^|\s)(?:siehe|ergänzenden?|die|der|den|des|dem|und|oder|zur|zum|mit|von|für)$"
)


def _continues_sentence(header: list[str], sections: list[RawSection]) -> bool:
    lines = sections[-1].lines if sections else header
    previous = next((x for x in reversed(lines) if x.strip()), "")
    if (not previous and sections) or _FORM_ANSWER.match(previous):
        return False  # directly under a heading, or after "nein ja abgestimmt mit"
    return bool(_OPEN_SENTENCE.search(previous.rstrip()))


def _repeats_facts_heading(rule: HeadingRule, line: str, sections: list[RawSection]) -> bool:
    """The facts heading printed again on every page ("Ergänzende Erläuterungen" / "3")."""
    facts = [s for s in sections if s.kind == "facts"]
    return (
        rule.kind == "facts"
        and any(s.heading == line for s in facts)
        and any(len(s.text) >= _SUBSTANTIAL for s in facts)
    )


def _continues_facts(rule: HeadingRule, sections: list[RawSection]) -> bool:
    """A facts heading right after headed facts text is a sub-heading ("Vorbemerkung").

    After implicit facts (text after the form without a heading) an explicit heading starts the
    real statement of facts instead: what came before was a leftover of page 1.
    """
    return (
        rule.kind == "facts"
        and rule is not _RUNNING_HEADER_RULE
        and bool(sections)
        and sections[-1].kind == "facts"
        and bool(sections[-1].heading)
        and bool(sections[-1].text)
    )


def _opens_facts(rule: HeadingRule, line: str, sections: list[RawSection]) -> bool:
    """A closing heading right under an empty facts heading is its first sub-heading.

    "Erläuterungen" / "Gesetzliche Grundlage" / text: the text belongs to the Erläuterungen.
    """
    return (
        rule.kind is None
        and rule is not _SIGNATURE_RULE
        and bool(sections)
        and sections[-1].kind == "facts"
        and bool(sections[-1].heading)
        and not sections[-1].text
        and not _NOT_SUBSECTION.match(line)
    )


# The form's version stamp printed under the page header ("Januar 2011").
_VERSION_STAMP = re.compile(
    r"^(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
    r" \d{4}$"
)


def _add_text(line: str, header: list[str], sections: list[RawSection]) -> None:
    if not sections:
        header.append(line)
        return
    current = sections[-1]
    if current.form_end and _is_prose(line):
        sections.append(RawSection("", "facts", 2, [line]))  # implicit facts
    elif not (
        _RUNNING_HEADER.match(current.heading) and not current.text and _VERSION_STAMP.match(line)
    ):
        current.lines.append(line)


# Sections a running header may pull back into the facts section: sub-headings of the text
# ("Vorbemerkung", "Ziele", ...). Resolution, finance, climate, reasons and attachments stay.
_SUBSECTION_KINDS = (None, "facts")
# Fields of the form and office furniture are never sub-headings of the text.
_NOT_SUBSECTION = re.compile(
    r"^(?:Anhörung Ortschaftsrat|Abstimmung mit städtischen|Karlsruhe Masterplan|ISEK|IQ-relevant|"
    r"Korridorthema|Bei Ja:|Formatänderungen|Hauptamt|Fassung:|Gedruckt auf|Verantwortlich|"
    r"gezeichnet|Unterschrift)",
    re.IGNORECASE,
)


def _rejoin_subsections(sections: list[RawSection]) -> None:
    """A running header proves its page belongs to the facts: headings since then were sub-headings.

    "Ergänzende Erläuterungen Seite 4" after "Ziele" or "Vorbemerkung" shows that those headed
    parts of the statement of facts; they are merged back (heading lines kept as text).
    """
    last_facts = max((i for i, s in enumerate(sections) if s.kind == "facts"), default=None)
    if last_facts is None or last_facts == len(sections) - 1:
        return
    later = sections[last_facts + 1 :]
    if any(
        s.kind not in _SUBSECTION_KINDS or not s.heading or _NOT_SUBSECTION.match(s.heading)
        for s in later
    ):
        return
    target = sections[last_facts]
    for sub in later:
        target.lines.extend([sub.heading, *sub.lines[1 if sub.inline else 0 :]])
    del sections[last_facts + 1 :]


# Answers of a form field ("Nein ☒", "Ja ☐", "nein ja abgestimmt mit KMK", "durchgeführt am").
_FORM_ANSWER = re.compile(
    r"^(?:(?:nein|ja|x|[☐☒]|abgestimmt mit|durchgeführt am)(?![\w-])[\s:]*)+", re.IGNORECASE
)


def _is_prose(line: str) -> bool:
    """A line of running text after a form: not an answer, not a stray fragment."""
    if not line or _FORM_ANSWER.match(line) or not (line[0].isupper() or line[0].isdigit()):
        return False  # an answer, or its continuation ("und KBG - Karlsruher Bädergesellschaft")
    return len(line) >= 25 or len(line.split()) >= 3


def _is_form_field(rule: HeadingRule, line: str, sections: list[RawSection]) -> bool:
    """A facts heading printed as a field of the finance form stays in the form."""
    return (
        rule.kind == "facts"
        and bool(sections)
        and sections[-1].kind == "finance"
        and bool(_FORM_FIELD_IN_FINANCE.match(line))
    )


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
