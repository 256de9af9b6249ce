"""Build the default Word template ``templates/beschlussvorlage.docx`` (run once; the output is
committed). Usage: ``python -m assistant.export.build_template [OUT.docx]``.

The template uses docxtpl tags: ``{{ var }}`` for values, ``{%p ... %}`` for paragraph-level
``if``/``for`` (the tag's paragraph disappears), ``{%tr ... %}`` for table-row loops. Each tag
is written as one run, so Word's run splitting cannot break it. The variables are documented in
docs/export.md; a municipality's own template may use any of them.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

OUT = Path(__file__).with_name("templates") / "beschlussvorlage.docx"
FONT = "Arial"
RED = RGBColor(0xC0, 0x00, 0x00)


def build(out: Path = OUT) -> Path:
    doc = Document()
    for name, size in (("Normal", 11), ("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)

    def tag(text: str) -> None:
        doc.add_paragraph(text)

    # Prüfhinweise: only in a forced export of a draft with errors, at the very top.
    tag("{%p if pruefhinweise %}")
    doc.add_heading("Prüfhinweise", level=1)
    warn = doc.add_paragraph().add_run(
        "Dieser Entwurf hat die automatische Prüfung nicht bestanden und wurde trotzdem "
        "exportiert. Die folgenden Befunde sind vor jeder Verwendung zu klären:"
    )
    warn.bold = True
    warn.font.color.rgb = RED
    tag("{%p for h in pruefhinweise %}")
    doc.add_paragraph("{{ h.text }}", style="List Bullet")
    tag("{%p endfor %}")
    tag("{%p endif %}")

    # Kopf
    doc.add_paragraph("{{ kommune }}").runs[0].bold = True
    doc.add_paragraph("{{ art }}", style="Title")
    kopf = doc.add_table(rows=3, cols=2)
    kopf.style = "Table Grid"
    kopf.rows[0].cells[0].text = '{%tr for z in kopf if z.label != "Kommune" %}'
    kopf.rows[1].cells[0].text = "{{ z.label }}"
    kopf.rows[1].cells[0].paragraphs[0].runs[0].bold = True
    kopf.rows[1].cells[1].text = "{{ z.value }}"
    kopf.rows[2].cells[0].text = "{%tr endfor %}"
    note = doc.add_paragraph().add_run("{{ ki_hinweis }}")
    note.italic = True
    note.font.color.rgb = RED
    betreff = doc.add_paragraph()
    betreff.add_run("Betreff: ").bold = True
    betreff.add_run("{{ betreff }}").bold = True

    # Beratungsfolge
    doc.add_heading("Beratungsfolge", level=2)
    table = doc.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    for cell, head in zip(
        table.rows[0].cells, ("Gremium", "Rolle", "Sitzung", "Öffentlichkeit"), strict=True
    ):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for s in beratungsfolge %}"
    for cell, var in zip(
        table.rows[2].cells, ("gremium", "rolle", "datum", "oeffentlich"), strict=True
    ):
        cell.text = "{{ s." + var + " }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"

    # Texts
    for title, var in (
        ("Beschlussvorschlag", "beschlussvorschlag"),
        ("Sachdarstellung", "sachdarstellung"),
    ):
        doc.add_heading(title, level=2)
        doc.add_paragraph("{{ " + var + " }}")
    tag("{%p if begruendung %}")
    doc.add_heading("Begründung", level=2)
    doc.add_paragraph("{{ begruendung }}")
    tag("{%p endif %}")
    doc.add_heading("Finanzielle Auswirkungen", level=2)
    doc.add_paragraph("{{ finanzielle_auswirkungen or 'keine Angabe' }}")

    doc.add_heading("Anlagen", level=2)
    tag("{%p for a in anlagen %}")
    doc.add_paragraph("{{ loop.index }}. {{ a }}")
    tag("{%p endfor %}")
    tag("{%p if not anlagen %}")
    doc.add_paragraph("keine")
    tag("{%p endif %}")

    doc.add_heading("Quellen", level=2)
    doc.add_paragraph("Frühere Vorlagen, auf die der Entwurf mit [n] verweist:")
    tag("{%p for q in quellen %}")
    doc.add_paragraph("{{ q.text }}")
    tag("{%p endfor %}")
    tag("{%p if not quellen %}")
    doc.add_paragraph("keine")
    tag("{%p endif %}")

    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = "{{ ki_hinweis }}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.runs[0].font.size = Pt(8)

    props = doc.core_properties
    props.title = "Beschlussvorlage"
    props.author = "Vorlagen-Assistent"
    props.last_modified_by = "Vorlagen-Assistent"
    props.comments = ""
    fixed = datetime(2025, 1, 1)
    props.created = fixed
    props.modified = fixed
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"{path} ({path.stat().st_size} bytes)")
