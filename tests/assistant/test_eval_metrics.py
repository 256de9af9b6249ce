"""The figures a clerk would judge a draft by (assistant/eval/metrics.py) and their sums per
system (assistant/eval/summary.py): rules, complete and clean, fact coverage, copied text,
topic warning, median seconds. Drafts are built by hand, with hand-made validation reports
where the findings matter."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.eval.metrics import (
    CLEAN_RULES,
    complete_and_clean,
    copied_share,
    error_rules,
    fact_coverage,
    topic_warning,
    warning_rules,
)
from assistant.eval.runs import ASSISTANT, BASELINE, PaperRun
from assistant.eval.summary import failing_rules, run_row, summarise
from assistant.schema import (
    Citation,
    Draft,
    DraftRequest,
    Finding,
    Severity,
    SourceRef,
    ValidationReport,
    Vorlage,
)
from assistant.validation import RULE_IDS, validate

PAPER = Vorlage(
    id="e" * 16,
    source=SourceRef(path="x.json", system="oparl"),
    vorlagen_nr="2024/0002",
    betreff="Sanierung der Sporthalle",
    beschlussvorschlag="Der Gemeinderat beschließt die Sanierung der Sporthalle.",
    sachdarstellung="Die Sporthalle ist alt.",
    text="…",
)
COPIED = "die halle wurde im jahr der gründung von der stadt gebaut"  # 11 words


def _finding(rule: str, severity: Severity = "error") -> Finding:
    return Finding(rule=rule, severity=severity, message="…")


def _draft(
    findings: list[Finding] | None = None,
    *,
    fakten: str = "",
    sach: str = "Die Halle ist alt.",
    beschluss: str = "Der Gemeinderat beschließt die Sanierung der Sporthalle.",
    passages: tuple[str, ...] = (),
) -> Draft:
    request = DraftRequest(betreff="Sanierung der Sporthalle", gremium="Gemeinderat", fakten=fakten)
    return Draft(
        request=request,
        beschlussvorschlag=beschluss,
        sachdarstellung=sach,
        citations=[
            Citation(n=n, vorlage_id=str(n) * 16, section="kurzfassung", passage=passage)
            for n, passage in enumerate(passages, start=1)
        ],
        validation=ValidationReport.from_findings(findings or []),
    )


def _run(system: str, draft: Draft | None, seconds: float = 1.0) -> PaperRun:
    return PaperRun(PAPER, system, seconds, draft=draft, error=None if draft else "Modellfehler")


# --- rules, complete and clean, topic warning -----------------------------------------------


def test_the_clean_rules_are_validation_rules() -> None:
    assert set(CLEAN_RULES) - {"fremder-fall"} <= set(RULE_IDS)  # fremder-fall: being added


def test_rules_and_complete_and_clean() -> None:
    clean = _draft([_finding("style", "warning"), _finding("operative", "warning")])
    assert complete_and_clean(clean) and error_rules(clean) == set()
    assert warning_rules(clean) == {"style", "operative"}
    broken = _draft([_finding("grounded"), _finding("grounded"), _finding("citations")])
    assert error_rules(broken) == {"grounded", "citations"} and not complete_and_clean(broken)
    for rule in CLEAN_RULES:
        assert not complete_and_clean(_draft([_finding(rule, "warning")])), rule


def test_topic_warning_is_the_operative_warning_only() -> None:
    assert topic_warning(_draft([_finding("operative", "warning")]))
    assert not topic_warning(_draft([_finding("operative")]))
    assert not topic_warning(_draft([_finding("style", "warning")]))


def test_a_draft_without_a_report_is_validated() -> None:
    draft = _draft().model_copy(update={"validation": None})  # no Finanzielle Auswirkungen
    assert error_rules(draft) == {f.rule for f in validate(draft).errors} and error_rules(draft)
    assert not complete_and_clean(draft)


# --- fact coverage --------------------------------------------------------------------------


FAKTEN = (
    "- Die Kosten betragen 1.200.000 EUR, davon 30 % Förderung.\n"
    "- Baubeginn ist am 05.12.2023 nach § 3 Abs. 2 BauGB.\n"
    "- Das Projekt „Grüne Höfe“ wird 2024 fortgesetzt; die Kosten betragen 1.200.000 EUR."
)


def test_fact_coverage_compares_normalised_tokens_and_names() -> None:
    # tokens: 1.200.000 EUR, 30 %, 05.12.2023, § 3 Abs. 2 BauGB, 2024; name: Grüne Höfe
    draft = _draft(
        fakten=FAKTEN,
        beschluss="Der Gemeinderat beschließt die Sanierung für 1,2 Mio. Euro.",
        sach="Die Arbeiten beginnen am 5. Dezember 2023. Das Projekt grüne  Höfe [2] läuft.",
    )
    assert fact_coverage(draft) == pytest.approx(3 / 6)
    everything = _draft(
        fakten=FAKTEN,
        sach=(
            "Kosten: 1.200.000 Euro bei 30 Prozent Förderung. Beginn am 05.12.2023 "
            "(§ 3 Abs. 2 BauGB). „Grüne Höfe“ läuft 2024 weiter."
        ),
    )
    assert fact_coverage(everything) == 1.0


def test_fact_coverage_counts_a_name_by_its_whole_words() -> None:
    facts = "- Das Programm „Grüne Höfe“ startet."
    assert fact_coverage(_draft(fakten=facts, sach="Die grünen Höfe starten.")) == 0.0
    assert fact_coverage(_draft(fakten=facts, sach="Das Programm Grüne Höfe.")) == 1.0


def test_fact_coverage_without_checkable_facts_is_none() -> None:
    assert fact_coverage(_draft(fakten="- Die Halle ist alt und undicht.")) is None
    assert fact_coverage(_draft(fakten="")) is None


# --- copied text ----------------------------------------------------------------------------


def test_copied_share_counts_words_in_runs_of_eight_shared_with_a_source() -> None:
    source = f"Vorher steht etwas. {COPIED.capitalize()}, und danach nicht."
    sach = f"Eigene Worte hier. {COPIED.upper()}! [1] Noch vier eigene Worte."
    draft = _draft(sach=sach, passages=("Anderes.", source))
    assert copied_share(draft) == pytest.approx(11 / 18)
    seven = " ".join(COPIED.split()[:7])
    assert copied_share(_draft(sach=f"{seven} und dann anders.", passages=(source,))) == 0.0
    assert copied_share(_draft(sach=sach)) == 0.0  # no citations
    assert copied_share(_draft(sach=" ", passages=(source,))) is None


# --- per system and per row -----------------------------------------------------------------


def test_summarise_gives_the_new_figures() -> None:
    facts = "- Die Kosten betragen 1.200.000 EUR.\n- Baubeginn ist 2025."
    runs = [
        _run(ASSISTANT, _draft([_finding("style", "warning")], fakten=facts), 40.0),
        _run(BASELINE, _draft([_finding("grounded"), _finding("citations")], fakten=facts)),
        _run(ASSISTANT, _draft([_finding("abdeckung", "warning")], fakten=facts), 10.0),
        _run(BASELINE, _draft([_finding("operative", "warning"), _finding("grounded")])),
        _run(ASSISTANT, _draft([_finding("grounded")], sach="1.200.000 EUR", fakten=facts), 90.0),
        _run(ASSISTANT, None, 500.0),
    ]
    assistant, baseline = summarise(runs)
    assert assistant.rules == pytest.approx({"grounded": 1 / 3, "citations": 0.0})
    assert baseline.rules == {"grounded": 1.0, "citations": 0.5}
    assert assistant.complete_and_clean == pytest.approx(1 / 3)
    assert assistant.fact_coverage == pytest.approx(1 / 6)  # 0, 0 and 1/2
    assert baseline.fact_coverage == 0.0  # the second draft has no facts: left out
    assert assistant.copied_share == 0.0
    assert (assistant.topic_warning, baseline.topic_warning) == (0.0, 0.5)
    assert (assistant.seconds_median, assistant.seconds_max) == (40.0, 90.0)
    as_dict: dict[str, Any] = assistant.as_dict()
    assert as_dict["rules"] == {"grounded": 0.3333, "citations": 0.0}
    assert as_dict["complete_and_clean"] == 0.3333
    empty = summarise([_run(ASSISTANT, None)])[0]
    assert empty.rules == {} and empty.fact_coverage is None and empty.seconds_median is None


def test_failing_rules_follow_the_registry() -> None:
    drafts = [_draft([_finding("zzz-neu"), _finding("citations")]), _draft([_finding("required")])]
    assert failing_rules(drafts) == ["required", "citations", "zzz-neu"]
    assert failing_rules([]) == []


def test_run_row_has_the_new_keys() -> None:
    draft = _draft(
        [_finding("operative", "warning"), _finding("formularreste", "warning")],
        fakten="- Die Kosten betragen 1.200.000 EUR.",
        sach=f"{COPIED}. Die Kosten betragen 1.200.000 EUR.",
        passages=(COPIED,),
    )
    row = run_row(_run(ASSISTANT, draft))
    assert row["rules_failed"] == [] and row["rules_warned"] == ["formularreste", "operative"]
    assert row["complete_and_clean"] is False and row["topic_warning"] is True
    assert row["fact_coverage"] == 1.0
    assert row["copied_share"] == round(11 / 16, 4)  # "1.200.000" is one word
    assert "fact_coverage" not in run_row(_run(BASELINE, None))
