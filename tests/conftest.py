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
