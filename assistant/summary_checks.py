"""The checks of a summary against its Vorlage (issue 13): grounded as drafts are.

:func:`summary_findings` returns every finding for a :class:`SummaryOut`:

* ``grounded`` (error): every number, amount, percentage, date, year, § and Vorlagen-Nr. in
  what the model wrote occurs in the Vorlage (its text, Betreff, Vorlagen-Nr. and Beratungsfolge),
  compared in normalised form (:mod:`assistant.validation.facts`: "1.500,00 Euro" = "1500 EUR");
* ``betrag`` (error): an amount that names no sum of money;
* ``gremium`` (error): a deciding body the model named that the Vorlage does not name;
* ``integrationskonzept`` (error): a reference to an Integrationskonzept in a Vorlage that
  mentions none; (warning) a named concept that is not in the text;
* ``kurzfassung`` (error when empty, warning outside 3 to 5 sentences); ``beschluss``
  (warning when it is not one sentence);
* ``orte`` (warning): a place the Vorlage does not name.

:func:`drop_failed_items` removes list items (an amount, a Schlagwort) that still fail after
the repair round, each with a warning ``entfernt``; the texts are never changed by code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.presenter_summaries import summary_field_title
from assistant.schema import Finding, Severity, Vorlage
from assistant.summary_schema import Integrationsbezug, SummaryOut
from assistant.validation.facts import Sources, extract_facts

__all__ = ["document_sources", "drop_failed_items", "summary_findings", "summary_texts"]

_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
_ABBREVIATION = re.compile(
    r"\b(?:z\.\s?B|u\.\s?a|d\.\s?h|ggf|bzw|Nr|Abs|ca|vgl|inkl|gem|Mio|Mrd|Tsd)\."
)


def document_sources(vorlage: Vorlage) -> Sources:
    """What the Vorlage states, in normalised form: its text, header and Beratungsfolge."""
    sources = Sources()
    for text in (vorlage.text, vorlage.betreff, vorlage.vorlagen_nr, vorlage.kommune):
        sources.add_text(text)
    for section in vorlage.sections:
        sources.add_text(section.text)
    for step in vorlage.beratungsfolge:
        sources.add_step(step)
    if vorlage.datum is not None:
        sources.add_text(vorlage.datum.strftime("%d.%m.%Y"))
    return sources


def summary_texts(out: SummaryOut) -> Iterator[tuple[str, str]]:
    """(field, text) for everything the model wrote, in order."""
    yield "kurzfassung", out.kurzfassung
    yield "beschluss", out.beschluss
    yield "entscheidendes_gremium", out.entscheidendes_gremium
    for i, amount in enumerate(out.betraege):
        yield f"betraege[{i}].betrag", amount.betrag
        yield f"betraege[{i}].zweck", amount.zweck
    for name in ("schlagworte", "betroffene_gruppen", "orte"):
        for i, value in enumerate(getattr(out, name)):
            yield f"{name}[{i}]", value
    yield "integrationskonzept.referenz", out.integrationskonzept.referenz


def summary_findings(
    out: SummaryOut, vorlage: Vorlage, sources: Sources | None = None
) -> list[Finding]:
    """Every finding of ``out`` against ``vorlage`` (see the module docstring)."""
    sources = sources or document_sources(vorlage)
    folded = _fold(vorlage.text + "\n" + (vorlage.betreff or ""))
    found = list(_grounded(out, sources))
    found += _amounts(out)
    found += _body(out, folded)
    found += _concept(out, folded)
    found += _lengths(out)
    found += _places(out, folded)
    return found


def make_finding(
    rule: str,
    message: str,
    field_name: str,
    *,
    severity: Severity = "error",
    span: tuple[int, int] | None = None,
    token: str | None = None,
) -> Finding:
    start, end = span if span is not None else (None, None)
    where = summary_field_title(field_name)
    if start is not None and end is not None:
        where += f", Zeichen {start + 1}–{end}"
    if token:
        where += f": „{token}“"
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        where=where,
        field=field_name,
        start=start,
        end=end,
        token=token,
    )


def _grounded(out: SummaryOut, sources: Sources) -> Iterator[Finding]:
    for name, text in summary_texts(out):
        for fact in extract_facts(text):
            if not sources.covers(fact):
                yield make_finding(
                    "grounded",
                    f"{fact.label} „{fact.raw}“ steht nicht in der Vorlage.",
                    name,
                    span=(fact.start, fact.end),
                    token=fact.raw,
                )


def _amounts(out: SummaryOut) -> list[Finding]:
    return [
        make_finding("betrag", f"„{amount.betrag}“ ist kein Geldbetrag.", f"betraege[{i}].betrag")
        for i, amount in enumerate(out.betraege)
        if not any(fact.label == "Der Betrag" for fact in extract_facts(amount.betrag))
    ]


def _body(out: SummaryOut, folded: str) -> list[Finding]:
    body = out.entscheidendes_gremium.strip()
    if not body or _fold(body) in folded:
        return []
    return [
        make_finding(
            "gremium",
            f"Das Gremium „{body}“ wird in der Vorlage nicht genannt.",
            "entscheidendes_gremium",
        )
    ]


def _concept(out: SummaryOut, folded: str) -> list[Finding]:
    concept = out.integrationskonzept
    if concept.bezug == "keiner":
        return []
    if "integration" not in folded:
        return [
            make_finding(
                "integrationskonzept",
                "Die Vorlage erwähnt kein Integrationskonzept.",
                "integrationskonzept.bezug",
            )
        ]
    reference = concept.referenz.strip()
    if reference and _fold(reference) not in folded:
        return [
            make_finding(
                "integrationskonzept",
                f"Das Konzept „{reference}“ wird in der Vorlage nicht so genannt.",
                "integrationskonzept.referenz",
                severity="warning",
            )
        ]
    return []


def _lengths(out: SummaryOut) -> list[Finding]:
    found: list[Finding] = []
    count = sentence_count(out.kurzfassung)
    if count == 0:
        found.append(make_finding("kurzfassung", "Die Kurzfassung ist leer.", "kurzfassung"))
    elif not 3 <= count <= 5:
        found.append(
            make_finding(
                "kurzfassung",
                f"Die Kurzfassung hat {count} {'Satz' if count == 1 else 'Sätze'} statt 3 bis 5.",
                "kurzfassung",
                severity="warning",
            )
        )
    if sentence_count(out.beschluss) > 1:
        found.append(
            make_finding(
                "beschluss",
                "Der Beschluss steht nicht in einem Satz.",
                "beschluss",
                severity="warning",
            )
        )
    return found


def _places(out: SummaryOut, folded: str) -> list[Finding]:
    return [
        make_finding(
            "orte",
            f"Der Ort „{place}“ wird in der Vorlage nicht genannt.",
            f"orte[{i}]",
            severity="warning",
        )
        for i, place in enumerate(out.orte)
        if place.strip() and _fold(place) not in folded
    ]


def sentence_count(text: str) -> int:
    """Sentences in ``text``; abbreviations ("z. B.", "Nr.") and numbers do not end one."""
    masked = _ABBREVIATION.sub(lambda m: m.group().replace(".", " "), text)
    masked = re.sub(r"(?<=\d)\.(?=\d)|(?<=\d)\.(?=\s?\d)", " ", masked)
    return sum(1 for s in _SENTENCE.findall(masked) if re.search(r"\w{2,}", s))


def _fold(text: str) -> str:
    """For comparing names: case, runs of whitespace and "Sozial- und" / "Sozial-und" alike."""
    return re.sub(r"-\s+", "-", " ".join(text.casefold().split()))


_LISTS = ("betraege", "schlagworte", "betroffene_gruppen", "orte")
_ITEM_FIELD = re.compile(r"(?P<list>\w+)\[(?P<i>\d+)\]")


def drop_failed_items(out: SummaryOut, findings: list[Finding]) -> tuple[SummaryOut, list[Finding]]:
    """``out`` without the list items (amounts, Schlagworte, groups, places) that an error
    finding names, without a deciding body the Vorlage does not name and without a concept
    relation for a Vorlage that mentions no Integrationskonzept, with a warning for each thing
    dropped: removing an ungrounded amount
    leaves nothing wrong behind, where keeping it would. The texts are left as they are."""
    bad: dict[str, set[int]] = {name: set() for name in _LISTS}
    for f in findings:
        match = _ITEM_FIELD.match(f.field or "")
        if f.severity == "error" and match and match.group("list") in bad:
            bad[match.group("list")].add(int(match.group("i")))
    out, notes = _drop_unfounded_concept(out, findings)
    out, body_notes = _drop_unnamed_body(out, findings)
    notes += body_notes
    if not any(bad.values()):
        return out, notes
    update: dict[str, list[object]] = {}
    for name, indexes in bad.items():
        items = getattr(out, name)
        for i in sorted(indexes):
            shown = items[i].betrag if name == "betraege" else items[i]
            notes.append(
                make_finding(
                    "entfernt",
                    f"„{shown}“ wurde entfernt, weil es die Prüfung nicht bestand.",
                    name,
                    severity="warning",
                )
            )
        update[name] = [item for i, item in enumerate(items) if i not in indexes]
    return out.model_copy(update=update), notes


def _drop_unfounded_concept(
    out: SummaryOut, findings: list[Finding]
) -> tuple[SummaryOut, list[Finding]]:
    """``bezug`` „keiner“ when the Vorlage mentions no Integrationskonzept (the error of
    :func:`_concept` on ``integrationskonzept.bezug``): that much the text itself decides."""
    if not any(f.severity == "error" and f.field == "integrationskonzept.bezug" for f in findings):
        return out, []
    note = make_finding(
        "entfernt",
        "Der Bezug zu einem Integrationskonzept wurde entfernt, weil die Vorlage keines erwähnt.",
        "integrationskonzept",
        severity="warning",
    )
    return out.model_copy(update={"integrationskonzept": Integrationsbezug(bezug="keiner")}), [note]


def _drop_unnamed_body(
    out: SummaryOut, findings: list[Finding]
) -> tuple[SummaryOut, list[Finding]]:
    """No deciding body when the one the model named is not in the Vorlage (the error of
    :func:`_body`); the record then names none rather than a wrong one."""
    if not any(f.severity == "error" and f.field == "entscheidendes_gremium" for f in findings):
        return out, []
    note = make_finding(
        "entfernt",
        f"„{out.entscheidendes_gremium.strip()}“ wurde als entscheidendes Gremium entfernt, "
        "weil die Vorlage es nicht nennt.",
        "entscheidendes_gremium",
        severity="warning",
    )
    return out.model_copy(update={"entscheidendes_gremium": ""}), [note]
