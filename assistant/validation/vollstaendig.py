"""Rule ``vollstaendig``: every generated section ends in a complete sentence.

A model's answer is cut off when it reaches its token limit, and what was streamed so far is
kept (``salvage_text``). Such a text passed every other rule; the resolution of a real draft
ended "Der Hauptausschuss beschließt, dass die Vergabekriterien für Projekte zur". Checked are
the sections the model writes (Beschlussvorschlag, Sachdarstellung, Begründung), at their end:

* **Complete** is a text ending in ".", "!" or "?", possibly followed by closing quotes or
  brackets and by citation markers ("… beschlossen [2].", "… beschlossen. [2]": the bundled
  model puts the marker after the full stop). An abbreviation at the end ("usw.", "z. B.")
  ends with its full stop and counts as complete.
* **Cut off** is a text ending in "," ";" ":" "-" "(" or an opening quote, in "…"/"...", in a
  word that cannot end a sentence ("zur", "und", "der", "dass"), or in a last sentence
  that began after a full stop on the same line. "… beschlossen [2]" without a full stop is
  cut off as well: the marker is not the end of the sentence (the service puts markers before
  the full stop, so a text that ends in one had none).
* **Dangling**: the last paragraph opens a bracket "(" or a quotation "„" that it never closes
  (a straight double quote counts when their number is odd).
* **Lists**: a last line that is a list item ("1. …", "- …", "a) …") is cut off when it is
  empty, ends as above, or when earlier items of its list end in "." ";" or "," (then the list
  is a sentence and its last item must end with a full stop, as in "1. …; 2. … ."). A plain
  enumeration whose items carry no punctuation ("- Wohnen", "- Gesundheit und Pflege") is
  complete.
* A last line without end punctuation that is not a list item is a heading, a label or a
  name ("Gesundheit und Pflege") when it has no lower-case word, or fewer than
  :data:`MIN_SENTENCE_WORDS` words and does not open like a sentence (with an article or a
  pronoun); otherwise it is a sentence without its end.
* A last line that is a label with its value ("Quelle: Sonderauswertungen der …") or an entry
  of the list of attachments ("Anlage 3 Tabellarische Übersicht …") is not a sentence.
* In a Sachdarstellung or Begründung a last paragraph that hands over to the resolution with a
  colon ("Dem Gemeinderat wird empfohlen, den nachstehenden Beschluss zu fassen:") is
  complete; the resolution is a section of its own.
* JSON or code-fence debris after the text ('… jährlich fü...“} }', a code fence, "{": the
  docs/drafting.md example 2) is left to ``formularreste``; the text before it is judged.

Measured on the Karlsruhe corpus (``tests/assistant/test_validation_clean.py``): 2.0 % of the
2,038 Beschlussvorschläge and Sachdarstellungen of its 1,023 papers are flagged (3.9 % of the
1,015 papers that have both), mostly texts that lack their final full stop ("Der
Hauptausschuss nimmt den Sachstandsbericht zur Kenntnis") and parser artefacts (a form line
"PSP-Element … -" at the end).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import FIELD_TITLES, finding, generated_texts, short
from assistant.validation.markers import CITATION_MARKER
from assistant.validation.sentences import RE_LIST_ITEM, sentence_spans

MIN_SENTENCE_WORDS = 6
_CLOSERS = ")]\"“”’'»«"
# JSON or code-fence debris after the text ('… fü...“} }\n```json\n{'): ``formularreste``
# reports it; the text is judged without it.
_DEBRIS_TAIL = re.compile(r"(?:\s*(?:```[a-z]*|[{}]|[\"“”]\s*(?=[{}])))+\s*$")
_TRAILING_MARKERS = re.compile(rf"(?:\s*{CITATION_MARKER.pattern})+\s*$")
_TERMINATED = re.compile(rf"[.!?][{re.escape(_CLOSERS)}]*$")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)[" + re.escape(_CLOSERS) + r"]*$")
_OPEN_END = re.compile(r"[,;:(\[„‚»/–—-]$")
# A caption, a label with its value, an entry of the list of attachments: not a sentence.
_LABEL_LINE = re.compile(
    r"(?!(?:Der|Die|Das|Es|Dies)\b)[A-ZÄÖÜ][\w./-]*(?:[ \t]+[\w./-]+){0,2}:[ \t]+\S"
    r"|Anlagen?[ \t]+\d"
)
_HANDOVER = re.compile(r"[Bb]eschl(?:uss|ießen)")
_BARE_MARKER = re.compile(r"[ \t]*(?:[-–—•*+]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])[ \t]*")
_LETTER_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
# Words that cannot end a German sentence: articles, prepositions that are never a separable
# verb particle ("zu", "an", "auf", "vor", "mit" are left out: "stimmt … zu", "schlägt … vor"),
# conjunctions.
_NO_END_WORDS = frozenset({
    "der", "die", "das", "den", "dem", "des", "eine", "einen", "einem", "einer", "eines",
    "zum", "zur", "im", "ins", "am", "beim", "vom", "für", "gegen", "von", "ohne", "seit",
    "zwischen", "gemäß", "laut", "trotz", "wegen", "während", "innerhalb", "außerhalb",
    "oberhalb", "unterhalb", "bezüglich", "hinsichtlich", "inklusive", "und", "oder", "aber",
    "sowie", "bzw", "dass", "weil", "wenn", "ob", "als", "sondern", "denn", "sodass", "falls",
    "obwohl", "sofern", "soweit", "beziehungsweise",
})  # fmt: skip
# First words that open a sentence, not a heading or a name.
_SENTENCE_OPENERS = frozenset({
    "der", "die", "das", "dem", "den", "des", "ein", "eine", "einer", "es", "er", "sie",
    "dies", "diese", "dieser", "dieses", "damit", "dabei", "hierzu", "hierfür", "daher",
    "deshalb", "somit", "zudem", "außerdem",
})  # fmt: skip


def _last_word(text: str) -> str:
    words = _LETTER_WORD.findall(text)
    return words[-1].lower() if words else ""


def _list_items(lines: list[str]) -> list[str]:
    """The items of the list that ends ``lines`` (the last line is an item), each with its
    continuation lines joined; blank lines between items are allowed."""
    items: list[str] = []
    current: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            continue
        current.insert(0, line.strip())
        if RE_LIST_ITEM.match(line):
            items.insert(0, " ".join(current))
            current = []
        elif len(current) > 2:  # more than two lines without an item: the list began here
            break
    return items


def _cut_list(lines: list[str]) -> str | None:
    """Why the list at the end of ``lines`` is cut off; None when it is complete."""
    items = _list_items(lines)
    last = RE_LIST_ITEM.sub("", items[-1], count=1).strip()
    if not last:
        return "empty"
    if _OPEN_END.search(last) or (_last_word(last) in _NO_END_WORDS and not last[-1].isdigit()):
        return "cut"
    if any(item.rstrip(_CLOSERS).endswith((".", ";", ",")) for item in items[:-1]):
        return "cut"
    return None


def _cut_line(lines: list[str]) -> str | None:
    """Why a last line without end punctuation (not a list item) is cut off; None when it is
    a heading, a label or a list of names."""
    line = lines[-1].strip()
    sentences = sentence_spans(line)
    fragment = line[sentences[-1][0] :]
    words = _LETTER_WORD.findall(fragment)
    if _last_word(fragment) in _NO_END_WORDS and not fragment[-1].isdigit():
        return "cut"
    if _LABEL_LINE.match(line):
        return None
    # Headings, labels and names are capitalised; a sentence has lower-case words.
    if not any(word.islower() for word in words):
        return None
    if len(sentences) > 1 or len(words) >= MIN_SENTENCE_WORDS:
        return "cut"
    if words[0].lower() in _SENTENCE_OPENERS:
        return "cut"
    return None


def _dangling(paragraph: str) -> str | None:
    """The opening bracket or quote that the last paragraph does not close, if any."""
    if paragraph.rfind("(") > paragraph.rfind(")"):
        return "("
    opening = paragraph.rfind("„")
    if opening >= 0 and not re.search(r"[“”\"]", paragraph[opening:]):
        return "„"
    if opening < 0 and paragraph.count('"') % 2:
        return '"'
    return None


def _judged(text: str) -> str:
    """``text`` as it is judged: without trailing JSON debris, citation markers, whitespace."""
    return _TRAILING_MARKERS.sub("", _DEBRIS_TAIL.sub("", text)).rstrip()


def incomplete_end(text: str, handover: bool = False) -> tuple[str, str] | None:
    """(kind, token) when ``text`` does not end in a complete sentence: kind is "cut",
    "empty" (a list item without text) or "dangling" (token: the unclosed bracket or quote);
    None when it ends properly. With ``handover`` (a Sachdarstellung or Begründung) a last
    paragraph that hands over to the resolution with a colon is complete."""
    body = _judged(text)
    if not body:
        return None
    paragraph = re.split(r"\n[ \t]*\n", body)[-1]
    if handover and body.endswith(":") and _HANDOVER.search(paragraph):
        return None
    lines = paragraph.splitlines()
    if _BARE_MARKER.fullmatch(lines[-1]):
        return "empty", ""
    if _ELLIPSIS.search(body):
        return "cut", ""
    if _TERMINATED.search(body):
        opener = _dangling(paragraph)
        return ("dangling", opener) if opener else None
    if _OPEN_END.search(body):
        return "cut", ""
    kind = _cut_list(body.splitlines()) if RE_LIST_ITEM.match(lines[-1]) else _cut_line(lines)
    return (kind, "") if kind else None


_MESSAGES = {
    "dangling": "Im letzten Absatz des Abschnitts „{title}“ wird „{opener}“ geöffnet, aber nicht "
    "geschlossen. Bitte den Satz vollständig zu Ende schreiben.",
    "empty": "Der letzte Aufzählungspunkt des Abschnitts „{title}“ ist leer. Bitte ihn "
    "ausformulieren oder streichen.",
    "cut": "Der Abschnitt „{title}“ bricht mitten im Satz ab. Bitte den letzten Satz vollständig "
    "mit Punkt abschließen oder streichen.",
}


def check_vollstaendig(draft: Draft) -> Iterator[Finding]:
    """Each generated section ends in a complete sentence (see the module docstring)."""
    for name, text in generated_texts(draft):
        result = incomplete_end(text, handover=name != "beschlussvorschlag")
        if result is None:
            continue
        kind, opener = result
        end = len(_judged(text))
        start = text.rfind("\n", 0, end) + 1
        if end - start > 60:  # the last 60 characters, from a word start
            start = text.find(" ", end - 60, end) + 1 or end - 60
        yield finding(
            "vollstaendig",
            _MESSAGES[kind].format(title=FIELD_TITLES[name], opener=opener),
            field_name=name,
            span=(start, end),
            token=short(text[start:end]),
        )
