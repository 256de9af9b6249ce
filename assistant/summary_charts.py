"""The charts of the summary report (issue 13): figures from the records, drawn by pygal.

Each :class:`Chart` holds its German title, a one-sentence description, its data rows (the
accessible alternative: the report shows them as a table) and the SVG. pygal renders inline
SVG with ``js=[]``: no script and no request leaves the page (its default loads a tooltip
script from a CDN). A chart without data is left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.presenter_summaries import BEZUG_LABELS
from assistant.summary_schema import SummaryRecord
from assistant.validation.facts import extract_facts

__all__ = ["Chart", "amount_value", "charts", "concept_groups"]

TOP = 15
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


@dataclass(frozen=True)
class Chart:
    """One chart: ``id`` for anchors, ``title``, ``description``, the data ``rows`` under the
    ``columns`` headings, and the inline ``svg``."""

    id: str
    title: str
    description: str
    columns: tuple[str, str]
    rows: list[tuple[str, str]]
    svg: str


def charts(records: Sequence[SummaryRecord]) -> list[Chart]:
    """The report's charts over the summarised records."""
    done = [r for r in records if r.summarised]
    built = [
        _per_year(done),
        _per_body(done),
        _per_topic(done),
        _amounts_per_year(done),
        _concepts(done),
    ]
    return [chart for chart in built if chart is not None]


def amount_value(text: str) -> Decimal | None:
    """The sum of money in an amount's text ("1,5 Mio. Euro" -> 1500000), or None."""
    for fact in extract_facts(text):
        if fact.label == "Der Betrag":
            for key in fact.provides:
                if key[0] == "num" and isinstance(key[1], Decimal):
                    return key[1]
    return None


def concept_groups(records: Sequence[SummaryRecord]) -> dict[str, list[SummaryRecord]]:
    """Integrationskonzept (its name as written, or the Betreff of a concept itself) -> the
    records that are it, implement it or refer to it."""
    groups: dict[str, list[SummaryRecord]] = defaultdict(list)
    for record in records:
        concept = record.integrationskonzept
        if concept.bezug == "keiner":
            continue
        name = concept.referenz.strip() or (
            record.betreff if concept.bezug == "ist_konzept" else ""
        )
        groups[" ".join((name or "ohne Namen").split())].append(record)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def _per_year(records: Sequence[SummaryRecord]) -> Chart | None:
    counts = Counter(str(r.datum.year) for r in records if r.datum is not None)
    rows = sorted(counts.items())
    return _bar(
        "jahre",
        "Vorlagen je Jahr",
        "Wie viele zusammengefasste Vorlagen aus jedem Jahr stammen.",
        ("Jahr", "Vorlagen"),
        [(year, n) for year, n in rows],
        horizontal=False,
    )


def _per_body(records: Sequence[SummaryRecord]) -> Chart | None:
    counts = Counter(r.entscheidungsgremium for r in records if r.entscheidungsgremium)
    return _bar(
        "gremien",
        "Vorlagen je entscheidendem Gremium",
        f"Die {TOP} Gremien mit den meisten Vorlagen, die sie entscheiden.",
        ("Gremium", "Vorlagen"),
        counts.most_common(TOP),
    )


def _per_topic(records: Sequence[SummaryRecord]) -> Chart | None:
    counts = Counter(key for r in records for key in {w.casefold() for w in r.schlagworte})
    shown = {w.casefold(): w for r in records for w in r.schlagworte}
    return _bar(
        "themen",
        "Vorlagen je Schlagwort",
        f"Die {TOP} häufigsten Schlagworte der Zusammenfassungen.",
        ("Schlagwort", "Vorlagen"),
        [(shown[key], n) for key, n in counts.most_common(TOP)],
    )


def _amounts_per_year(records: Sequence[SummaryRecord]) -> Chart | None:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for record in records:
        if record.datum is None:
            continue
        for amount in record.betraege:
            value = amount_value(amount.betrag)
            if value is not None:
                sums[str(record.datum.year)] += value
    rows = sorted(sums.items())
    if not rows:
        return None
    pygal = _pygal()
    chart = pygal.Bar(**_style(), title="Genannte Beträge je Jahr (Euro)")
    chart.x_labels = [year for year, _ in rows]
    chart.add("Euro", [float(value) for _, value in rows])
    return Chart(
        "betraege",
        "Genannte Beträge je Jahr",
        "Die Summe aller Beträge, die die Vorlagen eines Jahres nennen, in Euro.",
        ("Jahr", "Euro"),
        [(year, _euro(value)) for year, value in rows],
        _svg(chart),
    )


def _concepts(records: Sequence[SummaryRecord]) -> Chart | None:
    counts = Counter(
        BEZUG_LABELS[r.integrationskonzept.bezug]
        for r in records
        if r.integrationskonzept.bezug != "keiner"
    )
    return _bar(
        "integrationskonzepte",
        "Integrationskonzepte und Vorlagen, die sich auf sie beziehen",
        "Wie viele Vorlagen ein Integrationskonzept sind, eines umsetzen oder auf eines "
        "verweisen; die Liste darunter nennt sie je Konzept.",
        ("Bezug", "Vorlagen"),
        counts.most_common(),
    )


def _bar(
    chart_id: str,
    title: str,
    description: str,
    columns: tuple[str, str],
    rows: Sequence[tuple[str, int]],
    *,
    horizontal: bool = True,
) -> Chart | None:
    if not rows:
        return None
    pygal = _pygal()
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    size = {"height": 110 + 32 * len(rows)} if horizontal else {}
    chart = kind(**(_style() | size), title=title)
    top = max(n for _, n in rows)
    step = max(1, math.ceil(top / 8))
    chart.y_labels = list(range(0, top + step, step))  # whole numbers on the count axis
    labels = [label for label, _ in rows]
    if horizontal:  # pygal draws the first label at the bottom
        labels, values = labels[::-1], [n for _, n in rows][::-1]
    else:
        values = [n for _, n in rows]
    chart.x_labels = labels
    chart.add("Vorlagen", values)
    return Chart(
        chart_id, title, description, columns, [(label, str(n)) for label, n in rows], _svg(chart)
    )


def _pygal() -> Any:
    import pygal  # type: ignore[import-untyped]  # heavy-ish: only when a report is drawn

    return pygal


def _style() -> dict[str, Any]:
    style = _pygal().style.Style(
        background="white",
        plot_background="white",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#555555",
        colors=("#1f5f99",),
        font_family="system-ui, sans-serif",
    )
    return {
        "js": [],
        "style": style,
        "show_legend": False,
        "disable_xml_declaration": True,
        "width": 800,
        "height": 380,
        "truncate_label": 40,
        "print_values": False,
    }


def _svg(chart: object) -> str:
    """The chart as inline SVG, without pygal's configuration script (useless with
    ``js=[]``, and it would carry document text inside a ``<script>`` element)."""
    svg = str(chart.render(is_unicode=True))  # type: ignore[attr-defined]
    return _SCRIPT.sub("", svg)


def _euro(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"
