"""The Beschlussvorschlag from the forms councils use (issue 9, step 1).

The bundled 1.5B model, asked for a whole resolution, cut it off mid-sentence, spliced in the
finance form's check-box line, resolved on an earlier case or let the prompt's instructions
leak into it. So the sentence is code's and the model fills only its object:

* :func:`choose_form` picks the form from the request and from the resolutions of the most
  similar past Vorlagen (``bench/resolution_forms.py`` counted the forms of 1,022 Karlsruhe
  resolutions: "beschließt" 44 %, "genehmigt" and the like 26 %, "stimmt … zu" 12 %,
  "nimmt … zur Kenntnis" 12 %);
* the model answers :class:`ResolutionOut` (under the backend's grammar): the object of the
  resolution and, where the facts name one, an instruction to the administration;
* :func:`clean_object` and :func:`clean_instruction` take the model's words apart and refuse
  what does not fit the sentence (a verb of its own, the wrong case for "stimmt … zu", an
  instruction that is not an infinitive clause);
* :func:`compose` writes the resolution: the deciding body exactly as the request names it,
  the Vorberatung ("nach Vorberatung im Sozialausschuss", the Karlsruhe form), the verb, the
  object, and "Die Verwaltung wird beauftragt, …" as a second sentence. Every sentence ends
  with a full stop.
* :func:`fallback_object` is the object when the model's answer cannot be used: the Betreff,
  pointed at ("die Vorlage „…“ wie in der Sachdarstellung dargestellt"), plain but correct.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.schema import Beratungsschritt, DraftRequest
from assistant.validation.bodies import RE_CLAUSE, same_body
from prompts import artikel

__all__ = [
    "FORMS",
    "Form",
    "ResolutionOut",
    "choose_form",
    "clean_instruction",
    "clean_object",
    "compose",
    "fallback_object",
    "recommending_bodies",
]

Form = Literal["beschliesst", "genehmigt", "stimmt_zu", "kenntnis"]
FORMS: dict[Form, tuple[str, str]] = {
    "beschliesst": ("beschließt", ""),
    "genehmigt": ("genehmigt", ""),
    "stimmt_zu": ("stimmt", "zu"),
    "kenntnis": ("nimmt", "zur Kenntnis"),
}
"""Per form: the verb after the body and the words after the object."""

MIN_VOTES = 2  # similar resolutions of the same body that must agree before their form is used
MAX_OBJECT_CHARS = 400
MAX_INSTRUCTION_CHARS = 300
MIN_INSTRUCTION_WORDS = 3
"""An instruction names what the administration is to do ("die Maßnahmen umzusetzen"); the
bundled model also answered a bare verb ("zu erstellen", "zu beschließen": eval drafts,
seeds 002 and 003), which says nothing."""


class ResolutionOut(BaseModel):
    """The model's answer for the Beschlussvorschlag: only what the fixed sentence lacks."""

    model_config = ConfigDict(extra="forbid")

    gegenstand: str = Field(
        description="Nur der Gegenstand des Beschlusses, ohne Gremium und ohne Verb."
    )
    auftrag: str = Field(
        description="Ein Auftrag an die Verwaltung als Infinitiv mit zu, oder leer."
    )


_KENNTNIS_ART = re.compile(r"(?i)mitteilung|information|kenntnis|bericht")
_KENNTNIS_BETREFF = re.compile(
    r"(?i)^\s*(?:\w+[- ])?(?:sachstands|jahres|zwischen|abschluss|tätigkeits|halbjahres)?"
    r"(?:bericht|information|mitteilung|sachstand)\b"
)
_PASSAGE_FORMS: tuple[tuple[Form, re.Pattern[str]], ...] = (
    ("kenntnis", re.compile(r"\bnimmt\b[^.]{0,200}\bKenntnis\b")),
    ("stimmt_zu", re.compile(r"\bstimmt\b[^.]{0,200}\bzu\b")),
    ("genehmigt", re.compile(r"\bgenehmigt\b")),
    ("beschliesst", re.compile(r"\bbeschließt\b")),
)


