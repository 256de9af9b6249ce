"""Rule ``operative``: the Beschlussvorschlag is a resolution.

It names a body that decides and contains an operative verb ("beschließt", "stimmt zu",
"nimmt zur Kenntnis", "empfiehlt", "beauftragt", …), and each numbered item ("1. …", "2) …")
is a complete sentence with a verb and a final full stop. The rule also reports the topic
warning of :mod:`.topic` (a resolution that does not take up the Betreff).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.bodies import RE_CAPITALISED, is_body
from assistant.validation.findings import finding, short
from assistant.validation.topic import check_topic

RE_OPERATIVE = re.compile(
    r"\b(?:beschließt|beschließen|beschlossen|stimmt|stimmen|zuzustimmen|zugestimmt"
    r"|nimmt|nehmen|zur Kenntnis|empfiehlt|empfehlen|beauftragt|beauftragen|ermächtigt|ermächtigen"
    r"|genehmigt|genehmigen|billigt|billigen|gebilligt|wählt|wählen|gewählt|bestellt|bestellen"
    r"|erkennt|erkennen|anerkannt|bestätigt|bestätigen|entlastet|entlasten|stellt|stellen"
    r"|festgestellt|lehnt|lehnen|abgelehnt|beruft|berufen|benennt|benennen|entsendet|entsenden"
    r"|verabschiedet|verabschieden|bewilligt|bewilligen|erteilt|erteilen|setzt|setzen"
    r"|festgesetzt|hebt|aufgehoben|überträgt|ernennt|fasst|fassen)\b"
)
RE_NUMBERED_ITEM = re.compile(r"^[ \t]*\(?\d{1,2}[.)][ \t]+", re.M)
RE_VERBISH = re.compile(
    r"\b(?:wird|werden|wurde|wurden|ist|sind|war|waren|soll|sollen|sollte|hat|haben|kann|können"
    r"|muss|müssen|darf|dürfen|bleibt|bleiben|gilt|gelten|erfolgt|erfolgen)\b"
    r"|\bzu\s+[a-zäöüß]+en\b|\b[a-zäöüß]+zu[a-zäöüß]+en\b"
    r"|\b[a-zäöüß]{3,}t\b"
)
_NOT_VERBS = {
    "nicht", "jetzt", "bereits", "insgesamt", "zuletzt", "erst", "meist", "seit", "samt", "nebst",
    "zunächst", "stets", "längst", "sonst", "selbst", "direkt", "konkret", "gesamt", "bekannt",
    "fast", "mit", "damit", "weit", "breit", "bereit", "zuerst", "mindestens", "höchstens",
}  # fmt: skip


def has_verb(sentence: str) -> bool:
    if RE_OPERATIVE.search(sentence):
        return True
    return any(m.group().lower() not in _NOT_VERBS for m in RE_VERBISH.finditer(sentence))


def _numbered_items(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the numbered items ("1. ...", "2) ..."), each up to the next item or blank line."""
    starts = [m.start() for m in RE_NUMBERED_ITEM.finditer(text)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        blank = re.search(r"\n[ \t]*\n", text[start:end])
        if blank:
            end = start + blank.start()
        yield start, len(text[:end].rstrip())


def check_operative(draft: Draft) -> Iterator[Finding]:
    """The Beschlussvorschlag names a body and an operative verb; numbered items are sentences."""
    text = draft.beschlussvorschlag
    if not text.strip():
        return
    if not any(is_body(m.group()) for m in RE_CAPITALISED.finditer(text)):
        yield finding(
            "operative",
            "Der Beschlussvorschlag nennt kein Gremium, das beschließt "
            "(z. B. „Der Rat beschließt …“).",
            field_name="beschlussvorschlag",
        )
    if not RE_OPERATIVE.search(text):
        yield finding(
            "operative",
            "Der Beschlussvorschlag enthält kein Beschlussverb wie „beschließt“, „stimmt zu“, "
            "„nimmt zur Kenntnis“, „empfiehlt“ oder „beauftragt“.",
            field_name="beschlussvorschlag",
        )
    for start, end in _numbered_items(text):
        item = text[start:end]
        body = RE_NUMBERED_ITEM.sub("", item, count=1)
        if not has_verb(body) or not item.rstrip().endswith((".", ":", ";")):
            yield finding(
                "operative",
                "Dieser Beschlusspunkt ist kein vollständiger Satz (Verb und abschließender Punkt "
                "fehlen).",
                field_name="beschlussvorschlag",
                span=(start, end),
                token=short(item),
            )
    yield from check_topic(draft)
