"""Segmentation: heading lines -> sections.

The segmenter cuts the normalised text at every line the profile's headings dictionary
(``ingest.headings``) accepts; ``ingest.canonical`` then chooses, per canonical field, the best
section of the matching kind. What a council system adds (its own headings, running page
headers, form fields, fields of a form that look like headings) comes in ``SegmentRules`` from
its profile (``ingest.systems``); the generic fallback adds headings recognised by their form
(``ingest.fallback``).

Rules every profile keeps:

* a heading word that finishes the sentence of the line before ("siehe ergänzende" /
  "Erläuterungen") is no heading;
* a facts heading printed again at the top of the next page is dropped, and a facts heading
  right under headed facts text is a sub-heading;
* with a running page header ("Ergänzende Erläuterungen Seite 2"), the first one opens the facts
  and later ones are page furniture; headings between two of them are merged back;
* after a ``form_end`` field, running text without a heading is the statement of facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.headings import (
    CORE_HEADINGS,
    SIGNATURE_RULE,
    HeadingRule,
    Kind,
    match_heading,
)

FormHeading = Callable[[str, Kind | None], tuple[HeadingRule, str] | None]


@dataclass(frozen=True)
class SegmentRules:
    """What a profile tells the segmenter (defaults: the generic rules).

    ``running_header``: a page header that repeats the heading of the facts ("Ergänzende
    Erläuterungen Seite 3"); ``finance_form_field``: a facts heading that is a field of the
    finance form there; ``version_stamp``: the form's version line under the page header;
    ``not_subsection``: headings that are never sub-headings of the facts; ``form_heading``: a
    last-chance matcher for lines that look like headings (the generic fallback).
    """

    headings: tuple[HeadingRule, ...] = CORE_HEADINGS
    running_header: re.Pattern[str] | None = None
    finance_form_field: re.Pattern[str] | None = None
    version_stamp: re.Pattern[str] | None = None
    not_subsection: re.Pattern[str] = re.compile(
        r"^(?:Anhörung Ortschaftsrat|Hauptamt|Verantwortlich|gezeichnet|Unterschrift)",
        re.IGNORECASE,
    )
    form_heading: FormHeading | None = None

    def match(self, line: str, current: Kind | None = None) -> tuple[HeadingRule, str] | None:
        """The heading a line is (``current``: the kind of the section it would end)."""
        found = match_heading(line, self.headings)
        if found is None and self.form_heading is not None:
            found = self.form_heading(line, current)
        return found


GENERIC_RULES = SegmentRules()

_SUBSTANTIAL = 40


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


def split_sections(
    lines: list[str], rules: SegmentRules | None = None
) -> tuple[list[str], list[RawSection]]:
    """Cut ``lines`` at heading lines.

    Returns the header (the lines before the first heading) and the sections in order. Without
    ``rules``, every profile's headings are known (``ingest.systems.all_rules``).
    """
    if rules is None:
        from ingest.systems import all_rules

        rules = all_rules()
    segmenter = _Segmenter(rules)
    for line in lines:
        segmenter.feed(line)
    return segmenter.header, segmenter.sections


class _Segmenter:
    def __init__(self, rules: SegmentRules) -> None:
        self.rules = rules
        self.header: list[str] = []
        self.sections: list[RawSection] = []
        self.running_rule = (
            HeadingRule(rules.running_header, "facts", 2, inline=False)
            if rules.running_header is not None
            else None
        )

    def feed(self, line: str) -> None:
        sections = self.sections
        current = sections[-1].kind if sections else None
        found = self.rules.match(line, current) if line else None
        if found is not None and _continues_sentence(self.header, sections):
            found = None
        if found is not None and _repeats_facts_heading(found[0], line, sections):
            self._rejoin_subsections()
            return  # the heading repeated at the top of the next page
        if found is None and line:
            running = self._running_header(line)
            if running is False:
                return
            found = running if isinstance(running, tuple) else None
        if found is not None and (
            self._is_form_field(found[0], line)
            or (found[0] is not self.running_rule and _continues_facts(found[0], sections))
            or self._opens_facts(found[0], line)
        ):
            found = None
        if found is None:
            self._add_text(line)
            return
        heading_rule, rest = found
        sections.append(
            RawSection(
                line,
                heading_rule.kind,
                heading_rule.rank,
                [rest] if rest else [],
                rest,
                form_end=heading_rule.form_end,
            )
        )

    def _running_header(self, line: str) -> tuple[HeadingRule, str] | bool | None:
        """The running-header rule for a first page header, False for furniture, else None."""
        pattern = self.rules.running_header
        if pattern is None or not pattern.match(line):
            return None
        if any(pattern.match(s.heading) for s in self.sections):
            return False  # only the first running header opens the facts
        if any(s.kind == "facts" and len(s.text) >= _SUBSTANTIAL for s in self.sections):
            self._rejoin_subsections()
            return False  # page furniture
        assert self.running_rule is not None
        return self.running_rule, ""

    def _opens_facts(self, heading_rule: HeadingRule, line: str) -> bool:
        """A closing heading right under an empty facts heading is its first sub-heading.

        "Erläuterungen" / "Gesetzliche Grundlage" / text: the text belongs to the Erläuterungen.
        """
        sections = self.sections
        return (
            heading_rule.kind is None
            and heading_rule is not SIGNATURE_RULE
            and bool(sections)
            and sections[-1].kind == "facts"
            and bool(sections[-1].heading)
            and not sections[-1].text
            and not self.rules.not_subsection.match(line)
        )

    def _is_form_field(self, heading_rule: HeadingRule, line: str) -> bool:
        """A facts heading printed as a field of the finance form stays in the form."""
        field_re = self.rules.finance_form_field
        return (
            field_re is not None
            and heading_rule.kind == "facts"
            and bool(self.sections)
            and self.sections[-1].kind == "finance"
            and bool(field_re.match(line))
        )

    def _add_text(self, line: str) -> None:
        if not self.sections:
            self.header.append(line)
            return
        current = self.sections[-1]
        if current.form_end and _is_prose(line):
            self.sections.append(RawSection("", "facts", 2, [line]))  # implicit facts
        elif not self._version_stamp_under_header(current, line):
            current.lines.append(line)

    def _version_stamp_under_header(self, current: RawSection, line: str) -> bool:
        running, stamp = self.rules.running_header, self.rules.version_stamp
        return (
            running is not None
            and stamp is not None
            and bool(running.match(current.heading))
            and not current.text
            and bool(stamp.match(line))
        )

    def _rejoin_subsections(self) -> None:
        """A page header proves its page belongs to the facts: later headings were sub-headings.

        "Ergänzende Erläuterungen Seite 4" after "Ziele" or "Vorbemerkung" shows that those
        headed parts of the statement of facts; they are merged back (heading lines kept).
        """
        sections = self.sections
        last_facts = max((i for i, s in enumerate(sections) if s.kind == "facts"), default=None)
        if last_facts is None or last_facts == len(sections) - 1:
            return
        later = sections[last_facts + 1 :]
        if any(
            s.kind not in _SUBSECTION_KINDS
            or not s.heading
            or self.rules.not_subsection.match(s.heading)
            for s in later
        ):
            return
        target = sections[last_facts]
        for sub in later:
            target.lines.extend([sub.heading, *sub.lines[1 if sub.inline else 0 :]])
        del sections[last_facts + 1 :]


# A heading word that finishes the sentence of the line before ("siehe ergänzende" /
# "Erläuterungen") is no heading.
_OPEN_SENTENCE = re.compile(
    r"(?:^|\s)(?:siehe|ergänzenden?|die|der|den|des|dem|und|oder|zur|zum|mit|von|für)$"
)
# Answers of a form field ("Nein ☒", "Ja ☐", "nein ja abgestimmt mit KMK", "durchgeführt am").
_FORM_ANSWER = re.compile(
    r"^(?:(?:nein|ja|x|[☐☒]|abgestimmt mit|durchgeführt am)(?![\w-])[\s:]*)+", re.IGNORECASE
)
# Sections a running header may pull back into the facts section: sub-headings of the text
# ("Vorbemerkung", "Ziele", ...). Resolution, finance, climate, reasons and attachments stay.
_SUBSECTION_KINDS = (None, "facts")


def _continues_sentence(header: list[str], sections: list[RawSection]) -> bool:
    lines = sections[-1].lines if sections else header
    previous = next((x for x in reversed(lines) if x.strip()), "")
    if (not previous and sections) or _FORM_ANSWER.match(previous):
        return False  # directly under a heading, or after "nein ja abgestimmt mit"
    return bool(_OPEN_SENTENCE.search(previous.rstrip()))


def _repeats_facts_heading(
    heading_rule: HeadingRule, line: str, sections: list[RawSection]
) -> bool:
    """The facts heading printed again on every page ("Ergänzende Erläuterungen" / "3")."""
    facts = [s for s in sections if s.kind == "facts"]
    return (
        heading_rule.kind == "facts"
        and any(s.heading == line for s in facts)
        and any(len(s.text) >= _SUBSTANTIAL for s in facts)
    )


def _continues_facts(heading_rule: HeadingRule, sections: list[RawSection]) -> bool:
    """A facts heading right after headed facts text is a sub-heading ("Vorbemerkung").

    After implicit facts (text after the form without a heading) an explicit heading starts the
    real statement of facts instead: what came before was a leftover of page 1.
    """
    return (
        heading_rule.kind == "facts"
        and bool(sections)
        and sections[-1].kind == "facts"
        and bool(sections[-1].heading)
        and bool(sections[-1].text)
    )


def _is_prose(line: str) -> bool:
    """A line of running text after a form: not an answer, not a stray fragment."""
    if not line or _FORM_ANSWER.match(line) or not (line[0].isupper() or line[0].isdigit()):
        return False  # an answer, or its continuation ("und KBG - Karlsruher Bädergesellschaft")
    return len(line) >= 25 or len(line.split()) >= 3
