"""Prompt templates (trusted code) and ``render()``.

The templates are Jinja2 files shipped inside this package (``*.j2``) and rendered in a
``SandboxedEnvironment`` with ``StrictUndefined`` and autoescaping off (prompts are plain text):

* a variable a template uses but the caller did not pass raises ``jinja2.UndefinedError``
  (pass ``None`` for an optional value; the templates test it with ``{% if %}``);
* attribute access to private or internal attributes (``x.__class__``, ``x._foo``) raises
  ``jinja2.exceptions.SecurityError`` instead of reaching Python internals.

Retrieved passages are untrusted: they enter only as variables and the templates put each one
inside a fenced block ``<<<QUELLE [n] ... QUELLE [n]>>>``. The ``quelle`` filter neutralises
anything inside a passage that could close or open such a block (runs of angle brackets, the
word ``QUELLE`` followed by ``[``), so a passage cannot leave its fence.

This package imports nothing else of the project.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["TEMPLATES", "artikel", "datum_de", "environment", "neutralise", "render"]

#: The templates this package ships, by name (``render()`` accepts them with or without ".j2").
TEMPLATES: tuple[str, ...] = (
    "system",
    "sachdarstellung",
    "beschlussvorschlag",
    "repair",
    "zusammenfassung_system",
    "zusammenfassung",
    "zusammenfassung_teil",
    "zusammenfassung_reparatur",
)

_OPENERS = "<＜﹤‹«〈⟨《"
_CLOSERS = ">＞﹥›»〉⟩》"
# Two or more opening (closing) brackets, possibly with whitespace between them.
_OPEN_RUN = re.compile(rf"[{_OPENERS}](?:\s*[{_OPENERS}])+")
_CLOSE_RUN = re.compile(rf"[{_CLOSERS}](?:\s*[{_CLOSERS}])+")
_FENCE_WORD = re.compile(r"(?i)\b(QUELLE|ENTWURF)(\s*\[)")
# Characters that are not text (C0 controls except tab and newline, DEL, C1 controls).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def neutralise(value: object) -> str:
    """Text that cannot open or close a ``<<<QUELLE [n] ... QUELLE [n]>>>`` fence.

    Runs of two or more angle brackets (ASCII or look-alikes, also with spaces between them)
    become a single guillemet-like sign, and ``QUELLE [``/``ENTWURF [`` in any case is written
    ``Quelle [``/``Entwurf [``. Control characters are removed. Everything else is kept.
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _OPEN_RUN.sub("‹", text)
    text = _CLOSE_RUN.sub("›", text)
    return _FENCE_WORD.sub(lambda m: m.group(1).capitalize() + m.group(2), text)


def datum_de(value: object) -> str:
    """A date as German administrations print it ("14.03.2025"); other values unchanged.

    Accepts ``date``/``datetime`` objects and ISO strings ("2025-03-14"); ``None`` -> "".
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


_FEMININE = (
    "versammlung",
    "vertretung",
    "schaft",
    "kommission",
    "konferenz",
    "runde",
    "kammer",
    "leitung",
    "verwaltung",
    "erin",
)
_NEUTER = ("gremium", "präsidium", "kuratorium", "komitee", "plenum", "parlament")
_ARTICLES = {
    "nom": {"m": "Der", "f": "Die", "n": "Das"},
    "dat": {"m": "dem", "f": "der", "n": "dem"},
}
_HAS_ARTICLE = re.compile(r"(?i)^(der|die|das|dem|den|des)\s")


def artikel(gremium: object, kasus: str = "nom") -> str:
    """The body's name with its definite article: "Der Gemeinderat", "dem Kreistag",
    "Die Stadtverordnetenversammlung", "der Gemeindevertretung", "Das Präsidium".

    ``kasus`` is "nom" (subject: "Der Rat beschließt") or "dat" ("empfiehlt dem Rat").
    A name that already starts with an article is returned unchanged. Unknown words are taken
    as masculine (Rat, Ausschuss, Beirat, Kreistag, Gemeinderat, Stadtrat).
    """
    name = " ".join(str(gremium or "").split())
    if not name or _HAS_ARTICLE.match(name):
        return name
    words = [w.lower().strip(",") for w in name.split(" ")]
    # "Haupt- und Finanzausschuss": the first complete noun gives the gender.
    head = next((w for w in words if not w.endswith("-") and w not in ("und", "sowie")), "")
    genus = "m"
    if head.endswith(_FEMININE):
        genus = "f"
    elif head.endswith(_NEUTER):
        genus = "n"
    return f"{_ARTICLES.get(kasus, _ARTICLES['nom'])[genus]} {name}"


def _als_json(value: object) -> str:
    """A JSON schema (or any value) as compact JSON text; a string is passed through."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class _PackageLoader(BaseLoader):
    """Loads ``<name>.j2`` from this package's files (works from a wheel or a zip, too)."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if not re.fullmatch(r"[a-z_]+\.j2", template):
            raise TemplateNotFound(template)
        resource = files(__name__).joinpath(template)
        if not resource.is_file():
            raise TemplateNotFound(template)
        return resource.read_text(encoding="utf-8"), None, lambda: True


_FILTERS: Mapping[str, Callable[..., str]] = {
    "quelle": neutralise,
    "datum_de": datum_de,
    "artikel": artikel,
    "als_json": _als_json,
}


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    """The one configured environment (sandboxed, StrictUndefined, no autoescape)."""
    env = SandboxedEnvironment(
        loader=_PackageLoader(),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_FILTERS)
    return env


def render(name: str, /, **variables: Any) -> str:
    """Render the prompt template ``name`` ("system", "sachdarstellung", "beschlussvorschlag",
    "repair"; with or without ".j2") with ``variables``.

    Every variable a template uses must be passed (``None`` for an absent optional value);
    a missing one raises ``jinja2.UndefinedError``. Leading/trailing whitespace is stripped.
    """
    filename = name if name.endswith(".j2") else f"{name}.j2"
    return environment().get_template(filename).render(**variables).strip()
