"""Plain text as council systems export it (Session PDF exports, Bürgerinfo pages saved as text)."""

from __future__ import annotations

from pathlib import Path

from assistant.schema import System
from ingest.errors import IngestError
from ingest.sources.base import RawDocument
from ingest.systems import system_of_text

_MAX_CONTROL_SHARE = 0.01


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes that should be text; refuse binary data with a German message."""
    if not data.strip():
        raise IngestError(f"Die Datei {name} ist leer.")
    if b"\x00" in data[:8192]:
        raise IngestError(f"Die Datei {name} ist keine Textdatei, sondern enthält Binärdaten.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if _control_share(text) > _MAX_CONTROL_SHARE or text.count("\ufffd") > len(text) // 100:
        raise IngestError(f"Die Datei {name} ist keine lesbare Textdatei.")
    return text


def _control_share(text: str) -> float:
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control / max(len(sample), 1)


def detect_system(text: str) -> System:
    """The council system a text export comes from, where the text says so (``ingest.systems``)."""
    return system_of_text(text) or "text"


def load_text(path: Path) -> RawDocument:
    """Read a plain-text export."""
    text = decode_text(path.read_bytes(), path.name)
    return RawDocument(text=text, system=detect_system(text), path=str(path))
