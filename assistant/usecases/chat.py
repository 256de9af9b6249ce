"""A clerk's chat message, read by rules: a command and, for a draft, the form to confirm.

The chat page and the Slack and Teams bots take free German text; :func:`read_message` turns
it into a :class:`ChatIntent` without a model:

* ``hilfe`` (also for anything it does not recognise, with a German ``hint``): the help text
  :data:`HELP`;
* ``suche …`` / ``Suche: …``: a :class:`~assistant.usecases.search.SearchRequest`;
* ``entwurf …`` / ``Entwurf: …``: a :class:`~assistant.schema.DraftRequest` filled by rules,
  and what is still ``missing``, each with a German question.

Nothing is invented. The Betreff is the text up to the first clause in which a council body
acts ("der Rat entscheidet am 12.03.") or up to a labelled part ("Fakten: …"). A body is a
name the validator's body helpers recognise (:func:`~assistant.validation.bodies.is_body`;
the same body named twice is one, :func:`~assistant.validation.bodies.same_body`); its role
comes from the verb or noun beside it: entscheidet, beschließt, Entscheidung, Beschluss →
Entscheidung; berät, Vorberatung, empfiehlt → Vorberatung; Kenntnis → Kenntnisnahme;
angehört, Anhörung → Anhörung. Dates: "12.03.", "12.3.", "12.03.2027", "12.3.27",
"12. März", "2027-03-12"; a date without a year is the next such day from ``today`` (never
in the past); a date that does not exist ("31.02.") is asked about, never corrected. Labelled
parts: "Betreff:", "Gremium:", "Kommune:", "Fakten:", "Finanzen:" (or "Finanzielle
Auswirkungen:"), "Beratungsfolge:"; a part runs to the next label, facts are split at ";" and
line ends. Clauses after the Betreff that name no acting body are the clerk's facts too. A
"Fakten:" part is taken literally (a sentence there about a body stays a fact).

Without a deciding body (or with two) the form is not ``complete``: a draft needs a Betreff
and the deciding Gremium (:func:`assistant.usecases.drafts.prepare_request`). Optional
questions (a missing date, facts, Finanzielle Auswirkungen, a date in the past, a
consultation after the decision) do not block a draft.

The German sentences are constants of this module, not of :mod:`assistant.presenter`: they are
the rules' own results, tied to the grammar the rules read (as the sentences of
``prepare_request`` are), and every entry point shows them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from assistant.presenter import german_date, invalid_input, rolle_named
from assistant.schema import Beratungsschritt, DraftRequest, Rolle, rule_error
from assistant.usecases.chat_dates import (
    MONTH_NAMES,
    MONTHS,
    RE_DATE,
    WEEKDAY_COMMA,
    WEEKDAYS,
    ChatDate,
    date_at,
)
from assistant.usecases.search import SearchRequest
from assistant.validation.bodies import is_body, same_body
from prompts import artikel

__all__ = [
    "HELP",
    "MAX_MESSAGE_CHARS",
    "ChatIntent",
    "ChatKind",
    "ChatRequest",
    "Missing",
    "read_form",
    "read_message",
    "read_request",
]

ChatKind = Literal["entwurf", "suche", "hilfe"]
MAX_MESSAGE_CHARS = 4000

# --- the German sentences ----------------------------------------------------------------------

HELP = (
    "So arbeiten Sie mit dem Vorlagen-Assistenten:\n"
    "- „Entwurf: <Betreff>, <Gremium> entscheidet am <Datum>, <Gremium> berät vorher am "
    "<Datum>; Fakten: …; Finanzen: …“ – daraus wird das Formular für den Entwurf; Sie prüfen "
    "es, dann wird der Entwurf geschrieben. Beispiel: „Entwurf: Neubau Kita Lindenweg, "
    "Gemeinderat beschließt am 12.3.2027; Fakten: Kosten 2,4 Mio. Euro; Baubeginn 2027“.\n"
    "- „Suche: <Stichworte>“ – ähnliche frühere Vorlagen finden.\n"
    "- „Hilfe“ – diese Übersicht."
)
HINT_EMPTY = "Die Nachricht ist leer."
HINT_UNKNOWN = (
    "Das habe ich nicht verstanden; bitte beginnen Sie mit „Entwurf“, „Suche“ oder „Hilfe“."
)
HINT_NO_QUERY = "Wonach soll gesucht werden? Bitte nach „Suche“ Stichworte angeben."

Q_BETREFF = "Worum geht es? Bitte nennen Sie den Betreff."
Q_GREMIUM = "Welches Gremium entscheidet?"
Q_GREMIUM_OF = "Welches Gremium entscheidet ({names})?"
Q_TWO_DECIDING = "Es sind mehrere entscheidende Gremien genannt ({names}); welches entscheidet?"
Q_NO_DATE = "„{raw}“ ist kein gültiges Datum; an welchem Tag {acts} {body}?"
Q_TWO_DATES = "{body} ist mit zwei Daten genannt ({a} und {b}); welches gilt?"
Q_WHEN_DECIDES = "Wann entscheidet {body}?"
Q_WHEN_MEETS = "Wann befasst sich {body} damit?"
Q_PAST = "Der {datum} ({body}) liegt in der Vergangenheit; stimmt das Datum?"
Q_AFTER_DECISION = (
    "{body} befasst sich am {datum} erst nach der Entscheidung am {decision} damit; stimmen die "
    "Daten?"
)
Q_FAKTEN = (
    "Welche Fakten soll die Sachdarstellung enthalten (z. B. „Fakten: Kosten 2,4 Mio. Euro; "
    "Baubeginn 2027“)?"
)
Q_FINANZEN = (
    "Welche finanziellen Auswirkungen hat der Beschluss (z. B. „Finanzen: 2,4 Mio. Euro im "
    "Haushalt 2027“ oder „Finanzen: keine“)?"
)

# --- the result --------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Missing(_Model):
    """A field the form lacks (or holds in doubt) and the German question about it.
    ``required``: no draft without an answer; otherwise the draft may start (the checks will
    name what it lacks)."""

    field: str = Field(
        description="betreff, gremium, fakten, finanzielle_auswirkungen, "
        "beratungsfolge or beratungsfolge[i].datum"
    )
    question: str
    required: bool = True


class ChatIntent(_Model):
    """What a message asks for: ``kind`` and, by kind, ``search`` (suche), ``form`` and
    ``missing`` (entwurf), ``hint`` (hilfe: why the help is shown, None when asked for)."""

    kind: ChatKind
    text: str = Field(default="", description="The message after the command.")
    hint: str | None = None
    search: SearchRequest | None = None
    form: DraftRequest | None = None
    missing: list[Missing] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        """A draft form with every required field (a draft may start from it)."""
        return (
            self.kind == "entwurf"
            and self.form is not None
            and not any(m.required for m in self.missing)
        )


class ChatRequest(_Model):
    """One chat turn: the clerk's message; ``entwerfen``: start the draft when the form is
    complete; ``formular``: the form as the clerk confirmed (or corrected) it, which is then
    taken instead of reading the message again; ``entwurf``: the draft the clerk has open, to
    which a refinement applies (read first: :mod:`assistant.usecases.chat_refine`). Rule
    (German message): the message has at most
    :data:`MAX_MESSAGE_CHARS` characters."""

    nachricht: str = Field(
        description="Die Nachricht: „Entwurf: …“, „Suche: …“ oder „Hilfe“.",
        json_schema_extra={"maxLength": MAX_MESSAGE_CHARS},
    )
    entwerfen: bool = Field(
        default=False, description="Den Entwurf gleich beginnen, wenn das Formular vollständig ist."
    )
    formular: DraftRequest | None = Field(
        default=None, description="Das bestätigte Formular (statt die Nachricht zu lesen)."
    )
    entwurf: str | None = Field(
        default=None,
        max_length=64,
        description="Der geöffnete Entwurf: Verfeinerungen („kürzer“, „Finanzierung ergänzen: …“, "
        "„Fakt ergänzen: …“) gelten ihm (assistant/usecases/chat_refine.py).",
    )

    @field_validator("nachricht")
    @classmethod
    def _not_too_long(cls, value: str) -> str:
        if len(value) > MAX_MESSAGE_CHARS:
            limit = f"{MAX_MESSAGE_CHARS:,}".replace(",", ".")
            raise rule_error("too_long", f"Die Nachricht ist zu lang (höchstens {limit} Zeichen).")
        return value


# --- commands ----------------------------------------------------------------------------------

_COMMAND = re.compile(
    r"^(?:@\S+\s+)*(?:/vorlagen?\s+)?(?P<command>entwurf|suche|hilfe|help)(?![\wäöüß])"
    r"\s*[:\-–]?\s*(?P<rest>.*)$",
    re.I | re.S,
)
_HELP_ONLY = re.compile(r"^(?:@\S+\s+)*(?:/vorlagen?\s*)?\??$", re.I)
_DRAFT_LEAD = re.compile(
    r"^(?:(?:eine[rn]?|die|der)\s+)?(?:beschluss)?vorlage\s+|^(?:für|zu|zur|zum|über)\s+"
    r"(?:(?:die|den|das|der|eine[nm]?|ein)\s+)?",
    re.I,
)
_SEARCH_LEAD = re.compile(
    r"^(?:nach\s+)?(?:(?:ähnliche[n]?|frühere[n]?)\s+)*(?:vorlagen\s+(?:zu[rm]?|über|mit|für)\s+)?",
    re.I,
)


def read_message(text: str, today: date) -> ChatIntent:
    """The intent of a clerk's message (``today``: the day dates without a year count from)."""
    message = text.strip()
    if _HELP_ONLY.match(message):
        return ChatIntent(kind="hilfe", hint=HINT_EMPTY if not message else None)
    match = _COMMAND.match(message)
    if match is None:
        return ChatIntent(kind="hilfe", text=message, hint=HINT_UNKNOWN)
    command, rest = match.group("command").lower(), match.group("rest").strip()
    if command in ("hilfe", "help"):
        return ChatIntent(kind="hilfe", text=rest)
    if command == "suche":
        return _search_intent(_SEARCH_LEAD.sub("", rest, count=1).strip())
    return _draft_intent(_DRAFT_LEAD.sub("", rest, count=1).strip(), today)


