"""German wording of new versions a clerk asks for: a section written again and follow-up
refinements (part of :mod:`assistant.presenter`, which re-exports it)."""

from __future__ import annotations

__all__ = [
    "MISSING_DRAFT",
    "NOTHING_TO_PLAIN",
    "REFINE_HELP",
    "VERSION_SOURCES",
    "refine_hint",
    "refine_started",
    "version_source",
]

MISSING_DRAFT = "Diesen Entwurf gibt es nicht (oder Sie dürfen ihn nicht sehen)."
"""A draft that is unknown or not visible to the caller (the same sentence for both)."""

#: How a stored version came about (``assistant.ports.VersionSource``), as a clerk reads it.
VERSION_SOURCES: dict[str, str] = {
    "generated": "vom Sprachmodell geschrieben",
    "edited": "bearbeitet",
    "rewritten": "neu geschrieben",
    "refined": "verfeinert",
}


def version_source(source: str) -> str:
    """The German words for a version's source (the source itself when unknown)."""
    return VERSION_SOURCES.get(source, source)


REFINE_HELP = (
    "So verfeinern Sie den geöffneten Entwurf zu einer neuen Fassung:\n"
    "- „Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2“ – der Text wird an die "
    "Finanziellen Auswirkungen angefügt, der Entwurf erneut geprüft.\n"
    "- „Fakt ergänzen: …“ – der Fakt kommt zu Ihren Angaben, die Sachdarstellung wird neu "
    "geschrieben.\n"
    "- „kürzer“ – die Sachdarstellung wird ohne den Absatz über vergleichbare Vorlagen neu "
    "geschrieben.\n"
    "- „sachlicher“ – wertende und verstärkende Wörter („sehr“, „leider“, „hervorragende“) "
    "und Ausrufezeichen werden entfernt, der Entwurf erneut geprüft.\n"
    "Der Beschlussvorschlag und Ihre gespeicherten Änderungen bleiben dabei erhalten."
)
"""The refinements that exist (the chat's answer when one cannot be applied)."""

_HINTS = {
    "finanzierung": "Bitte nennen Sie nach „Finanzierung ergänzen:“, was ergänzt werden soll.",
    "fakt": "Bitte nennen Sie nach „Fakt ergänzen:“ den Fakt.",
}

_STARTED = {
    "finanzierung": "Die Finanzierung wird ergänzt und der Entwurf erneut geprüft …",
    "fakt": "Der Fakt wird ergänzt und die Sachdarstellung neu geschrieben …",
    "kuerzer": (
        "Die Sachdarstellung wird ohne den Absatz über vergleichbare Vorlagen neu geschrieben …"
    ),
    "sachlicher": "Wertende Wörter werden entfernt und der Entwurf erneut geprüft …",
}

NOTHING_TO_PLAIN = (
    "Im Entwurf stehen keine wertenden oder verstärkenden Wörter, die der Assistent sicher "
    "entfernen kann; bitte ändern Sie einzelne Formulierungen selbst."
)
"""„sachlicher“ on a text the rules leave unchanged."""


def refine_hint(kind: str) -> str:
    """Why a refinement of this kind cannot be applied as asked."""
    return _HINTS.get(kind, "Diese Verfeinerung gibt es nicht.")


def refine_started(kind: str) -> str:
    """What a clerk reads when a refinement of this kind has started."""
    return _STARTED[kind]
