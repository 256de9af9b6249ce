"""Rule ``formularreste``: no debris of forms, Markdown, JSON or templates in a generated
section.

Drafts of real papers passed validation with the check boxes of the Karlsruhe finance form
in them: the resolution carried the form line "☐ Der Gemeinderat beschließt die Maßnahme im
gesamtstädtischen Interesse und stimmt einer Etatisierung in den Folgejahren zu.", the
Sachdarstellung the lines "☐ Durch Wegfall bestehender Aufgaben", and another Sachdarstellung
opened with the prompt's label "Finanzielle Auswirkungen laut Sachbearbeitung: …" (the
example 1 of docs/drafting.md ends with it). Bold Markdown headings and bullets turned a
statement of facts into a slide. Reported, in the sections the model writes (Beschlussvorschlag,
Sachdarstellung, Begründung; the Finanzielle Auswirkungen are the clerk's own form), one
finding per line:

* **check boxes**: "☐ ☑ ☒ □ ■ ✓ ✔ ✗ …", "[x]", "[ja]", "( )" ("[ ]" is a ``placeholders``
  finding);
* **form labels** (:data:`FORM_LABELS`, mined from the finance and cover forms of the
  Karlsruhe papers and the seeds) followed by a colon ("Gesamtkosten:", "Jährlicher Ertrag:",
  "Kontierungsobjekt:", "Finanzielle Auswirkungen laut Sachbearbeitung:"), and the option
  lines of the Karlsruhe finance form without their box ("Wegfall bestehender Aufgaben",
  "teilweise budgetiert", "Wählen Sie ein Element aus.");
* **Markdown**: bold ``**…**``/``__…__``, headings ``# …``, code fences, "* " bullets,
  tables, links. Lists with "- " or "1." are ordinary in Vorlagen and stay allowed. (The
  ``style`` rule warns about Markdown only in the texts the model does not write, so nothing
  is reported twice.)
* **JSON**: ``{"text":``, ``"}``, escaped ``\\"`` or ``\\n``, a line with a lone brace;
* **template debris**: the prompt's fences ``<<<``/``>>>`` and fence words "QUELLE [",
  "ENTWURF", "ZITAT", "ENDE". (``{{``, ``}}`` and ``{%`` are reported by ``placeholders``, in
  every text; not twice.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, generated_texts

CHECKBOX = re.compile(r"[☐☑☒□■▢▣◻◼⬜⬛✓✔✗✘☓🗌🗹🗷]|\[(?:x|X|ja|nein)\]|\(\s?\)(?=\s*[A-ZÄÖÜ])")
# Labels of finance and cover forms (Karlsruhe papers, seeds) and of the prompt's case.
FORM_LABELS: tuple[str, ...] = (
    r"Finanzielle Auswirkungen(?: laut Sachbearbeitung)?",
    r"Gesamtkosten(?: der Maßnahme)?",
    r"Gesamtaufwand(?: der Maßnahme)?",
    r"Gesamteinzahlung(?:en)?",
    r"Jährliche/r Budgetbedarf(?:/Folgekosten)?",
    r"Jährliche[rn]? (?:Budgetbedarf|Folgekosten|Ertrag|Aufwand|Erträge)",
    r"Jährliche laufende Belastung",
    r"Einzahlungen/Erträge",
    r"(?:Gegen)?[Ff]inanzierung(?: durch)?",
    r"Finanzierung durch städtischen Haushalt",
    r"Haushaltsstelle",
    r"Haushaltsmittel",
    r"Höhe der gesamten finanziellen Auswirkungen",
    r"Produkt(?:gruppe|bereich)?",
    r"Kostenstelle",
    r"Kostenträger",
    r"Kontierungsobjekt",
    r"Kontenart",
    r"PSP-Element",
    r"Sachkonto",
    r"Finanzposition",
    r"Buchungsstelle",
    r"Ergänzende Erläuterungen",
    r"Folgekosten",
    r"Kalk(?:\.|ulatorische) Kosten",
    r"Investive Einzahlungen",
    r"Korridorthema",
    r"Vorlage(?:n)?[- ]Nr\.",
    r"Fakten der Sachbearbeitung(?: \(verbindlich\))?",
    r"Entscheidendes Gremium",
)
RE_FORM_LABEL = re.compile(r"(?<![\w/-])(?:" + "|".join(FORM_LABELS) + r")[ \t]*:")
# The option lines of the Karlsruhe finance form, written without their check box.
RE_FORM_OPTION = re.compile(
    r"^[ \t]*(?:(?:Durch )?Wegfall bestehender Aufgaben|Mehrerträge/-einzahlung"
    r"|Umschichtung(?:en)? innerhalb des Dezernat|(?:bereits )?(?:vollständig |teilweise |nicht )"
    r"budgetiert|Konsumtive Maßnahme|Investition[ \t]*$|Ja[ \t]+Nein[ \t]*$)"
    r"|Die Gegenfinanzierung ist im\s+Erläuterungsteil dargestellt"
    r"|Wählen Sie ein Element aus"
    r"|im gesamtstädtischen Interesse und stimmt einer Etatisierung",
    re.M,
)
MARKDOWN = re.compile(
    r"\*\*|(?<!\w)__(?=[^\W_])|```|^[ \t]*#{1,6}[ \t]|^[ \t]*\*[ \t]+(?=\S)|^[ \t]*\|.*\|[ \t]*$"
    r"|\[[^\]\n]+\]\((?:https?://|www\.)[^)\s]+\)",
    re.M,
)
JSON_DEBRIS = re.compile(r"\{\s*\"\w+\"\s*:|[\"“”]\s*\}|\\[\"nt]|^[ \t]*[{}][ \t]*$", re.M)
TEMPLATE_DEBRIS = re.compile(r"<<<|>>>|\bQUELLE\s*\[|\b(?:ENTWURF|ZITAT|ENDE)\b")

_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (CHECKBOX, "box"),
    (RE_FORM_LABEL, "label"),
    (RE_FORM_OPTION, "option"),
    (MARKDOWN, "markdown"),
    (JSON_DEBRIS, "json"),
    (TEMPLATE_DEBRIS, "template"),
)


def _message(kind: str, token: str) -> str:
    if kind == "box":
        return (
            f"Der Text enthält das Ankreuzfeld „{token}“ eines Formulars. Bitte die Angabe als "
            "Satz formulieren und die Formularzeile streichen."
        )
    if kind in ("label", "option"):
        return (
            f"„{token}“ stammt aus einem Formular, nicht aus dem Text einer Vorlage. Bitte "
            "streichen; Kosten und Finanzierung stehen im Abschnitt „Finanzielle Auswirkungen“."
        )
    if kind == "markdown":
        return (
            f"Der Text enthält die Markdown-Formatierung „{token}“. Bitte als schlichten "
            "Fließtext ohne Hervorhebungen, Überschriften und Sternchen-Aufzählungen schreiben."
        )
    if kind == "json":
        return (
            f"Der Text enthält Reste der JSON-Antwort („{token}“). Bitte nur den Text selbst "
            "schreiben."
        )
    return f"Der Text enthält Reste der Eingabevorlage („{token}“). Bitte streichen."


def debris(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """(kind, match) for the first piece of debris on each line of ``text``."""
    offset = 0
    for line in text.splitlines(keepends=True):
        hits = [
            (match.start(), kind, match)
            for pattern, kind in _KINDS
            if (match := pattern.search(text, offset, offset + len(line.rstrip("\n"))))
        ]
        if hits:
            _, kind, match = min(hits, key=lambda hit: hit[0])
            yield kind, match
        offset += len(line)


def check_formularreste(draft: Draft) -> Iterator[Finding]:
    """No check boxes, form labels, Markdown, JSON or template debris in generated sections."""
    for name, text in generated_texts(draft):
        for kind, match in debris(text):
            token = match.group().strip() or match.group()
            yield finding(
                "formularreste",
                _message(kind, token),
                field_name=name,
                span=match.span(),
                token=token,
            )
