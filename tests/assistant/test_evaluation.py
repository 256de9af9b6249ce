"""Retrieval metrics (pure) and the query-file format, including the shipped evaluation set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation import (
    EvalQuery,
    QueryFileError,
    evaluate,
    parse_queries,
    recall_at,
    reciprocal_rank,
)

EVAL_SET = Path(__file__).resolve().parents[1] / "data" / "retrieval_eval.jsonl"


def test_recall_known_item() -> None:
    assert recall_at(["a", "b", "c"], ["b"], 1) == 0.0
    assert recall_at(["a", "b", "c"], ["b"], 2) == 1.0
    assert recall_at([], ["b"], 5) == 0.0


def test_recall_is_capped_by_k_for_topics() -> None:
    ranked = ["r1", "x", "r2", "r3", "r4", "r5"]
    relevant = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]
    assert recall_at(ranked, relevant, 1) == 1.0
    assert recall_at(ranked, relevant, 5) == pytest.approx(4 / 5)
    assert recall_at(ranked, ["r1", "r2"], 5) == 1.0
    assert recall_at(["r1", "r1"], ["r1", "r2"], 2) == 0.5  # duplicates count once
    with pytest.raises(ValueError):
        recall_at(ranked, [], 5)
    with pytest.raises(ValueError):
        recall_at(ranked, ["r1"], 0)


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["a", "b", "c"], ["c", "b"]) == 0.5
    assert reciprocal_rank(["a", None], ["z"]) == 0.0


def test_evaluate_per_set() -> None:
    queries = [
        EvalQuery(set="ki", id="1", query="q1", relevant=["a"]),
        EvalQuery(set="ki", id="2", query="q2", relevant=["z"]),
        EvalQuery(set="topic", id="3", query="q3", relevant=["a", "b"]),
    ]
    rankings = {"q1": ["a", "b"], "q2": ["a", "b", "c", "d", "e", "z"], "q3": ["b", "x", "a"]}
    result = evaluate(queries, lambda q: rankings[q.query])
    ki = result["ki"]
    assert ki.queries == 2
    assert ki.recall == {1: 0.5, 5: 0.5, 10: 1.0}
    assert ki.mrr == pytest.approx((1 + 1 / 6) / 2)
    topic = result["topic"]
    assert topic.recall[1] == 1.0 and topic.recall[5] == 1.0
    assert topic.as_dict()["recall@5"] == 1.0
    assert list(result) == ["ki", "topic"]


def test_parse_queries_errors() -> None:
    good = json.dumps({"set": "s", "id": "1", "query": "q", "relevant": ["a"]})
    assert parse_queries(["# comment", "", good])[0].relevant == ["a"]
    with pytest.raises(QueryFileError, match="Zeile 1"):
        parse_queries(["{kein json"])
    with pytest.raises(QueryFileError, match="Zeile 1"):
        parse_queries([json.dumps({"set": "s", "id": "1", "query": "q", "relevant": []})])
    with pytest.raises(QueryFileError, match="doppelt"):
        parse_queries([good, good])
    with pytest.raises(QueryFileError, match="keine Abfragen"):
        parse_queries([])


def test_shipped_evaluation_set_is_well_formed(karlsruhe_dir: Path) -> None:
    queries = parse_queries(EVAL_SET.read_text(encoding="utf-8").splitlines())
    sets = Counter(q.set for q in queries)
    assert sets["titel"] >= 100
    assert sets["titel-umschrieben"] >= 40
    assert sets["themen"] >= 15
    assert sets["titel-kontrolle"] >= 100 and sets["stichwort"] >= 20
    # every labelled Vorlagen-Nr. exists in the development corpus
    manifest = (karlsruhe_dir.parent / "manifest-dev.csv").read_text(encoding="utf-8")
    import csv
    import io

    references = {row["reference"] for row in csv.DictReader(io.StringIO(manifest))}
    for query in queries:
        assert set(query.relevant) <= references, query.id
        if query.set.startswith("titel"):  # known-item queries
            assert len(query.relevant) == 1
