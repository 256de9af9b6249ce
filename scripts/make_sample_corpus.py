"""Regenerate the bundled sample corpus ``data/sample`` from the development corpus.

Not run by CI or ``make``: a maintainer runs it after the selection rules or ``../shared``
change, then rebuilds the precomputed vectors (``python -m api.sample --write-vectors``) and
commits both. Usage::

    .venv/bin/python scripts/make_sample_corpus.py [--shared ../shared] [--out data/sample]

The selection is deterministic: the five seeds, every Karlsruhe paper that
``manifest-dev.csv`` marks ``integration``, and evenly spaced papers from the others (ordered
by date, then id) up to :data:`KARLSRUHE_PAPERS` Karlsruhe papers. Each paper is copied with
the layout the OParl source reads (``ingest/sources/oparl.py``)::

    karlsruhe-oparl/papers/<paperId>.json        the OParl Paper
    karlsruhe-oparl/file-contents/<fileId>.txt   the text of its Vorlage file
    karlsruhe-oparl/file-contents/<fileId>.json  that file's metadata (downloadUrl, modified)
    seeds/*.txt                                  the five seeds
    manifest.csv                                 the manifest rows of the chosen papers

``README.md`` and ``vectors.npz`` in ``--out`` are left alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
from pathlib import Path

KARLSRUHE_PAPERS = 295  # plus the 5 seeds: 300 documents
REPO = Path(__file__).resolve().parents[1]
MANIFEST_COLUMNS = ("doc_id", "reference", "date", "title", "integration", "chars")


def evenly_spaced(items: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """``count`` items spread evenly over ``items`` (all of them when there are fewer)."""
    if count >= len(items):
        return list(items)
    if count <= 0:
        return []
    return [items[(i * len(items)) // count] for i in range(count)]


def select(rows: list[dict[str, str]], total: int = KARLSRUHE_PAPERS) -> list[dict[str, str]]:
    """The Karlsruhe papers of the sample: the integration ones, then evenly spaced others."""
    karlsruhe = [r for r in rows if r["source"] == "karlsruhe-oparl" and not r["duplicate_of"]]
    order = sorted(karlsruhe, key=lambda r: (r["date"], r["doc_id"]))
    integration = [r for r in order if r["integration"] == "True"]
    others = [r for r in order if r["integration"] != "True"]
    chosen = integration + evenly_spaced(others, total - len(integration))
    return sorted(chosen, key=lambda r: (r["date"], r["doc_id"]))


def file_ids(paper: dict[str, object]) -> list[str]:
    """The ids of a Paper's files (mainFile, then auxiliaryFile), last URL segment only."""
    files: list[object] = []
    for field in ("mainFile", "auxiliaryFile"):
        value = paper.get(field)
        files.extend(value if isinstance(value, list) else [value] if value else [])
    ids = []
    for file in files:
        raw = file.get("id") if isinstance(file, dict) else file
        key = str(raw).rstrip("/").rsplit("/", 1)[-1]
        if re.fullmatch(r"[\w.\-]{1,100}", key):
            ids.append(key)
    return ids


def copy_paper(source: Path, target: Path, doc_id: str) -> None:
    """Copy one paper and the text file(s) of its Vorlage; fail loudly when there is none."""
    paper_id = doc_id.removeprefix("ka-")
    paper_path = source / "papers" / f"{paper_id}.json"
    paper = json.loads(paper_path.read_text(encoding="utf-8"))
    copied = 0
    for key in file_ids(paper):
        text = source / "file-contents" / f"{key}.txt"
        if not text.is_file():
            continue
        shutil.copy2(text, target / "file-contents" / text.name)
        meta = text.with_suffix(".json")
        if meta.is_file():
            shutil.copy2(meta, target / "file-contents" / meta.name)
        copied += 1
    if not copied:
        raise SystemExit(f"{paper_path}: no text file in file-contents/")
    shutil.copy2(paper_path, target / "papers" / paper_path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "sample")
    parser.add_argument("--count", type=int, default=KARLSRUHE_PAPERS)
    args = parser.parse_args(argv)
    corpus = args.shared / "corpus"
    with (corpus / "manifest-dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    chosen = select(rows, args.count)

    karlsruhe = args.out / "karlsruhe-oparl"
    seeds = args.out / "seeds"
    for directory in (karlsruhe, seeds):
        shutil.rmtree(directory, ignore_errors=True)
    (karlsruhe / "papers").mkdir(parents=True)
    (karlsruhe / "file-contents").mkdir(parents=True)
    seeds.mkdir(parents=True)

    for row in chosen:
        copy_paper(corpus / "karlsruhe-oparl", karlsruhe, row["doc_id"])
    for seed in sorted((args.shared / "seeds").glob("*.txt")):
        shutil.copy2(seed, seeds / seed.name)
    with (args.out / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(chosen)
    for path in (args.out / "manifest.csv", *karlsruhe.rglob("*"), *seeds.rglob("*")):
        if path.is_file():
            path.chmod(0o644)  # ../shared is read-only; the copies need not be

    integration = sum(r["integration"] == "True" for r in chosen)
    print(
        f"{len(chosen)} Karlsruhe papers ({integration} on integration) and "
        f"{len(list(seeds.glob('*.txt')))} seeds in {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
