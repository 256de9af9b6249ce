"""The larger headings dictionary of the generic fallback, built from real documents.

The core dictionary (``ingest.headings.CORE_HEADINGS``) holds what the development corpora
print. These aliases come from Vorlagen of further systems and municipalities read while
building the fallback: SD.NET/ratsinfomanagement forms (Nordstemmen: "Problembeschreibung/
Begründung"), SIM/Lotus-Domino pages ("Antrag," / "Begründung des Antrages"), ALLRIS 4
("Beschlussempfehlung der Verwaltung", "Begründung:"), more!rubin and regisafe exports
("Beschlussvorschlag der Verwaltung", "Sach- und Rechtslage", "Haushaltsmäßige
Auswirkungen"), SessionNet PDFs ("Sachverhalt und Begründung", "Finanzierung"), and the
Mitteilungen and Kenntnisgaben of all of them ("Mitteilung", "Information", "Bericht der
Verwaltung"). They come after the core rules, so they never change what a core rule matches.
"""

from __future__ import annotations

from ingest.headings import HeadingRule, rule

ALIAS_HEADINGS: tuple[HeadingRule, ...] = (
    # facts, most specific first
    rule(
        r"Problembeschreibung\s*(?:/|und|,)\s*Begründung|Problemstellung\s*(?:/|und)\s*Begründung|"
        r"Sach-\s*und\s*Rechtslage|Sachverhaltsdarstellung|Darstellung der Sach(?:lage|- und "
        r"Rechtslage)|Sachlage|Sachverhalt\s*/\s*Erläuterungen?|Erläuterungen?\s*(?:/|und)\s*"
        r"Begründung|Begründung\s*/\s*Erläuterungen?|Ausgangslage|Ausgangssituation|"
        r"Anlass\s*(?:und|/)\s*(?:Ziele?|Zweck|Hintergrund)|Problemstellung|"
        r"Sachstandsbericht|Bericht der Verwaltung|Stellungnahme der Verwaltung|"
        r"Inhalt der Mitteilung|Mitteilung der Verwaltung",
        "facts",
        3,
    ),
    # single words: only as a line of their own ("Kosten: 10.300 €" is text)
    rule(r"Anlass|Hintergrund|Erläuterung", "facts", 2, inline=False),
    rule(
        r"Begründung\s*(?:des|der|zum|zur|zu)\s*(?:Antrag(?:e?s)?|Anfrage|Beschlussvorschlag(?:e?s)?|"
        r"Vorlage|Beschlussempfehlung)|Kurzbegründung|Begründung:?\s*/\s*Sachverhalt",
        "reasons",
        2,
    ),
    # resolution
    rule(
        r"Beschlussvorschlag(?:\s*/\s*Empfehlung)?(?:\s*(?:des|der)\s*[\wäöüß]+)?|"
        r"Beschlussempfehlung(?:\s*(?:des|der)\s*[\wäöüß]+)?|Beschlusstext|Beschlussformulierung|"
        r"Entscheidungsvorschlag|Verwaltungsvorschlag|Vorschlag zur Beschlussfassung|"
        r"Vorgeschlagener Beschluss|Antrag der Verwaltung|Antragstext|Empfehlung des "
        r"[\wäöüß]+|Beschlussantrag der Verwaltung|Entwurf des Beschlusses",
        "resolution",
        2,
    ),
    rule(r"Antrag", "resolution", 1, inline=False),
    # finance
    rule(
        r"Haushaltsmäßige Auswirkungen|Haushaltsauswirkungen|Finanzielle und personelle "
        r"Auswirkungen|Auswirkungen auf den (?:Ergebnis|Finanz)haushalt|Deckungsvorschlag|"
        r"Finanzierungsvorschlag|Finanzielle Auswirkungen/Folgekosten",
        "finance",
        1,
    ),
    rule(r"Finanzierung|Kosten|Folgekosten|Haushaltsmittel", "finance", 1, inline=False),
    # climate
    rule(
        r"Auswirkungen auf (?:das Klima|Klima und Umwelt)|Klimarelevanz|Klimawirkung|"
        r"Klimafolgenabschätzung",
        "climate",
        1,
    ),
    rule(r"Klimaschutz|Nachhaltigkeit", "climate", 1, inline=False),
    rule(r"Ergebnis der Klimawirkungsprüfung|Klimawirkungsprüfung", "climate", 1),
    rule(r"Anhang|Anhänge|Beilagen?|Anlagen\s*:?\s*\d*", "attachments", 1),
    # closers: parts that only end the section before them
    rule(
        r"Beratungsergebnis(?:se)?|Abstimmungsergebnis(?:se)?|Beteiligung(?:en)?(?: [\wäöüß]+)?|"
        r"Personalrat|Gleichstellung(?:sbeauftragte)?|Demografische Auswirkungen|"
        r"Auswirkungen auf (?:die )?(?:Gleichstellung|Menschen mit Behinderung|Familien)|"
        r"Rechtliche Grundlagen?|Bisherige Beschlüsse|Sichtvermerke?|Der Bürgermeister|"
        r"Die Bürgermeisterin|Der Oberbürgermeister|Die Oberbürgermeisterin|Der Landrat|"
        r"Die Landrätin|In Vertretung|Im Auftrag|Berücksichtigung von Gender-Aspekten|"
        r"Gender-Aspekte|Auswirkungen auf die Gleichstellung",
        None,
    ),
    # "Hannover / 14.04.2026": place and date of signing end the text (SIM)
    rule(r"[A-ZÄÖÜ][\wäöüß\- .]{1,40} / \d{1,2}\.\d{1,2}\.\d{4}", None, inline=False),
    rule(
        r"Zuständigkeit|Zeitplan|Termine|Rechtslage|Vorgeschichte|Bezug|Verteiler|Mitwirkung",
        None,
        inline=False,
    ),
)
