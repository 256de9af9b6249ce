"""Test helpers for the vector-store tests: sample chunks, a hashing embedder, a free port."""

from __future__ import annotations

import hashlib
import math
import re
import socket
from collections.abc import Sequence
from datetime import date

from assistant.schema import Chunk, ChunkMetadata


class HashingEmbedder:
    """A deterministic bag-of-words embedder for index tests: fast, no model, exact-text = 1.0."""

    def __init__(self, dimension: int = 64, name: str = "test-hashing") -> None:
        self._dimension = dimension
        self._name = f"{name}-{dimension}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        pass

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._dimension
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            vector[digest[0] % self._dimension] += 1.0 if digest[1] % 2 else -1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_chunk(
    vorlage_id: str,
    section: str,
    ordinal: int,
    text: str,
    **metadata: object,
) -> Chunk:
    return Chunk(
        id=Chunk.make_id(vorlage_id, section, ordinal),
        vorlage_id=vorlage_id,
        section=section,
        text=text,
        metadata=ChunkMetadata.model_validate(metadata),
    )


def sample_chunks() -> list[Chunk]:
    """Eight chunks of four Vorlagen with varied metadata; every text contains "Vorlage"."""
    return [
        make_chunk(
            "a1",
            "betreff",
            0,
            "Vorlage: Fortschreibung des Integrationskonzeptes der Stadt Wedel",
            kommune="Stadt Wedel",
            vorlagen_nr="BV/2023/162",
            betreff="Fortschreibung des Integrationskonzeptes",
            datum=date(2023, 9, 14),
            art="Beschlussvorlage",
            oeffentlich=True,
            gremien=["Sozialausschuss", "Rat der Stadt Wedel"],
        ),
        make_chunk(
            "a1",
            "sachdarstellung",
            0,
            "Vorlage zur Integration: Sprachkurse, Beratung und Wohnraum für Geflüchtete.",
            kommune="Stadt Wedel",
            vorlagen_nr="BV/2023/162",
            datum=date(2023, 9, 14),
            art="Beschlussvorlage",
            oeffentlich=True,
        ),
        make_chunk(
            "a1",
            "sachdarstellung",
            1,
            "Die Vorlage beziffert die Kosten der Maßnahmen auf 120.000 Euro jährlich.",
            kommune="Stadt Wedel",
            datum=date(2023, 9, 14),
            art="Beschlussvorlage",
            oeffentlich=True,
        ),
        make_chunk(
            "b2",
            "beschlussvorschlag",
            0,
            "Vorlage: Der Gemeinderat beschließt den Neubau der Kindertagesstätte am Stadtpark.",
            kommune="Gemeinde Musterdorf",
            vorlagen_nr="2017/1900",
            datum=date(2017, 3, 2),
            art="Beschlussvorlage",
            oeffentlich=False,
            gremien=["Gemeinderat"],
        ),
        make_chunk(
            "b2",
            "sachdarstellung",
            0,
            "Vorlage Kita-Neubau: Vergabe der Rohbauarbeiten nach öffentlicher Ausschreibung.",
            kommune="Gemeinde Musterdorf",
            datum=date(2017, 3, 2),
            art="Beschlussvorlage",
            oeffentlich=False,
        ),
        make_chunk(
            "c3",
            "sachdarstellung",
            0,
            "Vorlage Bebauungsplan Nr. 12: Abwägung der Stellungnahmen der Öffentlichkeit.",
            kommune="Landkreis Börde",
            vorlagen_nr="VO/2025/246",
            art="Mitteilungsvorlage",
        ),
        make_chunk(
            "c3",
            "finanzielle_auswirkungen",
            0,
            "Vorlage ohne finanzielle Auswirkungen auf den Haushalt.",
            kommune="Landkreis Börde",
            art="Mitteilungsvorlage",
            datum=date(2025, 1, 20),
        ),
        make_chunk(
            "d4",
            "sachdarstellung",
            0,
            "Vorlage Haushaltssatzung 2024: Erlass der Satzung und des Stellenplans.",
        ),
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