def _passage_form(passage: str, gremium: str) -> Form | None:
    """The form of the first resolution clause in ``passage`` in which ``gremium`` acts."""
    for match in RE_CLAUSE.finditer(passage):
        if not same_body(match.group("body"), gremium):
            continue
        sentence = passage[match.start() : passage.find(".", match.end()) % (len(passage) + 1)]
        for form, pattern in _PASSAGE_FORMS:
            if pattern.search(sentence):
                return form
        return None
    return None


def choose_form(request: DraftRequest, passages: Sequence[str]) -> Form:
    """The resolution's form.

    A Mitteilungs- or Informationsvorlage, or a Betreff that is a report ("Sachstandsbericht
    …"), is taken note of ("nimmt … zur Kenntnis"). Otherwise the form that at least
    :data:`MIN_VOTES` of the similar past resolutions by the same body use (``passages``: what
    retrieval found, a Kurzfassung opens with the resolution), else "beschließt".
    """
    if _KENNTNIS_ART.search(request.art) or _KENNTNIS_BETREFF.search(request.betreff):
        return "kenntnis"
    votes = Counter(
        form for passage in passages if (form := _passage_form(passage, request.gremium))
    )
    if votes:
        form, count = votes.most_common(1)[0]
        if count >= MIN_VOTES:
            return form
    return "beschliesst"


def recommending_bodies(request: DraftRequest, steps: Sequence[Beratungsschritt]) -> list[str]:
    """The bodies that advise before the deciding one (rolle Vorberatung, or no rolle, listed
    before it), each once, in order."""
    out: list[str] = []
    for step in steps:
        if step.rolle == "Entscheidung" or same_body(step.gremium, request.gremium):
            break
        if step.rolle in (None, "Vorberatung") and step.gremium not in out:
            out.append(" ".join(step.gremium.split()))
    return out


def _in_dative(body: str) -> str:
    phrase = f"in {artikel(body, 'dat')}"
    return "im " + phrase[len("in dem ") :] if phrase.startswith("in dem ") else phrase


_LEADING_CLAUSE = re.compile(
    r"^(?:(?:Der|Die|Das)\s+[^,.;:]{1,90}?\s+)?(?:beschließt|beschließen|genehmigt|stimmt"
    r"|nimmt|billigt)\b[\s,:]*",
    re.IGNORECASE,
)
_TRAILING_WORDS = re.compile(r"\s*(?:\bzur\s+Kenntnis|\bzu)\s*$")
_ARTICLE_START = re.compile(r"^(Der|Die|Das|Den|Dem|Des|Ein|Eine|Einen|Einem|Einer|Dass)\b")
_MARKER = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")
_DETERMINER_START = re.compile(
    r"^(?:der|die|das|den|dem|des|ein\w*|dass|folgende\w*|alle\w*|diese\w*|sämtliche\w*"
    r"|ihre?\w*|seine?\w*|„|\d)",
    re.IGNORECASE,
)
_FEMININE_OR_PLURAL = re.compile(
    r"^[A-ZÄÖÜ][\wäöüß-]*(?:ung|heit|keit|schaft|tion|sion|tät|ik|ur|ungen|nahmen|en|ien)\b"
)
_NEUTER_NOUN = re.compile(
    r"^[A-ZÄÖÜ][\wäöüß-]*(?:konzept|programm|projekt|gutachten|verfahren"
    # nominalised infinitives, neuter although they end in -en like a plural ("das Ausscheiden
    # der Stadträtin", not "die": eval drafts, paper 26664)
    r"|scheiden|rücken|gehen|haben|liegen|nehmen|handeln|wohnen|parken|bauen|leben)\b"
)
_DATIVE_START = re.compile(r"^(?:der|dem|den|einer|einem)\s", re.IGNORECASE)
_INFINITIVE_END = re.compile(r"(?:\bzu\s+[a-zäöüß]+(?:en|ern|eln)|[a-zäöüß]+zu[a-zäöüß]+en)$")
_BAD_CHARS = re.compile(r"[\n{}<>*#☐☒☑]")


