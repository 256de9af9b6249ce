"""The vocabulary of Beratungsfolge tables: role words, Ö/N words, words that name a body
or continue a result, and the column titles of a block's header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.schema import Rolle

_ROLLE_WORDS: dict[str, Rolle] = {
    "entscheidung": "Entscheidung",
    "endgültige entscheidung": "Entscheidung",
    "beschlussfassung": "Entscheidung",
    "beschließend": "Entscheidung",
    "entscheidend": "Entscheidung",
    "vorberatung": "Vorberatung",
    "vorberatend": "Vorberatung",
    "vorberatende beratung": "Vorberatung",
    "beratung": "Beratung",
    "beratend": "Beratung",
    "kenntnisnahme": "Kenntnisnahme",
    "zur kenntnisnahme": "Kenntnisnahme",
    "zur kenntnis": "Kenntnisnahme",
    "kenntnis": "Kenntnisnahme",
    "anhörung": "Anhörung",
    "anhörungen": "Anhörung",
    "beschluss": "Entscheidung",
}
_ROLLE_ALT = "|".join(sorted((re.escape(w) for w in _ROLLE_WORDS), key=len, reverse=True))
ROLLE_AT_END = re.compile(rf"^(?P<g>.+?)\s+(?P<r>{_ROLLE_ALT})$", re.IGNORECASE)


def parse_rolle(word: str) -> Rolle | None:
    return _ROLLE_WORDS.get(word.strip(" .:").lower())


_OEFFENTLICH_WORDS: dict[str, bool] = {
    "ö": True,
    "öffentlich": True,
    "oe": True,
    "n": False,
    "nö": False,
    "nö.": False,
    "nöff": False,
    "nichtöffentlich": False,
    "nicht öffentlich": False,
    "nicht-öffentlich": False,
}


def parse_oeffentlich(word: str) -> bool | None:
    return _OEFFENTLICH_WORDS.get(word.strip().lower())


# A line that names a body (for lines without a date, to tell a new body from a result line).
GREMIUM_WORD = re.compile(
    r"(?:rat|räte|rates|rats)\b|ausschuss|kommission|versammlung|vertretung|kreistag|"
    r"magistrat|konferenz|gremium|gremien|plenum|\bAG\b|arbeitskreis|forum",
    re.IGNORECASE,
)
# Lines that continue a result although they name a body ("Verweis an den Planungsausschuss").
RESULT_START = re.compile(
    r"^(?:verweis|verwiesen|überweisung|überwiesen|empfehlung|zustimmung|ablehnung|kenntnis|"
    r"vorberat|genehmig|zugestimmt|beschlossen|abgelehnt|vertagt|abgesetzt|einstimmig|"
    r"mehrheitlich|deutliche|befürwortung|in |an |auf |mit |nach |der |die |das |und )",
    re.IGNORECASE,
)
# A body's name is unfinished when its line ends like this ("Ausschuss für Umwelt und").
UNFINISHED = re.compile(
    r"(?:\b(?:und|für|der|des|die|den|dem|von|im|in|zur|zum|sowie|bzw\.?)|[,/&-])$", re.IGNORECASE
)

# ---------------------------------------------------------------------------------------------
# Block headers

_COLUMN_WORDS = re.compile(
    r"Beratungsfolge|dieser|Vorlage|Gremien|Gremium|remium|Termine?|ermin|Sitzungstermin|"
    r"Sitzung|am|TOP|OP|Ergebnis|Zuständigkeit|Öffentlichkeitsstatus|Behandlung|Datum|Status|"
    r"Beschluss|nö|ö|Ö|N|n|I|T|D|[/:|]",
)
BF_WORD = re.compile(r"^Beratungsfolge(?:\s*dieser\s*Vorlage)?\s*:?", re.IGNORECASE)
GREMIEN_HEAD = re.compile(r"^Gremi(?:um|en)\s*Termin", re.IGNORECASE)


def is_column_line(line: str) -> bool:
    """True for a line made only of column titles ("Gremium Termin TOP ö nö Ergebnis")."""
    rest = _COLUMN_WORDS.sub("", line)
    return bool(line.strip()) and not rest.strip()


@dataclass
class Columns:
    """What the block's header promises."""

    rolle: bool = False
    oeffentlich: bool = False
    ergebnis: bool = False

    def update(self, header: str) -> None:
        low = header.lower()
        self.rolle = self.rolle or "zuständigkeit" in low
        self.ergebnis = self.ergebnis or "ergebnis" in low
        self.oeffentlich = self.oeffentlich or any(
            w in low for w in ("ö / n", "ö/n", "öffentlichkeitsstatus", "behandlung", "nö")
        )
