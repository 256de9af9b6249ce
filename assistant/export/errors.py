"""Export errors; their messages are German, for the clerk."""

from __future__ import annotations

from collections.abc import Sequence


class ExportError(Exception):
    """An export could not be produced (unknown format, broken Word template, ...)."""


class ExportRefused(ExportError):
    """The draft has validation errors and the export was not forced."""

    def __init__(self, rules: Sequence[str]) -> None:
        self.rules = list(rules)
        listed = ", ".join(self.rules) or "unbekannt"
        super().__init__(
            f"Der Entwurf hat die Prüfung nicht bestanden (Regeln: {listed}) und wird nicht "
            "exportiert. Bitte die Befunde beheben oder den Export ausdrücklich erzwingen."
        )
