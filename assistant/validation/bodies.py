"""Council bodies in a draft: comparing their names, finding the clauses in which they act.

:func:`body_keys` and :func:`same_body` compare body names on their head noun ("Der Rat" and
"Rat der Stadt Wedel", "Gemeinderat" and "GR"); :func:`clauses` finds the sentences of a
Beschlussvorschlag in which a named body acts ("Der Rat beschließt …", "… beschließt der
Kreistag …"); :func:`deciding_body_of` names the body that decides according to the
Beratungsfolge. Used by the rules ``operative`` and ``deciding-body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schema import Draft

# Endings of the nouns that name a council body ("Sozialausschuss", "Rat der Stadt", ...).
_BODY_ENDINGS = (
    r"ausschuss|ausschuß|rat|beirat|kommission|versammlung|vertretung|magistrat|vorstand"
    r"|gremium|gremien|senat|konferenz|kreistag|bezirkstag|landtag|bürgermeister|bürgermeisterin"
)
_NOT_BODIES = {
    "referat", "apparat", "vorrat", "heirat", "zierrat", "unrat", "inserat", "format", "automat",
    "diplomat", "sekretariat", "aggregat", "antrag",
}  # fmt: skip
RE_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wÄÖÜäöüß-]*")
# Abbreviations printed in Beratungsfolgen instead of the name.
_ABBREVIATIONS = {"GR": "rat", "KT": "kreistag", "SVV": "stadtverordnetenversammlung"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des"}
_GENERIC_BODIES = {"gremien", "gremium"}
_COUNCIL_SYNONYMS = {
    "rat",
    "stadtrat",
    "gemeinderat",
    "marktgemeinderat",
    "marktrat",
    "ratsversammlung",
}
_GENERIC_HEADS = ("ausschuss", "vertretung", "beirat", "kommission", "versammlung", "konferenz")

_DECIDING_VERBS = (
    r"beschließt|beschließen|stimmt|stimmen|beauftragt|beauftragen|ermächtigt|ermächtigen"
    r"|genehmigt|genehmigen|billigt|billigen|wählt|wählen|bestellt|bestellen|erkennt|erkennen"
    r"|bestätigt|bestätigen|entlastet|entlasten|stellt|stellen|lehnt|lehnen|beruft|berufen"
    r"|benennt|benennen|entsendet|entsenden|verabschiedet|verabschieden|bewilligt|bewilligen"
    r"|erteilt|erteilen|setzt|setzen|hebt|heben|überträgt|übertragen|ernennt|ernennen"
    r"|fasst|fassen"
)
RECOMMENDING_VERBS = r"empfiehlt|empfehlen"
NOTING_VERBS = r"nimmt|nehmen"
_ALL_VERBS = f"{_DECIDING_VERBS}|{RECOMMENDING_VERBS}|{NOTING_VERBS}"
RE_CLAUSE = re.compile(
    rf"(?:^|(?<=[.:;!?]\s)|(?<=\n))[ \t]*(?:\(?\d{{1,2}}[.)]\s+)?"
    rf"(?:Der|Die|Das)\s+(?P<body>[^.;:!?\n]{{1,90}}?)\s+(?P<verb>{_ALL_VERBS})\b"
    rf"(?:\s+(?:dem|der)\s+(?P<target>[^,.;:!?\n]{{1,90}}?)(?=\s*(?:,|\.|;|:|\bzu\b|\bdie\b|\bden\b|\bdas\b|$)))?",
    re.M,
)
RE_INVERTED_CLAUSE = re.compile(
    rf"\b(?P<verb>{_DECIDING_VERBS})\s+(?:der|die|das)\s+(?P<body>[A-ZÄÖÜ][^,.;:!?\n]{{0,60}}?)"
    r"(?=\s+(?:die|den|das|dem|der|einstimmig|folgend|wie|mit|zu|,|\.|:|$))"
)


# Lower-case words a body's name may contain ("Ausschuss für Umwelt und Klima").
_NAME_WORDS = {
    "der", "des", "die", "den", "dem", "für", "und", "von", "im", "in", "am", "zur", "zum",
    "städtische", "städtischen", "zuständige", "zuständigen", "beratende", "beschließende",
}  # fmt: skip


def _is_noun_phrase(name: str) -> bool:
    """Whether ``name`` reads as a body's name, not as a clause ("Rat bittet die Verwaltung")."""
    return all(
        word[:1].isupper() or word in _NAME_WORDS or word.endswith("-")
        for word in re.findall(r"[\wÄÖÜäöüß]+-?", name)
    )


@dataclass(frozen=True)
class Clause:
    body: str
    verb: str
    span: tuple[int, int]
    target: str | None = None
    target_span: tuple[int, int] | None = None


