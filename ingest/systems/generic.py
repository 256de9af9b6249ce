"""The generic fallback: the profile for documents of council systems no profile knows.

It reads with the core headings dictionary plus the larger alias dictionary built from real
documents of many systems (``ingest.aliases``), recognises further headings by their form
(``ingest.fallback``: a short line, a trailing colon, a known heading word anywhere in it), the
Vorlagen-Nr. in its common printed forms and flattened Beratungsfolge tables.
"""

from __future__ import annotations

from ingest.systems.base import Profile, never

PROFILE = Profile(
    name="fallback",
    label="allgemeine Erkennung (kein bekanntes System)",
    detect=never,
    notes=__doc__ or "",
)
