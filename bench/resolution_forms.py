"""Which forms real resolutions take: the corpus study behind issue 9, step 1.

Parses every paper of a folder (default: the Karlsruhe OParl papers) and the five seeds, and
counts how each Beschlussvorschlag is built, per kind of Vorlage and per role of its first
operative clause:

* ``beschliesst``: "Der Gemeinderat beschließt …";
* ``stimmt-zu``: "… stimmt … zu";
* ``kenntnis``: "… nimmt … zur Kenntnis";
* ``beauftragt``: "Die Verwaltung wird beauftragt …" / "beauftragt die Verwaltung";
* ``empfiehlt``: "Der … empfiehlt dem …" (a Vorberatung);
* ``rahmen``: "… als verbindlichen Rahmen / als Grundlage …" (concepts);
* ``genehmigt``: "genehmigt", "billigt", "verabschiedet", "ermächtigt";
* ``stellt-fest``: "… stellt … fest" (e.g. the annual accounts);
* ``waehlt``: elections and appointments ("wählt", "bestellt", "benennt", "entsendet");
* ``nummeriert``: a resolution in numbered parts (two or more lines "1." / "2." or "a)");
* ``sonstiges``: none of these.

A resolution can have several forms (numbered parts that decide and commission). Prints the
counts and shares, the most frequent opening words (first four words), and the median length.

Usage: ``python bench/resolution_forms.py [--papers DIR] [--seeds DIR]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.parse import parse_path  # noqa: E402

FORMS: dict[str, re.Pattern[str]] = {
    "beschliesst": re.compile(r"\bbeschlie(?:ß|ss)t\b|\bbeschlie(?:ß|ss)en\b"),
    "stimmt-zu": re.compile(r"\bstimm(?:t|en)\b[^.]{0,200}\bzu\b"),
    "kenntnis": re.compile(r"\bzur Kenntnis\b"),
    "beauftragt": re.compile(r"\bbeauftragt\b"),
    "empfiehlt": re.compile(r"\bempfiehlt\b|\bempfehlen\b"),
    "rahmen": re.compile(r"\bals (?:verbindliche[nr]? )?(?:Rahmen|Grundlage|Leitlinie)"),
    "genehmigt": re.compile(r"\b(?:genehmigt|billigt|verabschiedet|ermächtigt)\b"),
    "stellt-fest": re.compile(r"\bstell(?:t|en)\b[^.]{0,200}\bfest\b"),
    "waehlt": re.compile(r"\b(?:wählt|bestellt|benennt|beruft|entsendet|ernennt)\b"),
}
NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-h]\))\s+", re.M)


def forms_of(text: str) -> set[str]:
    found = {name for name, pattern in FORMS.items() if pattern.search(text)}
    if len(NUMBERED.findall(text)) >= 2:
        found.add("nummeriert")
    return found or {"sonstiges"}


def opening(text: str) -> str:
    words = re.sub(r"^\s*(?:\d{1,2}[.)]|[a-h]\))\s+", "", text).split()[:4]
    return " ".join(words)


def study(paths: list[Path]) -> None:
    per_art: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    openings: Counter[str] = Counter()
    lengths: list[int] = []
    for path in paths:
        try:
            vorlage = parse_path(path)
        except Exception:  # unreadable documents are not part of the study
            continue
        text = (vorlage.beschlussvorschlag or "").strip()
        if not text:
            continue
        art = vorlage.art or "?"
        totals[art] += 1
        for form in forms_of(text):
            per_art[art][form] += 1
        openings[opening(text)] += 1
        lengths.append(len(text))
    n = sum(totals.values())
    print(f"resolutions: {n}, median length {statistics.median(lengths):.0f} characters")
    names = [*FORMS, "nummeriert", "sonstiges"]
    print(f"{'art':18} {'n':>5} " + " ".join(f"{name:>11}" for name in names))
    for art, count in totals.most_common():
        shares = " ".join(f"{per_art[art][name] / count:11.0%}" for name in names)
        print(f"{art[:18]:18} {count:5} {shares}")
    print("most frequent openings:")
    for text, count in openings.most_common(15):
        print(f"  {count:4}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    shared = REPO.parent / "shared"
    parser.add_argument("--papers", type=Path, default=shared / "corpus/karlsruhe-oparl/papers")
    parser.add_argument("--seeds", type=Path, default=shared / "seeds")
    args = parser.parse_args()
    print(f"== {args.papers}")
    study(sorted(args.papers.glob("*.json")))
    print(f"== {args.seeds}")
    study(sorted(args.seeds.glob("*.txt")))


if __name__ == "__main__":
    main()
