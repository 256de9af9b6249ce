"""Example drafts by a fixed rule (assistant/eval/examples.py) and their Markdown, also through
``bench/draft_examples.py`` on JSON lines as ``eval drafts -o`` writes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from assistant.eval.examples import (
    COMMENT,
    Example,
    choose_examples,
    example_markdown,
    examples_markdown,
)
from assistant.eval.runs import ASSISTANT, BASELINE, PaperRun
from assistant.schema import Draft, DraftRequest, Finding, SourceRef, ValidationReport, Vorlage

REPO = Path(__file__).resolve().parents[2]


def _paper(i: int) -> Vorlage:
    return Vorlage(
        id=f"{i:02d}".ljust(16, "0"),
        source=SourceRef(path=f"{i}.json", system="oparl"),
        vorlagen_nr=f"2024/{i:04d}",
        betreff=f"Betreff {i}",
        text="…",
    )


def _draft(i: int, *rules: str) -> Draft:
    request = DraftRequest(
        betreff=f"Betreff {i}", gremium="Gemeinderat", fakten="- Es kostet 1.500 Euro und 3 %."
    )
    findings = [Finding(rule=rule, severity="error", message="…") for rule in rules]
    findings.append(Finding(rule="style", severity="warning", message="…"))
    return Draft(
        request=request,
        beschlussvorschlag="Der Gemeinderat beschließt die Sache.",
        sachdarstellung="Es kostet 1.500 EUR.\n\n```\nRest\n```",
        validation=ValidationReport.from_findings(findings),
    )


def _runs(papers: int) -> list[PaperRun]:
    """Per paper the assistant (failing validation on every third paper, a model error on
    paper 4) and the baseline."""
    runs: list[PaperRun] = []
    for i in range(papers):
        draft = None if i == 4 else _draft(i, *(["grounded"] if i % 3 == 0 else []))
        runs.append(PaperRun(_paper(i), ASSISTANT, 1.0, draft=draft, error=None))
        runs.append(PaperRun(_paper(i), BASELINE, 1.0, draft=_draft(i, "citations")))
    return runs


def _line(run: PaperRun) -> dict[str, Any]:
    assert run.draft is not None
    return {
        "paper": run.paper.id,
        "vorlagen_nr": run.paper.vorlagen_nr,
        "system": run.system,
        "draft": run.draft.model_dump(mode="json"),
    }


def test_examples_are_evenly_spaced_over_the_systems_drafts_whatever_their_result() -> None:
    runs = _runs(21)  # the assistant has 20 finished drafts: papers 0-3 and 5-20
    chosen = choose_examples(runs, 5)
    assert [e.vorlagen_nr for e in chosen] == [f"2024/{i:04d}" for i in (0, 5, 9, 13, 17)]
    assert {e.system for e in chosen} == {ASSISTANT}
    assert any(not (e.draft.validation and e.draft.validation.ok) for e in chosen)  # 0, 9
    assert choose_examples(runs, 5) == chosen  # deterministic
    assert len(choose_examples(runs, 50)) == 20  # all, when there are fewer
    baseline = choose_examples(runs, 3, system=BASELINE)
    assert [e.vorlagen_nr for e in baseline] == ["2024/0000", "2024/0007", "2024/0014"]
    assert choose_examples([], 10) == []


def test_json_lines_give_the_same_choice_as_the_runs() -> None:
    runs = _runs(12)
    lines = [_line(run) for run in runs if run.draft is not None]
    assert choose_examples(lines, 4) == choose_examples(runs, 4)
    assert Example.from_line(lines[0]).draft == runs[0].draft


def test_example_markdown() -> None:
    example = choose_examples(_runs(1), 1)[0]
    text = example_markdown(example, 3)
    assert text.startswith("### Beispiel 3: 2024/0000\n")
    assert "- Vorlage: `0000000000000000`, Vorlagen-Nr. 2024/0000, System: Vorlagen-Assistent" in (
        text
    )
    assert "- Betreff: Betreff 0" in text
    assert "- Prüfung: nicht bestanden; Fehler: `grounded`; Hinweise: `style`" in text
    assert "- Angaben der Sachbearbeitung verwendet: 50%" in text  # 1.500 Euro, not 3 %
    assert "````text\nEs kostet 1.500 EUR.\n\n```\nRest\n```\n````" in text  # a longer fence
    assert "```text\nDer Gemeinderat beschließt die Sache.\n```" in text
    assert text.endswith(f"\n{COMMENT}")
    both = examples_markdown(choose_examples(_runs(2), 2))
    assert "### Beispiel 1:" in both and "### Beispiel 2: 2024/0001" in both


def test_the_bench_script_reads_several_files(tmp_path: Path) -> None:
    runs = _runs(6)
    finished = [_line(run) for run in runs if run.draft is not None]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(json.dumps(x) for x in finished[:6]) + "\n\n", encoding="utf-8")
    second.write_text("\n".join(json.dumps(x) for x in finished[6:]), encoding="utf-8")
    script = REPO / "bench" / "draft_examples.py"
    done = subprocess.run(
        [sys.executable, script, first, second, "--n", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("### Beispiel") == 2 and "2024/0002" in done.stdout  # 0 and 2
    missing = subprocess.run(
        [sys.executable, script, tmp_path / "fehlt.jsonl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "nicht gefunden" in missing.stderr
