"""api.container: the drafting settings reach the drafting service."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from api.container import build_services
from assistant.schema import MAX_DRAFT_K
from assistant.settings import DraftingSettings, load_settings


def test_drafting_settings_reach_the_service(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "data_dir": tmp_path,
            "drafting": {
                "k": 5,
                "max_repairs": 0,
                "passages_per_vorlage": 2,
                "passage_chars": 400,
                "paragraph_max_tokens": 300,
            },
        }
    )
    services = build_services(settings)
    services.__dict__["chat_model"] = SimpleNamespace(name="fake")  # no model, no LangChain
    store = SimpleNamespace(retriever=SimpleNamespace())
    service = services.drafting_for(store)  # type: ignore[arg-type]
    assert (service.k, service.max_repairs) == (5, 0)
    assert (service.sources.passages_per_vorlage, service.sources.passage_chars) == (2, 400)
    assert service.max_tokens == {"sachdarstellung": 300, "beschlussvorschlag": 160}


def test_the_default_knobs_are_the_services_own() -> None:
    assert DraftingSettings().model_dump() == {
        "k": 3,
        "max_repairs": 1,
        "passages_per_vorlage": 1,
        "passage_chars": 300,
        "paragraph_max_tokens": 220,
        "resolution_max_tokens": 160,
    }
    # the installation may allow fewer Vorlagen, never more than a request may ask for
    assert DraftingSettings.model_fields["k"].metadata[-1].le == MAX_DRAFT_K
