"""German month names, shared by the header and Beratungsfolge parsers."""

from __future__ import annotations

MONTHS: tuple[str, ...] = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
#: "januar" -> 1, ... (lower-case keys)
MONTH_NO: dict[str, int] = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
