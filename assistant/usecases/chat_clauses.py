"""Council bodies, their roles and dates in the clauses of a clerk's chat message
(:mod:`assistant.usecases.chat`).

A clause such as "der Rat entscheidet am 12.03." or "Sozialausschuss berät vorher am 20.02."
is a :class:`Step`: a body the validator's helpers recognise
(:func:`~assistant.validation.bodies.is_body`), its role from the verb or noun beside it, and
its dates (:mod:`assistant.usecases.chat_dates`). :func:`clause_steps` reads one clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.schema import Rolle
from assistant.usecases.chat_dates import MONTH_NAMES, MONTHS, RE_DATE, WEEKDAYS, ChatDate, date_at
from assistant.validation.bodies import is_body

__all__ = ["CONNECTORS", "ROLE_PATTERNS", "SEPARATOR", "Step", "clause_steps"]

# --- bodies and roles ---------------------------------------------------------------------------

ROLE_PATTERNS: tuple[tuple[Rolle, re.Pattern[str]], ...] = (
    ("Kenntnisnahme", re.compile(r"\bkenntnis(?:nahme)?\b", re.I)),
    ("Anhörung", re.compile(r"\b(?:anhörung|angehört|anzuhören|anhören)\b", re.I)),
    (
        "Entscheidung",
        re.compile(
            r"\b(?:entscheidet|entscheiden|entschieden|entscheidung|entscheidend\w*|beschließt"
            r"|beschließen|beschlossen|beschluss(?:fassung)?|beschließend\w*|abschließend|wählt"
            r"|bestellt|genehmigt|billigt|bewilligt|verabschiedet|stimmt)\b",
            re.I,
        ),
    ),
    (
        "Vorberatung",
        re.compile(
            r"\b(?:berät|beraten|berate|vorberät|vorberaten|vorberatung|beratung|empfiehlt"
            r"|empfehlen|empfehlung|vorberatend\w*|beratend\w*)\b",
            re.I,
        ),
    ),
)
# Words that never start or continue a body's name (sentence-initial capitals included).
_STOP = {
    "der", "die", "das", "dem", "den", "des", "im", "in", "am", "an", "vom", "von", "durch",
    "beim", "bei", "zum", "zur", "nach", "und", "sowie", "dann", "danach", "vorher", "zuvor",
    "vorab", "zunächst", "anschließend", "abschließend", "schließlich", "endgültig", "erst",
    "sitzung", "tagung", "termin", "datum", "bevor", "ehe", "nachdem", "wird", "soll", "muss",
    "es", "er", "sie", "wir", "ich", *WEEKDAYS,
}  # fmt: skip
_NAME_INNER = {"für", "und", "der", "des"}
_TOKEN = re.compile(r"\w+(?:-\w+)*-?")
CONNECTORS = re.compile(
    r"^(?:(?:und|sowie|dann|danach|vorher|zuvor|vorab|zunächst|anschließend|abschließend"
    r"|schließlich|erst|am|im|in|der|die|das|den|dem|des|vom|durch|bei|beim|nach|zur|zum)\b\s*)+",
    re.I,
)


def _role_words(text: str) -> set[str]:
    return {m.group().lower() for _, p in ROLE_PATTERNS for m in p.finditer(text)}


def _as_body(name: str) -> str | None:
    """``name`` as a body's name (a genitive "Rates", "Sozialausschusses" in its base form),
    or None."""
    if is_body(name):
        return name
    head, _, tail = name.partition(" ")
    for ending in ("es", "s"):
        if head.endswith(ending) and len(head) > len(ending) + 2:
            base = " ".join(filter(None, (head[: -len(ending)], tail)))
            if is_body(base):
                return base
    return None


@dataclass(frozen=True)
class _Body:
    name: str
    start: int
    end: int


def _bodies(text: str) -> list[list[_Body]]:
    """Every council body named in ``text``, in groups named together ("Sozialausschuss und
    Jugendhilfeausschuss")."""
    roles = _role_words(text)
    runs: list[list[re.Match[str]]] = []
    run: list[re.Match[str]] = []
    for token in _TOKEN.finditer(text):
        word = token.group()
        low = word.lower()
        name_like = word[:1].isupper() and low not in _STOP and low not in roles
        name_like = name_like and low.rstrip(".") not in MONTHS
        joined = bool(run) and not text[run[-1].end() : token.start()].strip()
        if joined and (name_like or low in _NAME_INNER):
            run.append(token)
            continue
        if run:
            runs.append(run)
        run = [token] if name_like else []
    if run:
        runs.append(run)
    groups: list[list[_Body]] = []
    for tokens in runs:
        while tokens and tokens[-1].group().lower() in _NAME_INNER:
            tokens = tokens[:-1]
        group = [body for part in _split_pairs(tokens) for body in _body_in(part)]
        if group:
            groups.append(group)
    return groups


def _split_pairs(tokens: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """ "Sozialausschuss und Rat" is two bodies; "Sozial- und Gesundheitsausschuss" and
    "Ausschuss für Umwelt und Klima" are one."""
    for i, token in enumerate(tokens):
        if token.group().lower() == "und" and 0 < i < len(tokens) - 1:
            left, right = tokens[:i], tokens[i + 1 :]
            if _as_body(_joined(left)) and _as_body(_joined(right)):
                return [left, *_split_pairs(right)]
    return [tokens]


def _joined(tokens: list[re.Match[str]]) -> str:
    return " ".join(t.group() for t in tokens)


def _body_in(tokens: list[re.Match[str]]) -> list[_Body]:
    """The body a run of capitalised words ends in ("Neubau Kita Lindenweg Gemeinderat" ->
    "Gemeinderat"; "Rat der Stadt" stays whole)."""
    for first in range(len(tokens)):
        part = tokens[first:]
        if not part or not part[0].group()[:1].isupper():
            continue
        name = _as_body(_joined(part))
        if name is not None:
            return [_Body(name, part[0].start(), part[-1].end())]
    return []


def _role(text: str) -> tuple[Rolle, int] | None:
    """The role the words of ``text`` give (Kenntnisnahme before Anhörung before Entscheidung
    before Vorberatung) and where its word stands."""
    for rolle, pattern in ROLE_PATTERNS:
        match = pattern.search(text)
        if match:
            return rolle, match.start()
    return None


# --- clauses -----------------------------------------------------------------------------------


@dataclass
class Step:
    gremium: str
    rolle: Rolle | None
    datum: date | None = None
    bad_date: str | None = None  # a date that does not exist, as written
    other_date: date | None = None  # a second, different date for the same step


SEPARATOR = re.compile(r"\s*(?:[;\n]|,\s|(?<=[a-zäöüß]{3})\.\s+(?=[A-ZÄÖÜ]))\s*")
# Where a clause may hold two acting bodies: "… am 20.02. und der Rat …", "… am 20.02. Der Rat …"
_SUBCLAUSE = re.compile(
    r"\s+(?:und|sowie|bevor|ehe|nachdem|danach|anschließend|dann)\s+"
    rf"|(?<=\d\.)\s+(?=(?-i:[A-ZÄÖÜ]))(?!(?:{MONTH_NAMES})(?![\wäöüß]))",
    re.I,
)
_AFTER_STEP = re.compile(
    r"\bnach\s+(?P<step>(?:der\s+)?(?:Vorberatung|Beratung|Anhörung)\s+"
    r"(?:im|in\s+der|in\s+dem|des|der|durch\s+den|durch\s+die|durch\s+das|vom)\s+"
    r"[^,;]*?(?=\s+(?:entscheidet|beschließt|berät|empfiehlt|nimmt|wird)\b|$))",
    re.I,
)


def clause_steps(text: str, today: date, bare: bool = False) -> tuple[list[Step], int] | None:
    """The step(s) of a clause in which a body acts, and where its body starts; None when the
    clause names no acting body. A body with a date and nothing else is a step without a role
    ("Sozialausschuss 20.02."); with ``bare`` (a Beratungsfolge's item) also without the date."""
    parts = _split_subclauses(text)
    if len(parts) > 1:
        found = [clause_steps(part, today, bare) for part in parts]
        if all(f is not None for f in found):
            steps = [step for f in found if f is not None for step in f[0]]
            first = found[0]
            assert first is not None
            return steps, first[1]
    extra: list[Step] = []
    for match in _AFTER_STEP.finditer(text):
        inner = _single_step(match.group("step"), today, False)
        if inner is not None:
            extra.extend(inner[0])
            text = text[: match.start()] + " " * len(match.group()) + text[match.end() :]
    single = _single_step(text, today, bare)
    if single is None:
        return None
    found_steps, start = single
    return [*extra, *found_steps], start


def _split_subclauses(text: str) -> list[str]:
    """ "Sozialausschuss berät am 20.02. und der Rat entscheidet am 12.03." -> two clauses,
    when each part names an acting body by itself."""
    for match in _SUBCLAUSE.finditer(text):
        left, right = text[: match.start()], text[match.end() :]
        if _acting(left) and _acting(right):
            return [left, *_split_subclauses(right)]
    return [text]


def _acting(text: str) -> bool:
    return bool(_bodies(text)) and _role(text) is not None


def _single_step(text: str, today: date, bare: bool) -> tuple[list[Step], int] | None:
    """The steps of a clause with one acting body (or bodies named together): the group
    nearest to the role word, the clause's first date; and where the group starts."""
    groups = _bodies(text)
    if not groups:
        return None
    role = _role(text)
    dates = [date_at(m, today) for m in RE_DATE.finditer(text)][:1]
    if role is None:
        # only a body and a date ("Sozialausschuss 20.02."): a step without a role
        if len(groups) != 1 or not (dates or bare):
            return None
        rest = text[: groups[0][0].start] + text[groups[0][-1].end :]
        for found in dates:
            rest = rest.replace(found.raw, " ", 1)
        if CONNECTORS.sub("", rest.strip(" .,:()")).strip(" .,:()"):
            return None
        return [_step(body.name, None, dates) for body in groups[0]], groups[0][0].start
    rolle, at = role
    group = min(groups, key=lambda g: min(abs(g[0].start - at), abs(g[-1].end - at)))
    return [_step(body.name, rolle, dates) for body in group], group[0].start


def _step(name: str, rolle: Rolle | None, dates: list[ChatDate]) -> Step:
    step = Step(name, rolle)
    for found in dates:
        if found.value is None:
            step.bad_date = found.raw
        else:
            step.datum = found.value
    return step
