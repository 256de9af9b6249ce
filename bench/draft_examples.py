"""Example drafts of ``vorlagen eval drafts`` as Markdown, chosen by a fixed rule.

Reads the JSON lines files that ``vorlagen eval drafts -o FILE`` writes (one finished draft a
line: ``{"paper", "vorlagen_nr", "system", "draft"}``), one file after the other, and prints
``--n`` drafts of one system (default the Vorlagen-Assistent) chosen by
``assistant.eval.examples.choose_examples``: the system's drafts in run order at evenly spaced
positions, whether they pass or not. For each: the paper id and Vorlagen-Nr., the Betreff,
whether it passed and the rule ids of its findings, the fact coverage, the Beschlussvorschlag
and the Sachdarstellung, and a line "Kommentar: " for a human's comment.

Usage::

    .venv/bin/python bench/draft_examples.py drafts.jsonl [seeds.jsonl] [--n 10] [--system NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.eval.examples import choose_examples, examples_markdown  # noqa: E402
from assistant.eval.runs import ASSISTANT  # noqa: E402


def read_lines(paths: list[Path]) -> list[dict[str, Any]]:
    """The JSON lines of ``paths`` in order (blank lines skipped)."""
    lines: list[dict[str, Any]] = []
    for path in paths:
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                lines.append(json.loads(text))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", type=Path, nargs="+", metavar="DATEI")
    parser.add_argument("--n", type=int, default=10, metavar="N")
    parser.add_argument("--system", default=ASSISTANT, metavar="NAME")
    args = parser.parse_args(argv)
    missing = [path for path in args.files if not path.is_file()]
    if missing:
        print(f"Die Datei {missing[0]} wurde nicht gefunden.", file=sys.stderr)
        return 1
    if args.n < 1:
        print("Die Zahl der Beispiele (--n) muss mindestens 1 sein.", file=sys.stderr)
        return 2
    examples = choose_examples(read_lines(args.files), args.n, system=args.system)
    if not examples:
        print(f"In den Dateien steht kein Entwurf von {args.system}.", file=sys.stderr)
        return 1
    sys.stdout.write(examples_markdown(examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
