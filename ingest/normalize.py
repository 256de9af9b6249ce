"""Text normalisation for council documents.

``normalize`` turns the raw text a source extracted (PDF text layer, HTML, DOCX, an export) into
the form the segmenter expects:

* one line per text line, cells of a table row separated by a single TAB, no trailing blanks,
  at most one empty line in a row;
* words broken at line ends joined again ("Jugendhilfeaus- schuss" -> "Jugendhilfeausschuss")
  while coordinated compounds stay ("Kinder- und Jugendhilfe");
* checkbox glyphs of the many fonts unified to ``☒`` (checked) and ``☐`` (unchecked);
* markup remnants of exports (``<u>``, ``**``), page markers ("– 2 –", "Seite 2 von 5"), skip
  links and widget labels of council web pages ("Reduzieren", "Loading...") removed.

The function is pure and idempotent: ``normalize(normalize(x)) == normalize(x)`` (a property test
checks this).
"""

from __future__ import annotations

import re
import unicodedata

# Checkbox glyphs as they come out of PDF text layers, Wingdings private-use code points and
# web pages. Which one means "checked" is font-specific; these are the usual readings.
_CHECKED = "☒☑⊠⌧✓✔✗✘🗷🗹\uf078\uf0fd\uf0fe"
_UNCHECKED = "☐□❏❐❑❒\uf06f\uf0a8\uf071\uf0a1🛚🖂"
_CHECKBOX_MAP = str.maketrans({**dict.fromkeys(_CHECKED, "☒"), **dict.fromkeys(_UNCHECKED, "☐")})

_SPACE_MAP = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",  # soft hyphen: only ever a hyphenation hint
        "\ufeff": "",
        "\f": "\n",
        "\v": "\n",
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
    }
)

_INLINE_TAGS = re.compile(r"</?(?:u|b|i|strong|em|span)>", re.IGNORECASE)
_BOLD_MARKS = re.compile(r"\*\*")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")
_TAB_RUN = re.compile(r" *\t[\t ]*")
_BLANK_LINES = re.compile(r"\n{3,}")

# A list bullet followed by a stray checkbox glyph ("- □ Ehrenamt") is a bullet.
_BULLET_BOX = re.compile(r"^([-•*–] )[☐☒] ", re.MULTILINE)

# Words broken at a line end: "Jugendhilfeaus-\nschuss" or, after the line break became a
# space, "Jugendhilfeaus- schuss". Coordinated compounds ("Kinder- und Jugendhilfe",
# "Sozial-, Bildungs- und ...") keep their hyphen, and so does a hyphen inside a line with no
# break after it: "medizinisch-pflegerisch" is a compound as printed, not a broken word.
_KEEP_AFTER_HYPHEN = (
    "und|oder|bzw|sowie|als|bis|noch|wie|u|o|an|auf|statt|zu|zum|zur|und/oder|beziehungsweise"
)
_HYPHEN_BREAK = re.compile(
    rf"(?<=[a-zäöüß])-(?: ?\n ?| )(?!(?:{_KEEP_AFTER_HYPHEN})\b)(?=[a-zäöüß])"
)
# A line broken after a hyphen before a capitalised word: "Karlsruhe-\nNordweststadt".
_HYPHEN_BREAK_UPPER = re.compile(r"(?<=[A-Za-zÄÖÜäöüß]{2})-\n(?=[A-ZÄÖÜ][a-zäöüß])")

_PAGE_MARKER = re.compile(
    r"^(?:[-–—] ?\d{1,3} ?[-–—]|--? ?\d{1,3} of \d{1,3} ?--?|"
    r"Seite \d{1,3}(?: (?:von|/) \d{1,3})?|\d{1,3} ?/ ?\d{1,3})$",
    re.IGNORECASE,
)
_WIDGET_LINE = re.compile(
    r"^(?:Reduzieren|Erweitern|Loading\.\.\.|Lade\.\.\.|Wird geladen\.\.\.|"
    r"Zur Navigation springen(?: Zum Inhalt springen)?|Zum Inhalt springen|"
    r"Zur Navigation|Zum Inhalt|Seitenanfang|Nach oben|Drucken)$",
    re.IGNORECASE,
)


#: A fix-up a profile applies after the generic normalisation: (pattern, replacement).
TextFix = tuple[re.Pattern[str], str]


def normalize(text: str, fixes: tuple[TextFix, ...] = ()) -> str:
    """Return the normalised form of ``text`` (see the module docstring).

    ``fixes`` are a council-system profile's own repairs (``ingest.systems``), applied after the
    line-level clean-up; they must keep the function idempotent.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate(_SPACE_MAP).translate(_CHECKBOX_MAP)
    text = _CONTROL.sub("", text)
    text = _INLINE_TAGS.sub("", text)
    text = _BOLD_MARKS.sub("\n", text)
    lines = [_clean_line(line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if not _is_furniture(line))
    text = _join_broken_words(text)
    text = _BULLET_BOX.sub(r"\1", text)
    for pattern, joined in fixes:
        text = pattern.sub(joined, text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")


def _clean_line(line: str) -> str:
    line = _TAB_RUN.sub("\t", line)
    line = _SPACES.sub(" ", line)
    return line.strip(" \t")


def _is_furniture(line: str) -> bool:
    return bool(_PAGE_MARKER.match(line) or _WIDGET_LINE.match(line))


def _join_broken_words(text: str) -> str:
    text = _HYPHEN_BREAK.sub("", text)
    return _HYPHEN_BREAK_UPPER.sub("-", text)