def _head_words(name: str) -> list[str]:
    """The leading noun group of a body name: "Sozial- und Gesundheitsausschuss des Kreises"
    -> ["Sozial-", "Gesundheitsausschuss"]; "Rat der Stadt Wedel" -> ["Rat"]."""
    words = re.findall(r"[\wÄÖÜäöüß]+-?,?", name)
    head: list[str] = []
    for word in words:
        clean = word.rstrip(",")
        if not head and clean.lower() in _ARTICLES:
            continue
        if not head:
            if clean[:1].isupper():
                head.append(clean)
            continue  # leading adjectives ("städtischen", "zuständige")
        if clean == "und" and head[-1].endswith("-"):
            continue
        if head[-1].endswith("-") and clean[:1].isupper():
            head.append(clean)
            continue
        break
    return head


def body_keys(name: str) -> set[str]:
    """Comparable keys of a body name: its head noun(s), lower case, council synonyms unified.

    "Der Rat" and "Rat der Stadt Wedel" -> {"rat"}; "Kultur- und Sozialausschuss" ->
    {"kulturausschuss", "sozialausschuss"}; "Gemeinderat" -> {"rat"}.
    """
    abbreviation = _ABBREVIATIONS.get(name.strip())
    if abbreviation is not None:
        return {abbreviation}
    head = _head_words(name)
    if not head:
        return set()
    last = head[-1].lower()
    keys = {last}
    ending = re.search(rf"(?:{_BODY_ENDINGS})$", last)
    if ending and len(head) > 1:
        keys |= {part.rstrip("-").lower() + ending.group() for part in head[:-1]}
    return {"rat" if key in _COUNCIL_SYNONYMS else key for key in keys}


def is_executive(name: str) -> bool:
    """The mayor or Landrat: addressed by resolutions, not a council body that decides them."""
    return any(re.search(r"bürgermeister(?:in)?$|landrat$|landrätin$", k) for k in body_keys(name))


def is_generic(name: str) -> bool:
    return bool(body_keys(name) & _GENERIC_BODIES)


def is_body(name: str) -> bool:
    keys = body_keys(name)
    return (
        bool(keys)
        and all(k not in _NOT_BODIES for k in keys)
        and any(re.search(rf"(?:{_BODY_ENDINGS})$", k) for k in keys)
    )


def same_body(a: str, b: str) -> bool:
    """Whether two names mean the same body, matching on the head noun.

    Tolerates "Der Rat" / "Rat der Stadt Wedel", "Gemeinderat" / "Der Gemeinderat",
    "Kreistag" / "Kreistag Landkreis Börde", "Ausschuss" / "Hauptausschuss"; not "Kreistag" /
    "Sozialausschuss".
    """
    keys_a, keys_b = body_keys(a), body_keys(b)
    if keys_a & keys_b:
        return True
    for generic, other in ((keys_a, keys_b), (keys_b, keys_a)):
        if any(g in _GENERIC_HEADS and any(o.endswith(g) for o in other) for g in generic):
            return True
    return False


def clauses(text: str) -> list[Clause]:
    """Sentences of a Beschlussvorschlag in which a named body acts ("Der Rat beschließt ...")."""
    found: list[Clause] = []
    for match in RE_CLAUSE.finditer(text):
        if not _is_noun_phrase(match.group("body")) or not is_body(match.group("body")):
            continue  # not a body, or not the subject ("Der Bürgermeister wird ermächtigt")
        target = match.group("target")
        target_ok = target is not None and is_body(target)
        found.append(
            Clause(
                match.group("body"),
                match.group("verb"),
                match.span("body"),
                target if target_ok else None,
                match.span("target") if target_ok else None,
            )
        )
    covered = [c.span for c in found]
    for match in RE_INVERTED_CLAUSE.finditer(text):
        body = match.group("body")
        if is_body(body) and not any(s <= match.start("body") < e for s, e in covered):
            found.append(Clause(body, match.group("verb"), match.span("body")))
    return sorted(found, key=lambda c: c.span)


def deciding_body_of(draft: Draft) -> tuple[str | None, int | None]:
    """(name, index in draft.beratungsfolge) of the deciding body; index None = request.gremium."""
    steps = [i for i, s in enumerate(draft.beratungsfolge) if s.rolle == "Entscheidung"]
    if steps:
        return draft.beratungsfolge[steps[-1]].gremium, steps[-1]
    gremium = draft.request.gremium.strip()
    if not gremium:
        return None, None
    matches = [i for i, s in enumerate(draft.beratungsfolge) if same_body(s.gremium, gremium)]
    return gremium, (matches[-1] if matches else None)
