"""The real ``vorlagen`` command in a subprocess: output, exit codes, German error sentences."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter

from assistant.schema import Vorlage

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "vorlagen"
GERMAN = re.compile(r"\b(der|die|das|ist|nicht|keine?|wird|wurde|kann|hat|Datei)\b", re.IGNORECASE)


def command() -> list[str]:
    """The installed console script when there is one, else ``python -m api.cli``."""
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "api.cli"]


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VORLAGEN_")}
    clean.update({"PYTHONPATH": str(REPO), "COLUMNS": "200", "HOME": str(cwd), "LC_ALL": "C.UTF-8"})
    clean.update(env or {})
    return subprocess.run(
        [*command(), *map(str, args)],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def assert_one_german_sentence_per_failure(stderr: str, failures: int) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == failures, stderr
    for line in lines:
        assert GERMAN.search(line), line
        assert line.rstrip().endswith((".", "!")), line
        assert "internen Fehlers" not in line, line


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> list[Path]:
    found = sorted(seeds_dir.glob("*.txt"))
    assert len(found) >= 2
    return found


def test_json_of_one_seed_is_a_vorlage(seeds: list[Path], tmp_path: Path) -> None:
    result = run("parse", "--json", seeds[0], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    vorlage = Vorlage.model_validate_json(lines[0])
    assert vorlage.text
    assert result.stderr == ""


def test_summary_of_one_seed_mentions_the_betreff(seeds: list[Path], tmp_path: Path) -> None:
    parsed = run("parse", "--json", seeds[0], cwd=tmp_path)
    betreff = Vorlage.model_validate_json(parsed.stdout).betreff
    assert betreff, "the first seed should have a Betreff"
    result = run("parse", seeds[0], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert " ".join(betreff.split()) in " ".join(result.stdout.split())
    for label in ("Vorlagen-Nr.", "Beratungsfolge", "Beschlussvorschlag", "Sachdarstellung"):
        assert label in result.stdout


def test_several_seeds_give_one_json_line_each(seeds: list[Path], tmp_path: Path) -> None:
    result = run("parse", "--json", *seeds, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(seeds)
    paths = [Vorlage.model_validate_json(line).source.path for line in lines]
    assert [Path(p).name for p in paths] == [s.name for s in seeds]


def test_several_seeds_give_an_overview_table(seeds: list[Path], tmp_path: Path) -> None:
    result = run("parse", *seeds, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(seeds)} Vorlagen" in result.stdout
    for seed in seeds:
        assert seed.name in result.stdout


def test_oparl_paper(karlsruhe_dir: Path, tmp_path: Path) -> None:
    paper = sorted((karlsruhe_dir / "papers").glob("*.json"))[0]
    result = run("parse", "--json", paper, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    vorlage = Vorlage.model_validate_json(result.stdout)
    assert vorlage.source.system == "oparl"
    assert vorlage.kommune


def test_good_files_are_printed_when_another_fails(seeds: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "fehlt.txt"
    result = run("parse", "--json", seeds[0], missing, seeds[1], cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 2
    assert_one_german_sentence_per_failure(result.stderr, 1)
    assert "fehlt.txt" in result.stderr


def _encrypted_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="geheim", owner_password="geheimer")
    with path.open("wb") as out:
        writer.write(out)


BAD_INPUTS = {
    "missing": lambda p: None,
    "empty": lambda p: p.write_bytes(b""),
    "binary-garbage": lambda p: p.write_bytes(bytes(range(256)) * 64),
    "random-pdf": lambda p: p.write_bytes(os.urandom(4096)),
    "encrypted-pdf": _encrypted_pdf,
    "unknown-format": lambda p: p.write_text("Betreff: Test\n", encoding="utf-8"),
}
SUFFIXES = {
    "missing": ".txt",
    "empty": ".txt",
    "binary-garbage": ".txt",
    "random-pdf": ".pdf",
    "encrypted-pdf": ".pdf",
    "unknown-format": ".xyz",
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
@pytest.mark.parametrize("as_json", [False, True], ids=["summary", "json"])
def test_bad_input_is_one_german_sentence(kind: str, as_json: bool, tmp_path: Path) -> None:
    path = tmp_path / f"vorlage-{kind}{SUFFIXES[kind]}"
    BAD_INPUTS[kind](path)
    result = run("parse", *(["--json"] if as_json else []), path, cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert_one_german_sentence_per_failure(result.stderr, 1)
    assert path.name in result.stderr


def test_directory_is_refused(tmp_path: Path) -> None:
    result = run("parse", tmp_path, cwd=tmp_path)
    assert result.returncode == 1
    assert_one_german_sentence_per_failure(result.stderr, 1)


def test_file_larger_than_the_configured_limit(seeds: list[Path], tmp_path: Path) -> None:
    big = tmp_path / "gross.txt"
    text = seeds[0].read_text(encoding="utf-8")
    big.write_text(text * (1024 * 1024 // len(text) + 1), encoding="utf-8")
    result = run("parse", big, cwd=tmp_path, env={"VORLAGEN_INGEST__MAX_FILE_MB": "1"})
    assert result.returncode == 1
    assert_one_german_sentence_per_failure(result.stderr, 1)
    assert "größer" in result.stderr


def test_redaction_setting_reaches_the_parser(seeds: list[Path], tmp_path: Path) -> None:
    plain = run("parse", "--json", *seeds, cwd=tmp_path)
    named = [Vorlage.model_validate_json(line) for line in plain.stdout.splitlines()]
    with_name = [v for v in named if v.bearbeiter]
    assert with_name, "no seed names a Bearbeiter"
    env = {"VORLAGEN_INGEST__REDACT_BEARBEITER": "true"}
    redacted = run("parse", "--json", with_name[0].source.path, cwd=tmp_path, env=env)
    assert redacted.returncode == 0, redacted.stderr
    assert Vorlage.model_validate_json(redacted.stdout).bearbeiter is None


def test_bad_configuration_is_a_usage_error(seeds: list[Path], tmp_path: Path) -> None:
    result = run("parse", seeds[0], cwd=tmp_path, env={"VORLAGEN_INGEST__MAX_FILE_MB": "viel"})
    assert result.returncode == 2
    assert_one_german_sentence_per_failure(result.stderr, 1)


@pytest.mark.parametrize("args", [["parse"], ["parse", "--gibtsnicht", "x.txt"], ["gibtsnicht"]])
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_version_and_german_help(tmp_path: Path) -> None:
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0
    assert re.fullmatch(r"vorlagen \S+\n", version.stdout)
    helptext = run("parse", "--help", cwd=tmp_path)
    assert helptext.returncode == 0
    assert "Vorlagen einlesen" in helptext.stdout
    assert "Optionen" in helptext.stdout


def test_python_m_api_cli_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "--version"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("vorlagen ")
