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

The clauses with their bodies and roles are read in :mod:`assistant.usecases.chat_clauses`,
the dates in :mod:`assistant.usecases.chat_dates`.

The German sentences are constants of this module, not of :mod:`assistant.presenter`: they are
the rules' own results, tied to the grammar the rules read (as the sentences of
``prepare_request`` are), and every entry point shows them as they are.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from assistant.presenter import german_date, invalid_input, rolle_named
from assistant.schema import Beratungsschritt, DraftRequest, rule_error
from assistant.usecases.chat_clauses import CONNECTORS, ROLE_PATTERNS, SEPARATOR, Step, clause_steps
from assistant.usecases.chat_dates import (
    RE_DATE,
    WEEKDAY_COMMA,
)
from assistant.usecases.search import SearchRequest
from assistant.validation.bodies import same_body
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
    steps = [Step(s.gremium, s.rolle, s.datum) for s in form.beratungsfolge]
    return ChatIntent(kind="entwurf", form=form, missing=_questions(form, steps, today))


def _search_intent(query: str) -> ChatIntent:
    if not query:
        return ChatIntent(kind="hilfe", hint=HINT_NO_QUERY)
    try:
        request = SearchRequest(query=query)
    except ValidationError as err:
        return ChatIntent(kind="hilfe", text=query, hint=invalid_input(err))
    return ChatIntent(kind="suche", text=query, search=request)


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
    named = [Step(_one_line(v), "Entscheidung") for v in parts.get("gremium", [])]
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


def _read_head(head: str, today: date) -> tuple[str, list[Step], list[str]]:
    """Betreff, steps and facts of the unlabelled text: the Betreff runs up to the first clause
    in which a body acts; later clauses are steps or facts."""
    steps: list[Step] = []
    facts: list[str] = []
    betreff_end: int | None = None
    position = 0
    for piece in SEPARATOR.split(head):
        start = head.find(piece, position) if piece else position
        position = start + len(piece)
        if not piece.strip():
            continue
        found = clause_steps(piece, today)
        if found is None:
            if betreff_end is not None:
                facts.append(piece)
            continue
        found_steps, body_start = found
        if betreff_end is None:
            betreff_end = start + len(_betreff_lead(piece[: _first_mark(piece, body_start)]))
        steps.extend(found_steps)
    betreff = head if betreff_end is None else head[:betreff_end]
    return _one_line(betreff).strip(" ,;:.-–"), steps, facts


def _first_mark(clause: str, body_start: int) -> int:
    """Where the first clause with an acting body stops being Betreff: at its body, its first
    role word or its first date, whichever comes first ("Kita – Entscheidung im Rat …")."""
    marks = [body_start]
    marks += [m.start() for _, pattern in ROLE_PATTERNS for m in pattern.finditer(clause)]
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
    return lead if CONNECTORS.sub("", lead.strip()) else ""


def _beratungsfolge(value: str, today: date) -> list[Step]:
    """The items of a "Beratungsfolge:" part: "Sozialausschuss (Vorberatung) 20.02., Rat
    (Entscheidung) 12.03."; a role in brackets or words, a step without either has none."""
    steps: list[Step] = []
    for item in _ITEMS.split(value):
        bracket = _ROLE_IN_BRACKETS.search(item)
        named = rolle_named(bracket.group(1)) if bracket else None
        found = clause_steps(_ROLE_IN_BRACKETS.sub(" ", item) if named else item, today, True)
        if found is None:
            continue
        for step in found[0]:
            steps.append(
                step if named is None else Step(step.gremium, named, step.datum, step.bad_date)
            )
    return steps


def _merged(steps: list[Step]) -> list[Step]:
    """One step per body and role (the same body named twice is one step); the deciding
    step last, the others by date (undated ones after the dated, in the order named)."""
    out: list[Step] = []
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


def _questions(form: DraftRequest, steps: list[Step], today: date) -> list[Missing]:
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