def read_request(request: ChatRequest, today: date) -> ChatIntent:
    """The intent of a chat turn: its confirmed ``formular`` when it has one, else its
    message."""
    if request.formular is not None:
        return read_form(request.formular, today)
    return read_message(request.nachricht, today)


def read_form(form: DraftRequest, today: date) -> ChatIntent:
    """A form the clerk filled or confirmed, with the questions it still leaves open."""
    steps = [_Step(s.gremium, s.rolle, s.datum) for s in form.beratungsfolge]
    return ChatIntent(kind="entwurf", form=form, missing=_questions(form, steps, today))


def _search_intent(query: str) -> ChatIntent:
    if not query:
        return ChatIntent(kind="hilfe", hint=HINT_NO_QUERY)
    try:
        request = SearchRequest(query=query)
    except ValidationError as err:
        return ChatIntent(kind="hilfe", text=query, hint=invalid_input(err))
    return ChatIntent(kind="suche", text=query, search=request)


# --- bodies and roles --------------------------------------------------------------------------

_ROLE_PATTERNS: tuple[tuple[Rolle, re.Pattern[str]], ...] = (
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
_CONNECTORS = re.compile(
    r"^(?:(?:und|sowie|dann|danach|vorher|zuvor|vorab|zunächst|anschließend|abschließend"
    r"|schließlich|erst|am|im|in|der|die|das|den|dem|des|vom|durch|bei|beim|nach|zur|zum)\b\s*)+",
    re.I,
)


def _role_words(text: str) -> set[str]:
    return {m.group().lower() for _, p in _ROLE_PATTERNS for m in p.finditer(text)}


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
    for rolle, pattern in _ROLE_PATTERNS:
        match = pattern.search(text)
        if match:
            return rolle, match.start()
    return None


# --- clauses -----------------------------------------------------------------------------------


@dataclass
class _Step:
    gremium: str
    rolle: Rolle | None
    datum: date | None = None
    bad_date: str | None = None  # a date that does not exist, as written
    other_date: date | None = None  # a second, different date for the same step


_SEPARATOR = re.compile(r"\s*(?:[;\n]|,\s|(?<=[a-zäöüß]{3})\.\s+(?=[A-ZÄÖÜ]))\s*")
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


def _clause_steps(text: str, today: date, bare: bool = False) -> tuple[list[_Step], int] | None:
    """The step(s) of a clause in which a body acts, and where its body starts; None when the
    clause names no acting body. A body with a date and nothing else is a step without a role
    ("Sozialausschuss 20.02."); with ``bare`` (a Beratungsfolge's item) also without the date."""
    parts = _split_subclauses(text)
    if len(parts) > 1:
        found = [_clause_steps(part, today, bare) for part in parts]
        if all(f is not None for f in found):
            steps = [step for f in found if f is not None for step in f[0]]
            first = found[0]
            assert first is not None
            return steps, first[1]
    extra: list[_Step] = []
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


def _single_step(text: str, today: date, bare: bool) -> tuple[list[_Step], int] | None:
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
        if _CONNECTORS.sub("", rest.strip(" .,:()")).strip(" .,:()"):
            return None
        return [_step(body.name, None, dates) for body in groups[0]], groups[0][0].start
    rolle, at = role
    group = min(groups, key=lambda g: min(abs(g[0].start - at), abs(g[-1].end - at)))
    return [_step(body.name, rolle, dates) for body in group], group[0].start


def _step(name: str, rolle: Rolle | None, dates: list[ChatDate]) -> _Step:
    step = _Step(name, rolle)
    for found in dates:
        if found.value is None:
            step.bad_date = found.raw
        else:
            step.datum = found.value
    return step


# --- a draft message ---------------------------------------------------------------------------

_LABEL = re.compile(
    r"(?:^|(?<=[\s,;.]))(?P<label>Betreff|Gremium|Kommune|Fakten|Finanzen"
    r"|Finanzielle\s+Auswirkungen|Beratungsfolge)\s*:\s*",
    re.I,
)
_LABEL_FIELDS = {
    "betreff": "betreff",
    "gremium": "gremium",
    "kommune": "kommune",
    "fakten": "fakten",
    "finanzen": "finanzielle_auswirkungen",
    "finanzielle auswirkungen": "finanzielle_auswirkungen",
    "beratungsfolge": "beratungsfolge",
}
_ITEMS = re.compile(r"\s*(?:;|\n|(?:->|→|–>)|,\s(?=\D))\s*")
_ROLE_IN_BRACKETS = re.compile(r"\(\s*([A-Za-zÄÖÜäöüß]+)\s*\)")


def _parts(text: str) -> tuple[str, dict[str, list[str]]]:
    """The text before the first label, and each label's parts (a label may come twice)."""
    labels = list(_LABEL.finditer(text))
    head = text[: labels[0].start()] if labels else text
    parts: dict[str, list[str]] = {}
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        key = _LABEL_FIELDS[" ".join(match.group("label").lower().split())]
        value = text[match.end() : end].strip().strip(";,").strip()
        if value:
            parts.setdefault(key, []).append(value)
    return head, parts


def _draft_intent(text: str, today: date) -> ChatIntent:
    head, parts = _parts(text)
    betreff, steps, facts = _read_head(WEEKDAY_COMMA.sub(r"\1 ", head), today)
    if "betreff" in parts:
        betreff = _one_line(" ".join(parts["betreff"]))
    for value in parts.get("beratungsfolge", []):
        steps.extend(_beratungsfolge(value, today))
    for value in parts.get("fakten", []):
        facts.extend(item for item in re.split(r"\s*(?:;|\n)\s*", value) if item.strip())
    named = [_Step(_one_line(v), "Entscheidung") for v in parts.get("gremium", [])]
    steps = _merged(steps + named)
    deciding = [s for s in steps if s.rolle == "Entscheidung"]
    gremium = deciding[0].gremium if len(deciding) == 1 else ""
    finanzen = "\n".join(parts.get("finanzielle_auswirkungen", [])) or None
    kommune = _one_line(" ".join(parts.get("kommune", []))) or None
    form = DraftRequest(
        betreff=betreff,
        gremium=gremium,
        kommune=kommune,
        beratungsfolge=[
            Beratungsschritt(gremium=s.gremium, rolle=s.rolle, datum=s.datum) for s in steps
        ],
        fakten="\n".join(f"- {_fact(item)}" for item in facts if _fact(item)),
        finanzielle_auswirkungen=finanzen,
    )
    missing = _questions(form, steps, today)
    if len(deciding) > 1:
        names = ", ".join(s.gremium for s in deciding)
        missing.insert(0, Missing(field="gremium", question=Q_TWO_DECIDING.format(names=names)))
    return ChatIntent(kind="entwurf", text=text, form=form, missing=missing)


def _read_head(head: str, today: date) -> tuple[str, list[_Step], list[str]]:
    """Betreff, steps and facts of the unlabelled text: the Betreff runs up to the first clause
    in which a body acts; later clauses are steps or facts."""
    steps: list[_Step] = []
    facts: list[str] = []
    betreff_end: int | None = None
    position = 0
    for piece in _SEPARATOR.split(head):
        start = head.find(piece, position) if piece else position
        position = start + len(piece)
        if not piece.strip():
            continue
        found = _clause_steps(piece, today)
        if found is None:
            if betreff_end is not None:
                facts.append(piece)
            continue
        clause_steps, body_start = found
        if betreff_end is None:
            betreff_end = start + len(_betreff_lead(piece[: _first_mark(piece, body_start)]))
        steps.extend(clause_steps)
    betreff = head if betreff_end is None else head[:betreff_end]
    return _one_line(betreff).strip(" ,;:.-–"), steps, facts


def _first_mark(clause: str, body_start: int) -> int:
    """Where the first clause with an acting body stops being Betreff: at its body, its first
    role word or its first date, whichever comes first ("Kita – Entscheidung im Rat …")."""
    marks = [body_start]
    marks += [m.start() for _, pattern in _ROLE_PATTERNS for m in pattern.finditer(clause)]
    marks += [m.start() for m in RE_DATE.finditer(clause)]
    return min(marks)


_TRAILING_FUNCTION_WORDS = re.compile(
    r"(?:(?:^|\s+)(?:am|im|in|an|der|die|das|den|dem|des|vom|von|durch|beim|bei|und|dann|sitzung"
    r"|danach|vorher|zuvor|zunächst|anschließend|[–—-])|[\s,;:.]+)+$",
    re.I,
)


def _betreff_lead(prefix: str) -> str:
    """The part of ``prefix`` (text before a body, role word or date) that belongs to the
    Betreff: without the articles and prepositions that lead to the body; "" if nothing else."""
    lead = _TRAILING_FUNCTION_WORDS.sub("", prefix)
    return lead if _CONNECTORS.sub("", lead.strip()) else ""


def _beratungsfolge(value: str, today: date) -> list[_Step]:
    """The items of a "Beratungsfolge:" part: "Sozialausschuss (Vorberatung) 20.02., Rat
    (Entscheidung) 12.03."; a role in brackets or words, a step without either has none."""
    steps: list[_Step] = []
    for item in _ITEMS.split(value):
        bracket = _ROLE_IN_BRACKETS.search(item)
        named = rolle_named(bracket.group(1)) if bracket else None
        found = _clause_steps(_ROLE_IN_BRACKETS.sub(" ", item) if named else item, today, True)
        if found is None:
            continue
        for step in found[0]:
            steps.append(
                step if named is None else _Step(step.gremium, named, step.datum, step.bad_date)
            )
    return steps


def _merged(steps: list[_Step]) -> list[_Step]:
    """One step per body and role (the same body named twice is one step); the deciding
    step last, the others by date (undated ones after the dated, in the order named)."""
    out: list[_Step] = []
    for step in steps:
        same = next(
            (
                s
                for s in out
                if same_body(s.gremium, step.gremium)
                and (s.rolle == step.rolle or None in (s.rolle, step.rolle))
            ),
            None,
        )
        if same is None:
            out.append(step)
            continue
        same.rolle = same.rolle or step.rolle
        same.bad_date = same.bad_date or step.bad_date
        if len(step.gremium) > len(same.gremium) and same_body(step.gremium, same.gremium):
            same.gremium = step.gremium  # "Rat der Stadt" over "Rat"
        if same.datum is None:
            same.datum = step.datum
        elif step.datum is not None and step.datum != same.datum:
            same.other_date = step.datum
    others = [s for s in out if s.rolle != "Entscheidung"]
    others.sort(key=lambda s: (s.datum is None, s.datum or date.min))
    return [*others, *(s for s in out if s.rolle == "Entscheidung")]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fact(item: str) -> str:
    return _one_line(item.strip().lstrip("-•*").strip())


# --- the questions -----------------------------------------------------------------------------


def _named(gremium: str) -> str:
    """The body with its article, inside a sentence: "der Rat", "die Bezirksvertretung"."""
    text = artikel(gremium)
    return text[:1].lower() + text[1:] if re.match(r"(?:Der|Die|Das)\s", text) else text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _questions(form: DraftRequest, steps: list[_Step], today: date) -> list[Missing]:
    missing: list[Missing] = []
    if not form.betreff.strip():
        missing.append(Missing(field="betreff", question=Q_BETREFF))
    gremium = form.gremium.strip()
    deciding = [s for s in steps if s.rolle == "Entscheidung"]
    if not gremium and len(deciding) < 2:
        names = [s.gremium for s in steps]
        question = Q_GREMIUM_OF.format(names=" oder ".join(names)) if names else Q_GREMIUM
        missing.append(Missing(field="gremium", question=question))
    decision = next((s.datum for s in deciding if s.datum), None)
    for i, step in enumerate(steps):
        field = f"beratungsfolge[{i}].datum"
        body = _named(step.gremium)
        acts = "entscheidet" if step.rolle == "Entscheidung" else "befasst sich"
        if step.bad_date:
            question = Q_NO_DATE.format(raw=step.bad_date, acts=acts, body=body)
            if step.rolle != "Entscheidung":
                question = question.removesuffix("?") + " damit?"
            missing.append(Missing(field=field, question=question))
        elif step.other_date is not None and step.datum is not None:
            a, b = german_date(step.datum), german_date(step.other_date)
            question = Q_TWO_DATES.format(body=_capital(body), a=a, b=b)
            missing.append(Missing(field=field, question=question))
        elif step.datum is None:
            template = Q_WHEN_DECIDES if step.rolle == "Entscheidung" else Q_WHEN_MEETS
            missing.append(
                Missing(field=field, question=template.format(body=body), required=False)
            )
        elif step.datum < today:
            question = Q_PAST.format(datum=german_date(step.datum), body=step.gremium)
            missing.append(Missing(field=field, question=question, required=False))
        elif decision and step.rolle != "Entscheidung" and step.datum > decision:
            question = Q_AFTER_DECISION.format(
                body=_capital(body),
                datum=german_date(step.datum),
                decision=german_date(decision),
            )
            missing.append(Missing(field=field, question=question, required=False))
    if gremium and not deciding:
        missing.append(
            Missing(
                field="beratungsfolge",
                question=Q_WHEN_DECIDES.format(body=_named(gremium)),
                required=False,
            )
        )
    if not form.fakten.strip():
        missing.append(Missing(field="fakten", question=Q_FAKTEN, required=False))
    if not (form.finanzielle_auswirkungen or "").strip():
        missing.append(
            Missing(field="finanzielle_auswirkungen", question=Q_FINANZEN, required=False)
        )
    return missing
