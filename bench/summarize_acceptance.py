"""Issue 13's acceptance run of ``vorlagen summarize`` with the bundled model, as a user runs it.

Three runs of the real command over the same N development papers (default: the first 20
Karlsruhe OParl papers, as ``bench/summarize_speed.py`` takes them), into one ``--out``
directory:

1. **killed half-way**: started, and sent ``SIGKILL`` (like ``kill -9``, nothing can clean up)
   as soon as ``summaries.jsonl`` holds ``--kill-after`` records; then checked that the model
   worker process it had started is gone within a few seconds (no orphan keeps the model in
   memory);
2. **resumed**: run again to the end;
3. **again**: run once more, which must make 0 model calls.

Checked and printed: records and distinct documents after each run (no duplicates), each
record's status (``ok``, or ``befunde`` with its findings, never silently wrong), and for every
``ok`` record the grounding check run afresh against the parsed paper (no number, date or
amount that the paper does not contain). Per record: seconds, model calls, parts read.

The command's own figures (documents per minute, the last line with its model calls) are
taken from its output. Exit code 1 if an acceptance condition fails.

Usage: ``python bench/summarize_acceptance.py [--papers 20] [--kill-after 10] [--out DIR]``;
``--recheck --out DIR`` prints the table of a finished run again, with the statuses the current
code would give the same model answers (after a change of the code that follows the model).
Takes about 2 minutes per paper on 2 quiet cores.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.summarize import settle, tidy_answer  # noqa: E402
from assistant.summary_checks import summary_findings  # noqa: E402
from assistant.summary_schema import SummaryOut, SummaryRecord  # noqa: E402
from ingest.parse import ParseOptions, parse_path  # noqa: E402

KARLSRUHE = REPO.parent / "shared" / "corpus" / "karlsruhe-oparl" / "papers"
VORLAGEN = REPO / ".venv" / "bin" / "vorlagen"
# What the model writes (the deciding body comes from the parsed record, not the model).
MODEL_FIELDS = set(SummaryOut.model_fields) - {"entscheidendes_gremium"}
_CALLS = re.compile(r"(\d+) Modellaufrufe?\b")


@dataclass
class RunResult:
    """One run of the command."""

    seconds: float
    returncode: int
    model_calls: int | None
    last_line: str


def read_records(out: Path) -> list[SummaryRecord]:
    path = out / "summaries.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(SummaryRecord.model_validate_json(line))
        except ValueError:
            continue  # a torn last line after the kill
    return records


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command(papers: list[Path], out: Path) -> list[str]:
    return [str(VORLAGEN), "summarize", *map(str, papers), "--out", str(out)]


def run_to_end(papers: list[Path], out: Path, env: dict[str, str]) -> RunResult:
    start = time.perf_counter()
    done = subprocess.run(command(papers, out), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() + done.stderr.splitlines() if line]
    fallback = lines[-1] if lines else ""
    text = next((line for line in reversed(lines) if "Modellaufruf" in line), fallback)
    match = _CALLS.search(text)
    if "Traceback" in done.stderr:
        print(done.stderr[-3000:], file=sys.stderr)
    return RunResult(seconds, done.returncode, int(match.group(1)) if match else None, text)


def run_and_kill(
    papers: list[Path], out: Path, env: dict[str, str], after: int
) -> tuple[float, int, bool]:
    """Start the command, SIGKILL it once ``after`` records are written; returns the seconds,
    the records at the kill and whether its worker processes were gone 10 s later."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command(papers, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: set[int] = set()
    while proc.poll() is None and len(read_records(out)) < after:
        workers.update(children(proc.pid))
        time.sleep(1)
    if proc.poll() is not None:
        raise SystemExit(f"the command ended by itself (exit {proc.returncode}) before the kill")
    workers.update(children(proc.pid))
    at_kill = len(read_records(out))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    seconds = time.perf_counter() - start
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    return seconds, at_kill, not any(alive(w) for w in workers)


def answer_of(record: SummaryRecord) -> SummaryOut:
    """What the model wrote, as the record keeps it (its deciding body only where the record
    took it from the model; else the record's own, so there is none to check)."""
    body = record.entscheidungsgremium if record.entscheidungsgremium_quelle == "modell" else ""
    return SummaryOut.model_validate(
        record.model_dump(include=MODEL_FIELDS) | {"entscheidendes_gremium": body or ""}
    )


def ungrounded(record: SummaryRecord, paper: Path) -> list[str]:
    """The grounding errors the checks find in an ``ok`` record now."""
    vorlage = parse_path(paper, ParseOptions())
    out = answer_of(record)
    return [
        f.message
        for f in summary_findings(out, vorlage)
        if f.severity == "error" and f.rule == "grounded"
    ]


