"""Structured logs for the server: one JSON object per line on stderr.

Fields: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and for an exception its
type and traceback. What goes into a message is the code's concern and the project's rule:
ids, counts and German sentences, never secrets (keys, passwords, session secrets are
``SecretStr`` and never formatted) and never document text. The access log of uvicorn is off:
its request lines could carry query strings with search text.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

__all__ = ["JsonFormatter", "configure_json_logs"]


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logs(level: int | str = logging.INFO) -> None:
    """Route the root logger (and uvicorn's error logger) to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # the OpenAI client logs request bodies (document text) at DEBUG: never below INFO
    logging.getLogger("openai").setLevel(max(logging.INFO, root.level))
