"""Example drafts chosen by a fixed rule, as Markdown for the docs and a human's comment.

:func:`choose_examples` picks ``n`` drafts of one system without looking at their quality:
the system's finished drafts in run order, at evenly spaced positions. It takes the
:class:`~assistant.eval.runs.PaperRun` records of a run or the JSON lines that
``vorlagen eval drafts -o`` writes (``{"paper", "vorlagen_nr", "system", "draft"}``);
:func:`examples_markdown` prints them (``bench/draft_examples.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.eval.metrics import error_rules, fact_coverage, warning_rules
from assistant.eval.papers import evenly_spaced
from assistant.eval.runs import ASSISTANT, PaperRun
from assistant.schema import Draft
from assistant.validation import validate

__all__ = ["COMMENT", "Example", "choose_examples", "example_markdown", "examples_markdown"]

COMMENT = "Kommentar: "


@dataclass(frozen=True)
class Example:
    """One finished draft of one system for one paper."""

    paper: str
    vorlagen_nr: str | None
    system: str
    draft: Draft

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> Example:
        """From one JSON line of ``eval drafts -o``."""
        return cls(
            paper=str(line["paper"]),
            vorlagen_nr=line.get("vorlagen_nr"),
            system=str(line["system"]),
            draft=Draft.model_validate(line["draft"]),
        )


def _examples(records: Iterable[PaperRun | Mapping[str, Any]]) -> list[Example]:
    """The records as examples, in their order; runs without a draft (model errors) left out."""
    out: list[Example] = []
    for record in records:
        if not isinstance(record, PaperRun):
            out.append(Example.from_line(record))
        elif record.draft is not None:
            paper = record.paper
            out.append(Example(paper.id, paper.vorlagen_nr, record.system, record.draft))
    return out


def choose_examples(
    records: Iterable[PaperRun | Mapping[str, Any]], n: int = 10, *, system: str = ASSISTANT
) -> list[Example]:
    """``n`` drafts by a fixed rule that does not look at their quality.

    Of the finished drafts of ``system`` (the Vorlagen-Assistent by default), in run order
    (the order of ``records``: for several ``-o`` files, one file after the other), the ones
    at the positions ``floor(i * m / n)`` for ``i = 0 … n-1`` (``m`` drafts; the first is
    always taken, :func:`~assistant.eval.papers.evenly_spaced`) — whether they pass validation
    or not. With ``m <= n`` all are taken.
    """
    own = [example for example in _examples(records) if example.system == system]
    return [own[position] for position in evenly_spaced(len(own), n)]


def _fence(text: str) -> str:
    """``text`` in a fenced code block whose fence does not occur in it."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text.strip() or '(leer)'}\n{fence}"


def _names(rules: set[str]) -> str:
    return ", ".join(f"`{rule}`" for rule in sorted(rules)) or "keine"


def _coverage(draft: Draft) -> str:
    value = fact_coverage(draft)
    return "keine prüfbaren Angaben" if value is None else f"{value:.0%}"


def example_markdown(example: Example, number: int) -> str:
    """One example: paper, Betreff, validation result with the rule ids of its findings, fact
    coverage, the Beschlussvorschlag and the Sachdarstellung, and a line for a comment."""
    draft = example.draft
    report = draft.validation or validate(draft)
    label = example.vorlagen_nr or example.paper
    return "\n".join(
        [
            f"### Beispiel {number}: {label}",
            "",
            f"- Vorlage: `{example.paper}`, Vorlagen-Nr. {example.vorlagen_nr or '–'}, "
            f"System: {example.system}",
            f"- Betreff: {' '.join(draft.request.betreff.split())}",
            f"- Prüfung: {'bestanden' if report.ok else 'nicht bestanden'}; Fehler: "
            f"{_names(error_rules(draft))}; Hinweise: {_names(warning_rules(draft))}",
            f"- Angaben der Sachbearbeitung verwendet: {_coverage(draft)}",
            "",
            "**Beschlussvorschlag**",
            "",
            _fence(draft.beschlussvorschlag),
            "",
            "**Sachdarstellung**",
            "",
            _fence(draft.sachdarstellung),
            "",
            COMMENT,
        ]
    )


def examples_markdown(examples: Sequence[Example]) -> str:
    """The examples, numbered from 1, separated by blank lines."""
    return "\n\n".join(example_markdown(e, i) for i, e in enumerate(examples, start=1)) + "\n"