def report(records: list[SummaryRecord], papers: list[Path]) -> list[str]:
    """Print one line per record; returns the acceptance failures."""
    failures = []
    by_source = {Path(p).resolve().as_posix(): p for p in papers}
    print("| paper | status | coverage | parts read | model calls | seconds | findings |")
    print("|---|---|---|---|---|---|---|")
    for r in sorted(records, key=lambda r: r.source):
        read = sum(p.read for p in r.parts)
        rules = ", ".join(sorted({f.rule for f in r.findings if f.severity == "error"})) or "–"
        name = Path(r.source).name
        print(
            f"| {name} | {r.status} | {r.coverage} | {read}/{len(r.parts)} | {r.model_calls} "
            f"| {r.seconds:.0f} | {rules} |"
        )
        if r.status == "ok":
            paper = by_source.get(Path(r.source).resolve().as_posix(), Path(r.source))
            if bad := ungrounded(r, paper):
                failures.append(f"{name}: ok but ungrounded: {bad}")
        elif r.status == "befunde" and not any(f.severity == "error" for f in r.findings):
            failures.append(f"{name}: befunde without an error finding")
        elif r.status not in ("ok", "befunde"):
            failures.append(f"{name}: {r.status} ({r.reason})")
    return failures


def recheck(records: list[SummaryRecord], papers: list[Path]) -> Counter[str]:
    """The statuses the current code would give the same model answers: each record's answer
    tidied, checked and, with errors left, settled (``assistant.summarize``). Exact for the
    code after the model; a repair round the tidied answer would not have needed still counts
    in the calls."""
    by_source = {Path(p).resolve().as_posix(): p for p in papers}
    statuses: Counter[str] = Counter()
    for r in records:
        if r.status not in ("ok", "befunde"):
            statuses[r.status] += 1
            continue
        paper = by_source.get(Path(r.source).resolve().as_posix(), Path(r.source))
        vorlage = parse_path(paper, ParseOptions())
        out = tidy_answer(answer_of(r))
        findings = summary_findings(out, vorlage)
        if any(f.severity == "error" for f in findings):
            out, findings = settle(out, findings, vorlage)
        statuses["befunde" if any(f.severity == "error" for f in findings) else "ok"] += 1
    return statuses


def duplicates(records: list[SummaryRecord]) -> int:
    return sum(n - 1 for n in Counter(r.source for r in records).values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--kill-after", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="no runs: the table of the records in --out and the statuses the current code "
        "would give their answers",
    )
    args = parser.parse_args()
    papers = sorted(KARLSRUHE.glob("*.json"))[: args.papers]
    if args.recheck:
        failures = report(read_records(args.out), papers)
        print(f"with the current code: {dict(recheck(read_records(args.out), papers))}")
        return 1 if failures else 0
    out = args.out or Path(tempfile.mkdtemp(prefix="summaries-acceptance-"))
    env = {**os.environ, "VORLAGEN_LLM__BACKEND": "bundled"}
    print(f"{len(papers)} papers, out {out}, kill after {args.kill_after} records")

    seconds, at_kill, workers_gone = run_and_kill(papers, out, env, args.kill_after)
    after_kill = read_records(out)
    print(
        f"run 1 killed after {seconds:.0f} s with {at_kill} records; lines readable after the "
        f"kill: {len(after_kill)}; model worker gone within 10 s: {workers_gone}"
    )
    second = run_to_end(papers, out, env)
    resumed = read_records(out)
    print(
        f"run 2 (resumed): {second.seconds:.0f} s, exit {second.returncode}, "
        f"{len(resumed)} records, {len({r.source for r in resumed})} documents, "
        f"duplicates {duplicates(resumed)}; {second.last_line}"
    )
    third = run_to_end(papers, out, env)
    final = read_records(out)
    print(
        f"run 3 (again): {third.seconds:.0f} s, exit {third.returncode}, model calls "
        f"{third.model_calls}, {len(final)} records; {third.last_line}"
    )
    failures = report(final, papers)
    statuses = Counter(r.status for r in final)
    calls = sum(r.model_calls for r in final)
    busy = sum(r.seconds for r in final)
    print(
        f"statuses {dict(statuses)}; {calls} model calls over the records, {busy:.0f} s "
        f"summarising ({busy / max(len(final), 1):.0f} s per paper)"
    )
    if len(final) != len(papers) or duplicates(final):
        failures.append(f"{len(final)} records for {len(papers)} papers")
    if third.model_calls != 0:
        failures.append(f"the third run made {third.model_calls} model calls")
    if not workers_gone:
        failures.append("the model worker outlived the killed command")
    for failure in failures:
        print(f"FAILED: {failure}")
    print("acceptance: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
