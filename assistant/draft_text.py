"""The model's JSON answer for a section, read as text: while it streams, and when it is broken.

The drafting service asks for each section as JSON under a schema (``{"text": "..."}``).
:class:`TextStream` decodes the growing ``text`` field while the answer streams, so that the
``token`` events carry the text and not the JSON syntax; :func:`json_part` cuts the JSON object
out of an answer before it is validated; :func:`salvage_text` recovers the ``text`` field of an
answer that is not valid JSON (cut off by ``max_tokens``, wrapped in a code fence, with words
after it).
"""

from __future__ import annotations

import json
import re

__all__ = ["TextStream", "json_part", "salvage_text"]


_TEXT_START = re.compile(r'"text"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode_partial(raw: str) -> tuple[str, bool]:
    """Decode the JSON string content at the start of ``raw`` as far as it is complete.

    Returns (decoded text, whether the closing quote was reached). An escape cut off at the
    end of ``raw`` is left out until it is complete.
    """
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            return "".join(out), True
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(raw):
            break
        kind = raw[i + 1]
        if kind == "u":
            digits = raw[i + 2 : i + 6]
            if len(digits) < 4:
                break
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                out.append(digits)
            i += 6
            continue
        out.append(_ESCAPES.get(kind, kind))
        i += 2
    return "".join(out), False


def salvage_text(raw: str) -> str | None:
    """The ``text`` field of a model's JSON answer that is not valid JSON (cut off, wrapped in
    a code fence, with trailing words); ``None`` when there is no ``"text"`` field.

    Only ``"text"`` counts: the bundled 1.5B model, when not grammar-constrained, sometimes
    answers with the schema itself (``{"description": "..."}``), which must not become a
    section."""
    start = raw.find("{")
    if start >= 0:
        end = raw.rfind("}")
        candidate = raw[start : end + 1] if end > start else ""
        try:
            value = json.loads(candidate)
        except ValueError:
            value = None
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            return str(value["text"])
    match = _TEXT_START.search(raw)
    if match is None:
        return None
    text, _ = _decode_partial(raw[match.end() :])
    return text


class TextStream:
    """Turns the growing raw JSON answer into the growing text of its ``text`` field."""

    def __init__(self) -> None:
        self.raw = ""
        self.text = ""
        self._shown = 0
        self._done = False

    def feed(self, piece: str) -> str:
        """Add ``piece`` of the raw answer; return the newly decoded text (may be "")."""
        self.raw += piece
        if self._done:
            return ""
        match = _TEXT_START.search(self.raw)
        if match is None:
            return ""
        self.text, self._done = _decode_partial(self.raw[match.end() :])
        new = self.text[self._shown :]
        self._shown = len(self.text)
        return new


def json_part(raw: str) -> str:
    """The JSON object in ``raw`` (a code fence or words around it removed)."""
    start, end = raw.find("{"), raw.rfind("}")
    return raw[start : end + 1] if 0 <= start < end else raw
