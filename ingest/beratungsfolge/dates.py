"""Dates in a Beratungsfolge: "20.11.2023", "16. Dezember 2024", "22./23.10.2013"."""

from __future__ import annotations

import re
from datetime import date

from ingest.dates import MONTH_NO, MONTHS

_MONTHS = MONTHS
_MONTH_NO = MONTH_NO
MONTH_ALT = "|".join(_MONTHS)
# "20.11.2023", "27.10.17", "16. Dezember 2024", "22./23.10.2013", "12.-14.03.2019"; a run of
# days before the full date is kept in ``first`` (a meeting over several days starts then).
_DATE_RE = re.compile(
    r"(?<![\d.])(?:(?P<first>\d{1,2})\.?\s?[/–-]\s?(?:\d{1,2}\.?\s?[/–-]\s?)*)?"
    r"(?P<d>\d{1,2})\.\s?(?:(?P<m>\d{1,2})\.\s?|(?P<mn>" + MONTH_ALT + r")\s?)"
    r"(?P<y>\d{4}|\d{2}(?!\d))"
)


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_of(m: re.Match[str]) -> date | None:
    """The first day of the meeting a date match names."""
    month = int(m.group("m")) if m.group("m") else _MONTH_NO[m.group("mn").lower()]
    year = int(m.group("y"))
    if m.group("first") is not None:
        first = _make_date(year, month, int(m.group("first")))
        if first is not None:
            return first
    return _make_date(year, month, int(m.group("d")))


def search_date(text: str) -> tuple[date, int, int] | None:
    """The first valid date in ``text`` with its (start, end) offsets."""
    for m in _DATE_RE.finditer(text):
        found = _date_of(m)
        if found is not None:
            return found, m.start(), m.end()
    return None
