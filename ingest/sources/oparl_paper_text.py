"""The Vorlage text of one OParl Paper: its candidate Files, their ``text`` or download, read
as PDF, DOCX, HTML or plain text (the module docstring of ``oparl_api`` describes the order)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from ingest.errors import IngestError
from ingest.sources.base import RawDocument
from ingest.sources.oparl import _text, _value, paper_hints
from ingest.sources.oparl_http import Http, SyncLimits
from ingest.sources.oparl_items import (
    _absolute,
    _alnum,
    _file_name,
    _first,
    _with_suffix,
    vorlage_candidates,
)

logger = logging.getLogger("ingest.sources.oparl_api")

MIN_TEXT_CHARS = 20
"""A File ``text`` or downloaded file with fewer letters and digits than this holds no text."""


class PaperReader:
    """Reads the Vorlage text of Papers over ``http``, within ``limits``."""

    def __init__(self, http: Http, limits: SyncLimits) -> None:
        self.http = http
        self.limits = limits

    def read(
        self, paper: Mapping[str, Any], pid: str, body_name: str | None
    ) -> RawDocument | IngestError:
        """The Vorlage of ``paper`` (``pid``: its URL), or why not; never raises."""
        label = _text(paper.get("reference")) or _text(paper.get("name")) or pid
        try:
            hints = paper_hints(paper)
            if hints.kommune is None and body_name:
                hints = replace(hints, kommune=body_name)
            text = self._vorlage_text(paper, pid, label)
        except IngestError as err:
            return err
        except Exception as err:  # one paper must never stop the run
            logger.exception("reading paper %s failed", pid)
            return IngestError(
                f"Die Vorlage {label} konnte wegen eines unerwarteten Fehlers nicht gelesen "
                f"werden ({type(err).__name__})."
            )
        return RawDocument(text=text, system="oparl", path=pid, hints=hints)

    def _vorlage_text(self, paper: Mapping[str, Any], pid: str, label: str) -> str:
        candidates = vorlage_candidates(paper)[: self.limits.max_candidates]
        if not candidates:
            raise IngestError(f"Die Vorlage {label} hat keine Datei mit dem Vorlagentext.")
        errors: list[IngestError] = []
        for file in candidates:
            try:
                return self._file_text(file, pid)
            except IngestError as err:
                errors.append(err)
        if len(errors) == 1:
            raise IngestError(f"Vorlage {label}: {errors[0]}")
        first = str(errors[0]).rstrip(".")
        raise IngestError(
            f"Aus keiner der {len(errors)} Dateien der Vorlage {label} ließ sich ein Text lesen "
            f"(zuerst: {first})."
        )

    def _file_text(self, file: object, base: str) -> str:
        if not isinstance(file, Mapping) or all(
            _value(file.get(key)) is None for key in ("text", "accessUrl", "downloadUrl")
        ):
            ref = file.get("id") if isinstance(file, Mapping) else file
            url = _absolute(ref, base)
            if url is None:
                raise IngestError("Eine Datei der Vorlage hat keine gültige Adresse.")
            file, response = self.http.get_json(url)
            base = str(response.url)
            if not isinstance(file, Mapping):
                raise IngestError(f"Unter {url} liefert der OParl-Server kein File-Objekt.")
        text = _value(file.get("text"))
        if isinstance(text, str) and _alnum(text) >= MIN_TEXT_CHARS:
            return text
        urls = [
            u
            for key in ("accessUrl", "downloadUrl")
            if (u := _absolute(_first(file.get(key)), base)) is not None
        ]
        if not urls:
            name = _text(file.get("name")) or _text(file.get("fileName")) or "ohne Namen"
            raise IngestError(f"Die Datei {name} hat weder Text noch eine Download-Adresse.")
        error: IngestError | None = None
        for url in dict.fromkeys(urls):
            try:
                data, response = self.http.fetch(url)
            except IngestError as err:
                error = error or err
                continue
            return self._decode(data, response, file, url)
        assert error is not None
        raise error

    def _decode(
        self, data: bytes, response: httpx.Response, file: Mapping[str, Any], url: str
    ) -> str:
        declared = response.headers.get("content-type", "") or ""
        mime = (declared.split(";")[0].strip() or _text(file.get("mimeType")) or "").lower()
        if mime == "application/octet-stream":
            mime = (_text(file.get("mimeType")) or mime).lower()
        name = _file_name(file, url)
        head = data[:1024]
        if b"%PDF-" in head:
            return self._via_file(data, _with_suffix(name, ".pdf"), "pdf")
        if data.startswith(b"PK\x03\x04") and (
            "wordprocessingml" in mime or name.lower().endswith(".docx")
        ):
            return self._via_file(data, _with_suffix(name, ".docx"), "docx")
        if "html" in mime or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            from ingest.sources.html import decode_html, html_to_text

            text, _ = html_to_text(decode_html(data))
        elif mime.startswith("text/") or mime in ("", "application/octet-stream"):
            from ingest.sources.text import decode_text

            text = decode_text(data, name)
        elif "pdf" in mime:
            return self._via_file(data, _with_suffix(name, ".pdf"), "pdf")
        else:
            raise IngestError(f"Die Datei {name} hat das nicht unterstützte Format {mime}.")
        if _alnum(text) < MIN_TEXT_CHARS:
            raise IngestError(f"Die Datei {name} enthält keinen lesbaren Text.")
        return text

    def _via_file(self, data: bytes, name: str, kind: str) -> str:
        with tempfile.TemporaryDirectory(prefix="vorlagen-oparl-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            if kind == "pdf":
                from ingest.sources.pdf import load_pdf

                raw = load_pdf(
                    path, timeout_s=self.limits.pdf_timeout_s, memory_mb=self.limits.pdf_memory_mb
                )
            else:
                from ingest.sources.docx import load_docx

                raw = load_docx(path)
        return raw.text
