"""Retrieval evaluation: query sets with labelled relevant Vorlagen, and pure metrics.

A query file is JSON lines, one query per line::

    {"set": "titel", "id": "titel-001", "query": "Erste Fortschreibung Karlsruher Integrationsplan",
     "relevant": ["2018/0535"], "note": "how it was labelled"}

``relevant`` lists Vorlagen by their ``vorlagen_nr`` (as printed on the Vorlage), not by the
Vorlage ``id``: the id is a hash of the normalised text and changes whenever the parser's
normalisation does, the printed number does not. ``set`` groups queries whose figures are
reported together (known-item queries from titles, paraphrased ones, topic queries).

Metrics, computed over the ranked list of Vorlagen (one entry per Vorlage, best first):

* ``recall@k`` = |relevant ∩ top k| / min(k, |relevant|): for a known-item query (one relevant
  Vorlage) this is 1 when the Vorlage is among the first k, else 0; for a topic query with
  more relevant Vorlagen than k it is the share of the k slots filled with relevant ones, so a
  perfect ranking scores 1.0 for every k (the "capped recall" of BEIR);
* ``MRR`` = mean over queries of 1 / rank of the first relevant Vorlage (0 when none is in the
  list).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "EvalQuery",
    "QueryFileError",
    "SetMetrics",
    "evaluate",
    "parse_queries",
    "recall_at",
    "reciprocal_rank",
]

CUTOFFS: tuple[int, ...] = (1, 5, 10)


class QueryFileError(ValueError):
    """A query file is malformed; ``str(err)`` is one German sentence."""


class EvalQuery(BaseModel):
    """One evaluation query and the Vorlagen (by ``vorlagen_nr``) relevant to it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    set: str = Field(min_length=1)
    id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    relevant: list[str] = Field(min_length=1)
    note: str | None = None


def parse_queries(lines: Iterable[str]) -> list[EvalQuery]:
    """Parse JSON lines (blank lines and lines starting with ``#`` are skipped).

    Raises:
        QueryFileError: a line is not a valid query, or an id occurs twice.
    """
    queries: list[EvalQuery] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            query = EvalQuery.model_validate(json.loads(text))
        except (ValueError, ValidationError) as err:
            raise QueryFileError(
                f"Zeile {number} der Abfragedatei ist keine gültige Abfrage "
                "(erwartet: JSON mit set, id, query und relevant)."
            ) from err
        if query.id in seen:
            raise QueryFileError(
                f"Die Abfrage-ID „{query.id}“ kommt in Zeile {number} doppelt vor."
            )
        seen.add(query.id)
        queries.append(query)
    if not queries:
        raise QueryFileError("Die Abfragedatei enthält keine Abfragen.")
    return queries


def recall_at(ranked: Sequence[str | None], relevant: Iterable[str], k: int) -> float:
    """|relevant ∩ top k| / min(k, |relevant|); duplicates in ``ranked`` count once."""
    if k < 1:
        raise ValueError("k must be >= 1")
    wanted = set(relevant)
    if not wanted:
        raise ValueError("a query needs at least one relevant item")
    found = {item for item in ranked[:k] if item in wanted}
    return len(found) / min(k, len(wanted))


def reciprocal_rank(ranked: Sequence[str | None], relevant: Iterable[str]) -> float:
    """1 / rank (from 1) of the first relevant item, 0.0 when there is none."""
    wanted = set(relevant)
    for rank, item in enumerate(ranked, start=1):
        if item in wanted:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class SetMetrics:
    """Mean metrics of one query set for one retriever."""

    queries: int
    recall: dict[int, float]
    mrr: float

    def as_dict(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {"queries": self.queries}
        out.update({f"recall@{k}": round(v, 4) for k, v in self.recall.items()})
        out["mrr"] = round(self.mrr, 4)
        return out


def evaluate(
    queries: Sequence[EvalQuery],
    ranking: Callable[[EvalQuery], Sequence[str | None]],
    cutoffs: Sequence[int] = CUTOFFS,
) -> dict[str, SetMetrics]:
    """Mean recall@k and MRR per query set.

    Args:
        queries: the queries.
        ranking: returns the ranked ``vorlagen_nr`` list (one per Vorlage, best first; ``None``
            for a Vorlage without a number) for a query; it should return at least
            ``max(cutoffs)`` entries when the store has them.
        cutoffs: the k of recall@k.

    Returns:
        set name -> metrics, in the order the sets first occur.
    """
    sums: dict[str, dict[int, float]] = {}
    rr: dict[str, float] = {}
    counts: dict[str, int] = {}
    for query in queries:
        ranked = ranking(query)
        per_k = sums.setdefault(query.set, dict.fromkeys(cutoffs, 0.0))
        for k in cutoffs:
            per_k[k] += recall_at(ranked, query.relevant, k)
        rr[query.set] = rr.get(query.set, 0.0) + reciprocal_rank(ranked, query.relevant)
        counts[query.set] = counts.get(query.set, 0) + 1
    return {
        name: SetMetrics(
            queries=counts[name],
            recall={k: total / counts[name] for k, total in per_k.items()},
            mrr=rr[name] / counts[name],
        )
        for name, per_k in sums.items()
    }
