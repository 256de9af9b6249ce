"""Dates in a clerk's chat message (:mod:`assistant.usecases.chat`).

"12.03.", "12.3.", "12.03.2027", "12.3.27", "12. März", "2027-03-12"; a date without a year is
the next such day from ``today`` (never in the past); a date that does not exist ("31.02.")
keeps its text and has no value, so that the chat asks about it instead of correcting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["MONTHS", "MONTH_NAMES", "RE_DATE", "WEEKDAYS", "WEEKDAY_COMMA", "ChatDate", "date_at"]

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
RE_DATE = re.compile(
    r"(?<![\d.,])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?P<d>\d{1,2})\.\s?(?:(?P<m>\d{1,2})(?:\.(?:\s?(?P<y>\d{4}|\d{2})(?!\d))?|(?![\d,]))"
    rf"|(?P<mn>{MONTH_NAMES})(?![\wäöüß])\.?(?:\s+(?P<yn>\d{{4}})(?!\d))?))",
    re.I,
)
WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
# "am Donnerstag, 12.03.": the comma is not the end of the clause
WEEKDAY_COMMA = re.compile(
    rf"\b((?:{'|'.join(WEEKDAYS)})|(?:mo|di|mi|do|fr|sa|so)\.),\s+(?=(?:den\s+)?\d)", re.I
)


@dataclass(frozen=True)
class ChatDate:
    """A date as the clerk wrote it (``raw``) and the day it means."""

    raw: str
    value: date | None  # None: no such day


def date_at(match: re.Match[str], today: date) -> ChatDate:
    """The date of a :data:`RE_DATE` match."""
    raw = match.group().strip()
    if match.group("iy"):
        parts = (int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        return ChatDate(raw, valid_date(*parts))
    day = int(match.group("d"))
    if match.group("mn"):
        month, year_text = MONTHS[match.group("mn").lower()], match.group("yn")
    else:
        month, year_text = int(match.group("m")), match.group("y")
    if year_text:
        year = int(year_text)
        return ChatDate(raw, valid_date(year + 2000 if year < 100 else year, month, day))
    # without a year: the next such day from today (29.02. may be years ahead)
    for year in range(today.year, today.year + 9):
        value = valid_date(year, month, day)
        if value is not None and value >= today:
            return ChatDate(raw, value)
    return ChatDate(raw, None)


def valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
