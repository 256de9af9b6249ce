"""The one wiring point: settings in, ready-to-use services out.

Entry points (CLI, HTTP app, bots) call :func:`build_services` (or
:func:`services_from_environment`) and use only what :class:`Services` holds. This is the only
module that reads settings and the only place that picks concrete implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.drafting import DraftingService
from assistant.ports import (
    ChatModelFactory,
    DraftArchive,
    Embedder,
    KeywordIndex,
    VectorIndex,
)
from assistant.ports_approval import ApprovalArchive
from assistant.ports_records import VorlageRecords
from assistant.ports_summary_jobs import SummaryJobStore
from assistant.retrieval import HybridRetriever
from assistant.schema import DraftRequest, Vorlage
from assistant.settings import Settings, SettingsError, StoreSettings, load_settings
from assistant.usecases.drafts import prepare_request
from assistant.usecases.ingest import IngestSources, gather_sources, run_ingest
from assistant.usecases.models import ModelStatus, model_status
from assistant.usecases.search import (
    SearchRequest,
    SearchResult,
    check_index,
    search,
    with_summaries,
)
from assistant.usecases.summarize_sources import StoredVorlagen
from assistant.usecases.summary_store import JsonlSummaries, StoredSummaries
from ingest.konzept.dispatch import Art, parse_document
from ingest.parse import ParseOptions, load
from ingest.pipeline import IngestPipeline
from ingest.results import IngestSummary, ProgressCallback
from ingest.sources.base import RawDocument
from ingest.sources.oparl_api import OParlSync, SyncLimits, SyncProgress

if TYPE_CHECKING:  # FastAPI/Starlette only for the HTTP service, not for every CLI call
    from api.auth import Access

__all__ = [
    "Parser",
    "Services",
    "SettingsError",
    "Store",
    "build_services",
    "services_from_environment",
]


@dataclass(frozen=True)
class Parser:
    """Parses one file into a Vorlage within the configured limits.

    Raises ``IngestError`` (one German sentence) for anything wrong with the file itself.
    """

    options: ParseOptions
    art: Art = "auto"  # "konzept" / "vorlage": the caller says what the documents are

    def __call__(self, path: Path) -> Vorlage:
        return self.raw(load(path, self.options))

    def raw(self, raw: RawDocument) -> Vorlage:
        """A document an OParl system delivered, parsed with the same options."""
        return parse_document(raw, art=self.art, redact_bearbeiter=self.options.redact_bearbeiter)

    @property
    def recipe(self) -> str:
        """What decides the parse besides the file (a change re-ingests every document)."""
        return repr(self.options) if self.art == "auto" else f"{self.options!r} art={self.art}"


class Store:
    """The search store in one directory: embedder, dense and keyword index, ingestion ledger.

    Layout of ``directory``: ``chroma/`` (embedded Chroma; absent in server mode),
    ``keyword/`` (the BM25 index), ``vorlagen/`` (the parsed Vorlagen, for opening one),
    ``ledger.json`` and ``ingest.lock`` (the ingestion pipeline).
    Everything is built on first access and nothing is loaded before first use (the backends'
    ``warm_up()``), so building a ``Store`` is cheap.
    """

    def __init__(self, settings: StoreSettings, directory: Path) -> None:
        self.settings = settings
        self.directory = directory

    @property
    def ledger_path(self) -> Path:
        return self.directory / "ledger.json"

    @cached_property
    def embedder(self) -> Embedder:
        from vectorstore.embeddings import make_embedder  # heavy: only when the store is used

        conf = self.settings.embedder
        return make_embedder(
            conf.backend,
            model=conf.model,
            base_url=conf.base_url,
            api_key=conf.api_key.get_secret_value() if conf.api_key else None,
            batch_size=conf.batch_size,
            allow_download=conf.allow_download,
        )

    @cached_property
    def vector_index(self) -> VectorIndex:
        """Chroma; asks the embedder for its dimension (loads a sentence-transformers model)."""
        from vectorstore.chroma import ChromaIndex  # chromadb takes ~0.4 s to import

        chroma = self.settings.chroma
        name, dimension = self.embedder.name, self.embedder.dimension
        if chroma.mode == "http":
            return ChromaIndex(
                embedder_name=name,
                dimension=dimension,
                host=chroma.host,
                port=chroma.port,
                ssl=chroma.ssl,
                collection=chroma.collection,
            )
        return ChromaIndex(
            embedder_name=name,
            dimension=dimension,
            path=self.directory / "chroma",
            collection=chroma.collection,
        )

    @cached_property
    def keyword_index(self) -> KeywordIndex:
        from vectorstore.keyword import BM25Index

        return BM25Index(self.directory / "keyword")

    @cached_property
    def records(self) -> VorlageRecords:
        """The parsed Vorlagen, one JSON file each."""
        from vectorstore.records import JsonVorlageRecords

        return JsonVorlageRecords(self.directory / "vorlagen")

    @property
    def summaries_path(self) -> Path:
        """Where the summaries of this store's Vorlagen are kept (issue 13)."""
        return self.directory / "summaries.jsonl"

    @cached_property
    def summaries(self) -> StoredSummaries:
        """The summaries of this store's Vorlagen (``summaries.jsonl``; issue 13)."""
        return JsonlSummaries(self.summaries_path)

    def chunk_vorlagen(self) -> StoredVorlagen:
        """The Vorlagen of this store put together from the keyword index's chunks."""
        from vectorstore.chunk_vorlagen import ChunkVorlagen
        from vectorstore.keyword import BM25Index

        return ChunkVorlagen(BM25Index(self.directory / "keyword"))

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Hybrid search (dense + BM25, fused and diversified) over this store."""
        return HybridRetriever(self.embedder, self.vector_index, self.keyword_index)

    def oparl_sync(
        self,
        url: str,
        parse_options: ParseOptions,
        progress: Callable[[SyncProgress], None] | None = None,
        *,
        full: bool = False,
        state_file: Path | None = None,
    ) -> OParlSync:
        """A sync run against an OParl system; its state lives beside this store's ledger
        (or in ``state_file``: the summaries keep their own).

        ``full`` forgets where earlier syncs stopped (for a rebuild: every paper again). The
        caller commits the sync only after the pipeline stored what it yielded.
        """
        limits = SyncLimits(
            max_download_mb=float(parse_options.max_file_mb),
            pdf_timeout_s=parse_options.pdf_timeout_s,
            pdf_memory_mb=parse_options.pdf_memory_mb,
        )
        state = state_file or self.directory / "oparl-state.json"
        state.parent.mkdir(parents=True, exist_ok=True)
        if full:
            state.unlink(missing_ok=True)
        return OParlSync(url, state, limits=limits, progress=progress)

    def close(self) -> None:
        """Release what the store holds open (the vector index's client), if it was opened;
        the store opens it again when used."""
        index = self.__dict__.get("vector_index")
        if index is not None and hasattr(index, "close"):
            index.close()

    def ingest_pipeline(
        self,
        parse_options: ParseOptions,
        progress: ProgressCallback | None = None,
        *,
        recipe: str | None = None,
    ) -> IngestPipeline:
        """A pipeline writing into this store; the parse options (or ``recipe``, the parser's
        whole recipe) go into its recipe."""
        return IngestPipeline(
            self.embedder,
            self.vector_index,
            self.keyword_index,
            self.ledger_path,
            dense_policy=self.settings.dense_policy,
            parse_recipe=repr(parse_options) if recipe is None else recipe,
            batch_size=self.settings.batch_size,
            progress=progress,
            records=self.records,
        )


@dataclass(frozen=True)
class Services:
    """What entry points need, built once from the settings."""

    settings: Settings
    parser: Parser

    @cached_property
    def store(self) -> Store:
        """The configured store (``store.path``, else ``<data_dir>/store``)."""
        return Store(self.settings.store, self.settings.store_dir())

    def store_at(self, directory: Path | None) -> Store:
        """The store in ``directory`` (a ``--store`` option), else the configured one."""
        return self.store if directory is None else Store(self.settings.store, directory)

    @cached_property
    def chat_model(self) -> ChatModelFactory:
        """The configured chat model (the bundled model in its worker process, or an
        OpenAI-compatible server).

        Cheap: the worker is started (and the bundled file assembled) on first use or
        ``warm_up()``; one instance, and one worker, serves every request.
        """
        return self.chat_model_factory()()

    def chat_model_factory(self) -> Callable[[], ChatModelFactory]:
        """A picklable callable that builds the configured chat model (for processes that
        need a client of their own: the Ray actors of ``vorlagen summarize``)."""
        from assistant.chat_models import make_chat_model  # LangChain: only when needed
        from assistant.model_worker import WorkerSettings

        conf = self.settings.llm
        return partial(
            make_chat_model,
            conf.backend,
            models_dir=self.settings.models_dir(),
            model_path=conf.model_path,
            worker=WorkerSettings(
                n_ctx=conf.n_ctx,
                n_threads=conf.n_threads,
                start_timeout_s=conf.start_timeout_s,
            ),
            base_url=conf.base_url,
            model=conf.model,
            api_key=conf.api_key,
            temperature=conf.temperature,
            max_tokens=conf.max_tokens,
            timeout_s=conf.timeout_s,
        )

    @cached_property
    def archive(self) -> DraftArchive:
        """The draft database (drafts, versions, audit log), migrated on first access.

        Raises ArchiveError (a BackendError, one German sentence) when it cannot be used."""
        from storage import open_archive, sqlite_url  # SQLAlchemy/Alembic only when needed

        conf = self.settings.database
        url = conf.url or sqlite_url(self.settings.data_dir / "vorlagen.db")
        return open_archive(url, instance=conf.instance)

    def approvals_for(self, archive: DraftArchive) -> ApprovalArchive:
        """The Mitzeichnung's requests and decisions, in the database of ``archive``."""
        from storage import SqlApprovalArchive, SqlDraftArchive

        if not isinstance(archive, SqlDraftArchive):
            raise TypeError("the Mitzeichnung is stored beside a storage.SqlDraftArchive")
        return SqlApprovalArchive(archive.engine)

    def summary_jobs_for(self, archive: DraftArchive) -> SummaryJobStore:
        """The record of the archive's summary jobs, in the database of ``archive`` (and for
        its instance: ``database.instance``)."""
        from storage import SqlDraftArchive, SqlSummaryJobStore

        if not isinstance(archive, SqlDraftArchive):
            raise TypeError("summary jobs are recorded beside a storage.SqlDraftArchive")
        return SqlSummaryJobStore(archive.engine, instance=archive.instance)

    def approvers(self) -> dict[str, bool]:
        """Who can be asked for a Mitzeichnung, and whether they may see nichtöffentliche
        Vorlagen: web users and API keys with the right ``mitzeichnen``, bot users with
        ``approver = true``. A name configured several times sees them only when every
        approving entry of it may."""
        server, bots = self.settings.server, self.settings.bots
        entries = [
            (entry.name, entry.rights)
            for entry in (*server.users, *server.api_keys)
            if "mitzeichnen" in entry.rights
        ]
        entries += [(user.name, user.rights) for user in bots.users if user.approver]
        rights: dict[str, bool] = {}
        for name, granted in entries:
            rights[name] = rights.get(name, True) and "nichtoeffentlich" in granted
        return rights

    @cached_property
    def access(self) -> Access:
        """Who may call the HTTP service (keys, users, the local mode: ``api/auth.py``)."""
        from api.auth import Access

        return Access(self.settings.server)

    def with_defaults(self, request: DraftRequest) -> DraftRequest:
        """``request`` with the installation's header data (``vorlage.*``) where it has none."""
        conf = self.settings.vorlage
        return request.with_defaults(kommune=conf.kommune, federfuehrung=conf.federfuehrung)

    # --- the use cases (assistant/usecases), wired with this installation's backends ---------

    def prepare_request(self, request: DraftRequest) -> DraftRequest:
        """A clerk's request, normalised, checked (``InvalidRequest``) and completed with the
        installation's header data (:func:`assistant.usecases.drafts.prepare_request`)."""
        conf = self.settings.vorlage
        return prepare_request(request, kommune=conf.kommune, federfuehrung=conf.federfuehrung)

    def search(
        self, request: SearchRequest, *, allow_nonpublic: bool = False, store: Store | None = None
    ) -> SearchResult:
        """Search ``store`` (default: the configured one); ``NoIndexError`` when it is empty.
        ``allow_nonpublic`` only for callers who may see nichtöffentliche Vorlagen."""
        target = store or self.store
        check_index(target.keyword_index, target.directory)
        result = search(target.retriever, request, allow_nonpublic=allow_nonpublic)
        return with_summaries(result, target.summaries)

    def ingest_sources(
        self,
        paths: Sequence[Path] = (),
        *,
        oparl_url: str | None = None,
        store: Store | None = None,
        rebuild: bool = False,
        oparl_progress: Callable[[SyncProgress], None] | None = None,
    ) -> IngestSources:
        """Step 1 of an ingestion into ``store``: the documents of ``paths`` and of the OParl
        system at ``oparl_url`` (walked now; every paper when ``rebuild``)."""
        target = store or self.store
        sync = (
            target.oparl_sync(oparl_url, self.parser.options, oparl_progress, full=rebuild)
            if oparl_url
            else None
        )
        return gather_sources(paths, self.parser, oparl=sync)

    def ingest(
        self,
        sources: IngestSources,
        *,
        store: Store | None = None,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestSummary:
        """Step 2: store ``sources`` in ``store`` (default: the configured one), then commit
        their OParl sync (:func:`assistant.usecases.ingest.run_ingest`)."""
        target = store or self.store
        pipeline = target.ingest_pipeline(
            self.parser.options, progress=progress, recipe=self.parser.recipe
        )
        return run_ingest(pipeline, sources, rebuild=rebuild)

    def model_status(self, *, verify: bool = False) -> ModelStatus:
        """The configured chat model's state (``verify``: hash the bundled file again)."""
        conf = self.settings.llm
        return model_status(
            backend=conf.backend,
            models_dir=self.settings.models_dir(),
            model_path=conf.model_path,
            base_url=conf.base_url,
            model=conf.model,
            api_key_set=bool(conf.api_key),
            verify=verify,
        )

    def drafting(self, directory: Path | None = None) -> DraftingService:
        """The drafting service over the store in ``directory`` (else the configured one) and
        the one shared chat model; cheap (nothing is loaded before the first draft)."""
        return self.drafting_for(self.store_at(directory))

    def drafting_for(self, store: Store) -> DraftingService:
        """The drafting service over an already opened ``store`` (its indexes are not opened
        a second time) and the one shared chat model."""
        conf = self.settings.drafting
        return DraftingService(
            store.retriever,
            self.chat_model,
            max_repairs=conf.max_repairs,
            k=conf.k,
            passages_per_vorlage=conf.passages_per_vorlage,
            passage_chars=conf.passage_chars,
            max_tokens={
                "sachdarstellung": conf.paragraph_max_tokens,
                "beschlussvorschlag": conf.resolution_max_tokens,
            },
        )


def build_services(settings: Settings) -> Services:
    """Wire the services for ``settings``; cheap, loads no models."""
    ingest = settings.ingest
    options = ParseOptions(
        pdf_timeout_s=ingest.pdf_timeout_s,
        pdf_memory_mb=ingest.pdf_memory_mb,
        max_file_mb=ingest.max_file_mb,
        redact_bearbeiter=ingest.redact_bearbeiter,
    )
    return Services(settings=settings, parser=Parser(options))


def services_from_environment(overrides: Mapping[str, Any] | None = None) -> Services:
    """Services for the settings of the environment and ``vorlagen.toml`` (``overrides``, from
    a command's options, win; see :func:`assistant.settings.load_settings`).

    Raises:
        SettingsError: the configuration is unusable (one German sentence).
    """
    return build_services(load_settings(overrides))
