"""The Beratungsfolge (consultation sequence) of a Vorlage: find the block, parse its steps.

``extract_beratungsfolge(text)`` takes the whole *normalised* text (``ingest.normalize``: lines
joined by "\\n", table cells by "\\t", whitespace collapsed, line-end hyphenation repaired) and
returns the steps in document order plus the character span of the block, or ``([], None)``.

Layouts understood (all seen in real exports):

* **TAB table with a header row** (Session PDF exports, Leverkusen, Lampertheim)::

      Beratungsfolge<TAB>Zuständigkeit<TAB>Termine
      Sozialausschuss<TAB>Vorberatung<TAB>05.12.2023

  Columns are mapped by their header (Datum/Termin/Sitzung am -> date, Zuständigkeit ->
  rolle, Behandlung/Öffentlichkeitsstatus -> öffentlich, Ergebnis -> result); a cell's own
  content decides where the header does not (a date is a date).
* **SessionNet line form**: "Beratungsfolge:" then, per body, "<Gremium> <Rolle>" followed by
  one or more "<date>" + "<meeting title> [result]" pairs (a body with two meetings gives two
  steps).
* **PDF tables without cell separators** (Karlsruhe 2005-2026): a header such as
  "Beratungsfolge dieser Vorlage" + "Gremium Termin TOP ö nö Ergebnis",
  "Gremien Termin TOP Ö / N Zuständigkeit", "Beratungsfolge Sitzung am TOP ö nö Ergebnis",
  "Beratungsfolge Termin Öffentlichkeitsstatus Zuständigkeit" (also with the spaces lost:
  "GremiumTerminTOPönöErgebnis"), then rows "<Gremium> <date> [TOP] [X] [Ö|N] [Rolle|Ergebnis]"
  whose parts may wrap onto several lines. A row is anchored at its date: text before the date
  (and unfinished lines above it) is the body, text after it (and result lines below it) is
  TOP, marks and result.
* **Header lines** naming the meeting the Vorlage is printed for: the labelled form
  "Gremium:" / "Termin:" / "TOP:" (values may follow the labels in a separate column) and
  "20. Sitzung des Gemeinderates am 24.01.2006 TOP 6". Such a step is merged into the table
  (same date: only missing facts are filled in) or inserted in date order.

Rules:

* ``rolle`` comes only from what the document states in a role position (a Zuständigkeit
  column, the role word of the SessionNet form): Entscheidung, Vorberatung, Beratung,
  Kenntnisnahme, Anhörung and their obvious synonyms ("Beschlussfassung" -> Entscheidung,
  "vorberatend" -> Vorberatung). A result such as "vorberaten" or "Kenntnisnahme" in an
  *Ergebnis* column stays the ``ergebnis``; no role is ever guessed.
* ``oeffentlich`` comes from an explicit Ö/N, öffentlich/nichtöffentlich cell. A bare "X" under
  "ö nö" cannot be placed in a column once the PDF layout is gone, so it stays ``None``.
* ``datum`` is the first day of the meeting (multi-day sessions "22./23.10.2013").
* The span covers the block's header line to its last row line; it is ``None`` when the steps
  come only from header lines (there is no block to keep out of other sections).

Modules: ``extract`` (finding the block, ``extract_beratungsfolge``), one per layout (``tab``,
``line_form``, ``pdf_table`` with the lone row, ``header_lines``, ``flat``), and what they
share: ``lines`` (lines with offsets, the block), ``dates``, ``words`` (the vocabulary and the
column titles) and ``rows`` (rows under construction, their tails, their steps).
"""

from ingest.beratungsfolge.extract import LAYOUTS, TableReader, extract_beratungsfolge
from ingest.beratungsfolge.lines import Span

__all__ = ["LAYOUTS", "Span", "TableReader", "extract_beratungsfolge"]
