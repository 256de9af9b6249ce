"""The bundled sample corpus (``data/sample``) as a ready search store, for ``make run``.

``python -m api.sample`` prepares the store ``<data_dir>/sample-store`` (or ``--store DIR``)
from the sample's files and prints its path on stdout (progress goes to stderr), so that
``make run`` can start ``vorlagen serve --store "$(python -m api.sample)"``.

It runs the normal ingestion of the sample's directories (``Services.ingest``: the same
pipeline, ledger and recipe as ``vorlagen ingest data/sample/*/ --store DIR``) with the
configured embedder wrapped in a :class:`vectorstore.precomputed.PrecomputedEmbedder` that
answers the sample's passages from ``data/sample/vectors.npz``. When the file's fingerprint
matches the configured embedder no passage is embedded; otherwise (another embedder
configured, another model version) every passage is embedded, with progress. The ledger skips
unchanged files, so a second call only checks the files (about 3 s).

``--write-vectors`` rebuilds ``vectors.npz`` after the sample changed
(``scripts/make_sample_corpus.py``): it ingests the sample into a temporary store and writes
every passage vector used (vectors of the old file are reused where its fingerprint matches).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from api.container import Services, SettingsError, Store, services_from_environment
from assistant.ports import BackendError
from assistant.settings import StoreSettings
from ingest.errors import IngestError
from ingest.results import IngestSummary, Progress, ProgressCallback
from vectorstore.precomputed import PrecomputedEmbedder, PrecomputedVectors

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
VECTORS_NAME = "vectors.npz"
STORE_NAME = "sample-store"


class PrecomputedStore(Store):
    """A :class:`Store` whose embedder answers passages from precomputed vectors first."""

    def __init__(
        self,
        settings: StoreSettings,
        directory: Path,
        table: PrecomputedVectors | None,
        *,
        collect: bool = False,
        on_mismatch: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(settings, directory)
        self._table = table
        self._collect = collect
        self._on_mismatch = on_mismatch

    @cached_property
    def embedder(self) -> PrecomputedEmbedder:
        configured = Store(self.settings, self.directory).embedder  # the configured one
        return PrecomputedEmbedder(
            configured, self._table, collect=self._collect, on_mismatch=self._on_mismatch
        )


@dataclass(frozen=True)
class SampleResult:
    """What preparing the sample store did."""

    directory: Path
    summary: IngestSummary
    hits: int  # passages taken from the precomputed vectors
    embedded: int  # passages the configured embedder embedded
    mismatch: str | None  # why the precomputed vectors were not used, if they were not
    seconds: float


def default_store_dir(services: Services) -> Path:
    """Where the sample store lives: ``<data_dir>/sample-store``."""
    return services.settings.data_dir / STORE_NAME


def sample_sources(sample_dir: Path) -> list[Path]:
    """The sample's document directories (``karlsruhe-oparl/``, ``seeds/``): its README and
    manifest at the top are no Vorlagen.

    Raises:
        IngestError: there is no such directory (an installation without the clone, German).
    """
    if not sample_dir.is_dir():
        raise IngestError(
            f"Das Beispielkorpus {sample_dir} fehlt; es liegt nur im Quellverzeichnis des "
            "Projekts (git clone)."
        )
    return sorted(p for p in sample_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def prepare_sample_store(
    services: Services,
    *,
    sample_dir: Path = SAMPLE_DIR,
    store_dir: Path | None = None,
    vectors: PrecomputedVectors | None = None,
    collect: bool = False,
    progress: ProgressCallback | None = None,
    on_mismatch: Callable[[str], None] | None = None,
) -> tuple[SampleResult, PrecomputedStore]:
    """Ingest ``sample_dir`` into ``store_dir`` (default: :func:`default_store_dir`), taking
    passage vectors from ``vectors`` where they match the configured embedder.

    Raises:
        IngestError: ``sample_dir`` holds no supported file (German).
        BackendError: the store or the embedder failed (German).
    """
    started = time.monotonic()
    directory = store_dir or default_store_dir(services)
    store = PrecomputedStore(
        services.settings.store, directory, vectors, collect=collect, on_mismatch=on_mismatch
    )
    sources = services.ingest_sources(sample_sources(sample_dir), store=store)
    summary = services.ingest(sources, store=store, progress=progress)
    embedder = store.embedder
    result = SampleResult(
        directory=directory,
        summary=summary,
        hits=embedder.hits,
        embedded=embedder.misses,
        mismatch=embedder.mismatch,
        seconds=time.monotonic() - started,
    )
    return result, store


def load_vectors(path: Path) -> PrecomputedVectors | None:
    """The precomputed vectors in ``path``; None (with a note on stderr) when unusable."""
    if not path.is_file():
        say(f"Keine vorberechneten Vektoren in {path}; die Beispiel-Vorlagen werden eingebettet.")
        return None
    try:
        return PrecomputedVectors.load(path)
    except BackendError as err:
        say(f"{err} Die Beispiel-Vorlagen werden eingebettet.")
        return None


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reporter(every_s: float = 5.0) -> ProgressCallback:
    """Progress lines on stderr, at most one every ``every_s`` seconds."""
    last = time.monotonic()

    def report(event: Progress) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < every_s:
            return
        last = now
        eta = f", noch etwa {event.eta_s:.0f} s" if event.eta_s else ""
        say(f"Beispiel-Vorlagen: {event.done} von {event.total} gelesen{eta}")

    return report


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m api.sample",
        description="Den Suchindex der mitgelieferten Beispiel-Vorlagen vorbereiten und "
        "seinen Pfad ausgeben.",
    )
    parser.add_argument(
        "--store",
        type=Path,
        help=f"Index-Verzeichnis (Voreinstellung: <Datenverzeichnis>/{STORE_NAME})",
    )
    parser.add_argument("--sample", type=Path, default=SAMPLE_DIR, help="Beispielkorpus")
    parser.add_argument(
        "--vectors", type=Path, help=f"Vektordatei (<Beispielkorpus>/{VECTORS_NAME})"
    )
    parser.add_argument("--no-vectors", action="store_true", help="alles neu einbetten")
    parser.add_argument(
        "--write-vectors",
        action="store_true",
        help="die Vektordatei neu schreiben (Wartung, nach scripts/make_sample_corpus.py)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        services = services_from_environment()
    except SettingsError as err:
        say(str(err))
        return 2
    logging.basicConfig(level=services.settings.log_level, format="%(levelname)s: %(message)s")
    vectors_path = args.vectors or args.sample / VECTORS_NAME
    table = None if args.no_vectors else load_vectors(vectors_path)

    def mismatch(reason: str) -> None:
        say(
            f"Die vorberechneten Vektoren passen nicht ({reason}); "
            "die Beispiel-Vorlagen werden eingebettet."
        )

    try:
        if args.write_vectors:
            with tempfile.TemporaryDirectory(prefix="vorlagen-sample-") as tmp:
                result, store = prepare_sample_store(
                    services,
                    sample_dir=args.sample,
                    store_dir=Path(tmp),
                    vectors=table,
                    collect=True,
                    progress=reporter(),
                    on_mismatch=mismatch,
                )
                collected = store.embedder.collected()
            collected.save(vectors_path)
            say(f"{len(collected)} Vektoren ({collected.fingerprint.name}) in {vectors_path}")
            return 0 if not result.summary.failed else 1
        result, _ = prepare_sample_store(
            services,
            sample_dir=args.sample,
            store_dir=args.store,
            vectors=table,
            progress=reporter(),
            on_mismatch=mismatch,
        )
    except (IngestError, BackendError) as err:
        say(str(err))
        return 1
    summary = result.summary
    say(
        f"Beispiel-Index bereit in {result.seconds:.1f} s: {summary.new + summary.updated} "
        f"Vorlagen aufgenommen, {summary.unchanged} unverändert, {len(summary.failed)} "
        f"fehlgeschlagen ({result.hits} Vektoren vorberechnet, {result.embedded} eingebettet)."
    )
    for failure in summary.failed:
        say(f"{failure.key}: {failure.reason}")
    print(result.directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
