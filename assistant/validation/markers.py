"""Citation markers in a draft's texts: ``[1]``, ``[1, 3]``, ``[2-4]``, ``[2 bis 4]``.

The ``citations`` rule checks that each marker names a known source; :mod:`.facts` uses the
cited numbers, because a passage backs a fact (rule ``grounded``) only when the draft cites it,
and blanks the markers out, because they are not facts.
"""

from __future__ import annotations

import re

from assistant.schema import Draft
from assistant.validation.findings import texts

CITATION_MARKER = re.compile(r"\[\s*\d+(?:\s*(?:[,;]|-|–|bis)\s*\d+)*\s*\]")


def marker_numbers(marker: str) -> list[int]:
    """[1] -> [1]; [1, 3] -> [1, 3]; [2-4] -> [2, 3, 4]."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker.strip("[] ")):
        bounds = [int(b) for b in re.findall(r"\d+", part)]
        if len(bounds) == 2 and bounds[0] <= bounds[1] <= bounds[0] + 20:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def cited_numbers(draft: Draft) -> set[int]:
    return {
        n
        for _, text in texts(draft)
        for match in CITATION_MARKER.finditer(text)
        for n in marker_numbers(match.group())
    }
