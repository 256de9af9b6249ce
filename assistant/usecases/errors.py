"""The errors the use cases raise beside the backends' own; ``str(err)`` is German."""

from __future__ import annotations

from pathlib import Path

from assistant.ports import BackendError
from assistant.presenter import no_index

__all__ = ["InvalidRequest", "NoIndexError"]


class InvalidRequest(ValueError):
    """The caller's request breaks a rule (an empty Betreff, an unknown format, no sources).

    Entry points answer it as a wrong call: the CLI with exit code 2, HTTP with 422.
    ``field`` names the request field when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NoIndexError(BackendError):
    """The store holds no search index yet: Vorlagen have to be ingested first."""

    def __init__(self, directory: Path | None = None) -> None:
        super().__init__(no_index(directory))
        self.directory = directory
