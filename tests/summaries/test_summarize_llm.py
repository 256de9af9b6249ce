"""The bundled model summarises one short seed Vorlage (slow: loads the real model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chat_models import make_chat_model
from assistant.summarize import Summarizer, SummaryLimits, prompt_version
from assistant.summary_checks import summary_findings
from assistant.summary_job import SummaryJob, run_summary_job
from assistant.summary_schema import SummaryOut
from ingest.parse import ParseOptions, parse_path


@pytest.mark.slow
@pytest.mark.llm
def test_the_bundled_model_summarises_a_seed_vorlage(
    bundled_model_path: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    seed = seeds_dir / "003_3f6889f89219b8e4.txt"  # the shortest seed: an Aktionsplan Integration
    vorlage = parse_path(seed, ParseOptions())
    chat = make_chat_model("bundled", models_dir=tmp_path, model_path=bundled_model_path)
    try:
        summarizer = Summarizer(chat, SummaryLimits.for_context(8192))
        record = run_summary_job(summarizer, SummaryJob(str(seed), "h", vorlage), prompt_version())
    finally:
        chat.worker.stop()  # type: ignore[union-attr]
    assert record.status in ("ok", "befunde"), record.reason
    assert record.coverage == "vollstaendig" and record.model_calls >= 1
    assert record.kurzfassung and record.model.startswith("llama.cpp:")
    assert record.vorlagen_nr == vorlage.vorlagen_nr and record.betreff == vorlage.betreff
    # the kept findings are exactly what the checks say of the kept summary: nothing hidden
    out = SummaryOut.model_validate(
        record.model_dump(
            include={
                "kurzfassung",
                "beschluss",
                "betraege",
                "schlagworte",
                "betroffene_gruppen",
                "orte",
                "integrationskonzept",
            }
        )
        | {"entscheidendes_gremium": ""}
    )
    errors = [f for f in summary_findings(out, vorlage) if f.severity == "error"]
    if record.status == "ok":
        assert not [f for f in errors if f.rule == "grounded"]
    else:
        assert any(f.severity == "error" for f in record.findings)
