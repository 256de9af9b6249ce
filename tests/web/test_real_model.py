"""The clerk's path on the page with the REAL bundled model (marked llm, slow and browser):
the same steps as with the fake model (``steps.clerk_path``, also run with the fake in
``test_draft_path.py``), over the Karlsruhe store, with the timeouts of a real draft."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.container import build_services
from assistant.bundled_model import BundledChatModel
from assistant.settings import LLMSettings, Settings
from tests.web.conftest import RecordedPage, served
from tests.web.steps import EDIT, clerk_path

pytestmark = [pytest.mark.slow, pytest.mark.llm, pytest.mark.browser]

DRAFT_MS = 420_000  # a draft takes about a minute on 2 cores, several behind other work


@pytest.fixture(scope="module")
def real_app(
    bundled_model_path: Path,
    store_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    data = tmp_path_factory.mktemp("real")
    llm = LLMSettings(model_path=bundled_model_path, timeout_s=60)
    services = build_services(Settings(data_dir=data, llm=llm))
    services.chat_model.warm_up()
    try:
        with served(create_app(services, store_dir=store_dir)) as url:
            yield url
    finally:
        chat = services.chat_model
        if isinstance(chat, BundledChatModel):
            chat.worker.stop()


def test_the_clerks_path_with_the_bundled_model(
    real_app: str, page_of: Any, tmp_path: Path
) -> None:
    recorded: RecordedPage = page_of(real_app)
    assert EDIT in clerk_path(recorded.page, tmp_path, timeout_ms=DRAFT_MS)
    recorded.assert_clean()