def clean_object(text: str, form: Form) -> str:
    """The model's object made to fit "… {verb} {object} {rest}.", or "" when it cannot.

    Whitespace, markers and end punctuation go; a body and verb the model wrote anyway are
    cut ("Der Rat beschließt die …" -> "die …"), as are the form's closing words ("zu", "zur
    Kenntnis"); a leading article is written in lower case. Refused: empty, longer than
    :data:`MAX_OBJECT_CHARS`, with line breaks, braces, Markdown or check boxes, a second
    sentence, for "stimmt … zu" an object that is not in the dative ("der Vergabe"), and an
    object without an article whose head noun does not tell it (:func:`_with_article`)."""
    if _BAD_CHARS.search(text.strip()):
        return ""
    cleaned = _MARKER.sub("", " ".join(text.split()))
    cleaned = _LEADING_CLAUSE.sub("", cleaned).strip(" .;,:")
    cleaned = _TRAILING_WORDS.sub("", cleaned).strip(" .;,:")
    if not cleaned or len(cleaned) > MAX_OBJECT_CHARS or re.search(r"[.!?]\s+[A-ZÄÖÜ]", cleaned):
        return ""
    cleaned = _ARTICLE_START.sub(lambda m: m.group(1).lower(), cleaned)
    if form == "stimmt_zu" and not _DATIVE_START.match(cleaned):
        return ""
    return cleaned if _DETERMINER_START.match(cleaned) else _with_article(cleaned)


def _with_article(noun_phrase: str) -> str:
    """ "Sanierung der Halle" -> "die Sanierung der Halle" where the head noun's ending tells
    its article in the accusative (feminine and plural "die", "-konzept" and the like "das");
    "" where it does not."""
    if _NEUTER_NOUN.match(noun_phrase):
        return f"das {noun_phrase}"
    if _FEMININE_OR_PLURAL.match(noun_phrase):
        return f"die {noun_phrase}"
    return ""


def clean_instruction(text: str) -> str:
    """The instruction to the administration as an infinitive clause with an object ("die
    Maßnahmen umzusetzen"), or "" when there is none, it is not one, or it is a bare verb."""
    cleaned = _MARKER.sub("", " ".join(text.split())).strip(" .;,:")
    cleaned = re.sub(
        r"^(?:die\s+Verwaltung\s+(?:wird\s+beauftragt|zu\s+beauftragen)\s*,?\s*)",
        "",
        cleaned,
        flags=re.IGNORECASE,
    ).strip(" ,")
    if (
        len(cleaned.split()) < MIN_INSTRUCTION_WORDS
        or len(cleaned) > MAX_INSTRUCTION_CHARS
        or _BAD_CHARS.search(cleaned)
        or re.search(r"[.!?]\s", cleaned)
        or not _INFINITIVE_END.search(cleaned)
    ):
        return ""
    return cleaned[0].lower() + cleaned[1:] if _ARTICLE_START.match(cleaned) else cleaned


def fallback_object(betreff: str, form: Form) -> str:
    """The object when the model's answer cannot be used: the Betreff, pointed at."""
    name = " ".join(betreff.split()).strip(' „“"')
    if form == "stimmt_zu":
        return f"der Vorlage „{name}“ wie in der Sachdarstellung dargestellt"
    if form == "kenntnis":
        return f"die Ausführungen zu „{name}“"
    return f"die Vorlage „{name}“ wie in der Sachdarstellung dargestellt"


def compose(
    form: Form,
    gremium: str,
    obj: str,
    *,
    recommending: Sequence[str] = (),
    instruction: str = "",
    clause: bool = False,
) -> str:
    """The resolution: "{Der Gremium} {verb}[ nach Vorberatung im …][,] {obj}[ zu]." and, with
    an instruction, "Die Verwaltung wird beauftragt, {instruction}." The comma comes before an
    object that is a clause: "dass …", or an infinitive clause when ``clause`` is set
    ("beschließt, das Verfahren … fortzusetzen")."""
    verb, rest = FORMS[form]
    body = artikel(gremium)
    after = ""
    if recommending:
        after = " nach Vorberatung " + " und ".join(_in_dative(b) for b in recommending)
    joiner = ", " if clause or obj.startswith("dass ") else " "
    sentence = f"{body} {verb}{after}{joiner}{obj}{' ' + rest if rest else ''}."
    if instruction:
        sentence += f" Die Verwaltung wird beauftragt, {instruction}."
    return sentence
