"""Stadt Karlsruhe: Beschlussvorlagen of 2005-2026 as its OParl interface serves them.

The PDF forms (text extracted by the OParl mirror, ``../shared/corpus/karlsruhe-oparl``):

* the statement of facts starts at the first running page header "Ergänzende Erläuterungen
  Seite 2" (the heading on page 1 is a field of the finance form); later page headers are
  dropped, and sub-headings between two of them ("Vorbemerkung", "Ziele") are merged back;
  the form's version stamp ("Januar 2011") under the header is dropped;
* since 2019 the text often follows the form's last field ("Abstimmung mit städtischen
  Gesellschaften" / "Nein ☒" / "abgestimmt mit ...") without any heading: *implicit facts*;
* form fields (Masterplan/ISEK/IQ-relevant/Korridorthema/...) end a section;
* THE Beschlussvorschlag is the full operative text under "Beschluss:" at the end, not the
  "Beschlussantrag (Kurzfassung)" / "Kurzfassung" summary of page 1
  (``ingest.canonical.final_resolution``, a rule of every profile);
* the Beratungsfolge is a PDF table without cell separators, or one row without a header on
  the 2026 Ortschaftsrat form ("Ortschaftsrat Wolfartsweier 04.03.2026 TOP 1 Ö Beschluss");
* the PDF layout breaks "Finanzielle" / "Auswirkungen" and "CO" / "2" (a subscript) over lines.

Checked by ``bench/eval_parsing.py`` (1,023 papers) and ``tests/ingest/test_karlsruhe_corpus.py``.
"""

from __future__ import annotations

import re

from ingest.dates import MONTHS
from ingest.headings import CORE_HEADINGS, rule
from ingest.segment import SegmentRules
from ingest.systems.base import Detection, Profile

_FORM_RULES = (
    # Form fields between the finance form and the text; they end a section.
    rule(
        r"Karlsruhe Masterplan 2015[^\n]*|ISEK[- ]Karlsruhe[- ]2020[^\n]*|IQ-relevant[^\n]*|"
        r"Korridorthema[^\n]*|Bei Ja: Begründung[^\n]*|Formatänderungen der Wordvorlage[^\n]*|"
        r"Hauptamt: Stellungnahme[^\n]*|"
        r"Gedruckt auf 100 Prozent[^\n]*",
        None,
        inline=False,
    ),
    # The last field of the form (2005-2026). Since 2019 the statement of facts often follows
    # its answers without a heading of its own ("implicit facts", see ingest.segment).
    rule(
        r"Abstimmung mit städtischen Gesellschaften[^\n]*|Fassung: [^\n]*Intranet[^\n]*",
        None,
        inline=False,
        form_end=True,
    ),
    rule(r"-Relevanz: Auswirkung auf den Klimaschutz", "climate", 1, inline=False),
)

# A running page header repeats the heading of the text it continues: "Ergänzende
# Erläuterungen Seite 3", "Ergänzende Ausführungen Seite 2 von 2".
_RUNNING_HEADER = re.compile(
    r"^(?:Ergänzende ?(?:Erläuterungen|Ausführungen)|Erläuterungen|Begründung)\s*,?\s*"
    r"Seite ?\d{1,3}(?: von \d{1,3})?$"
)
# The finance form has a field "Ergänzende Erläuterungen:" (explanations of the figures);
# inside the form it is form text, not the heading of the statement of facts.
_FORM_FIELD_IN_FINANCE = re.compile(r"^Ergänzende Erläuterungen\s*:")
# The form's version stamp printed under the page header ("Januar 2011").
_VERSION_STAMP = re.compile(rf"^(?:{'|'.join(MONTHS)}) \d{{4}}$")
# Fields of the form and office furniture are never sub-headings of the text.
_NOT_SUBSECTION = re.compile(
    r"^(?:Anhörung Ortschaftsrat|Abstimmung mit städtischen|Karlsruhe Masterplan|ISEK|IQ-relevant|"
    r"Korridorthema|Bei Ja:|Formatänderungen|Hauptamt|Fassung:|Gedruckt auf|Verantwortlich|"
    r"gezeichnet|Unterschrift)",
    re.IGNORECASE,
)
# Words the PDF layout broke over lines: the form heading "Finanzielle" / "Auswirkungen", and
# CO with a subscript 2 ("CO" / "2" / "-Relevanz: Auswirkung auf den Klimaschutz").
_TEXT_FIXES = (
    (re.compile(r"^Finanzielle\n+Auswirkungen$", re.MULTILINE), "Finanzielle Auswirkungen"),
    (re.compile(r"\bCO\n+[2²]\n+-"), "CO2-"),
    (re.compile(r"\bCO\n+[2²]\n+"), "CO2 "),
)
_MARKERS = re.compile(
    r"Karlsruhe|Gedruckt auf\s*100\s*Prozent|Beratungsfolge\s*dieser\s*Vorlage|"
    r"Ergänzende\s*Erläuterungen|Abstimmung mit städtischen Gesellschaften"
)


def _detect(doc: Detection) -> bool:
    return bool(_MARKERS.search(doc.head))


PROFILE = Profile(
    name="karlsruhe",
    label="Stadt Karlsruhe (OParl, PDF-Formular 2005-2026)",
    detect=_detect,
    segment=SegmentRules(
        headings=CORE_HEADINGS + _FORM_RULES,
        running_header=_RUNNING_HEADER,
        finance_form_field=_FORM_FIELD_IN_FINANCE,
        version_stamp=_VERSION_STAMP,
        not_subsection=_NOT_SUBSECTION,
    ),
    text_fixes=_TEXT_FIXES,
    notes=__doc__ or "",
)
