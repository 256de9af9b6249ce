"""The ports: what the services need from a backend, as ``typing.Protocol`` contracts.

Concrete backends live in ``vectorstore/`` and ``storage/`` (and are picked only in
``api/container.py``); the services and the ingestion pipeline see nothing but these protocols.
Every backend of one port passes the same contract test suite (``tests/vectorstore/
test_*_contract.py``, ``tests/storage/test_archive_contract.py``).

Common rules for every backend:

* The constructor is cheap: it stores its arguments and opens, loads or downloads nothing.
  Expensive work (loading a model, opening a store, reading an index) happens in ``warm_up()``,
  which is idempotent; every other method calls it on first use, so calling it is optional but
  lets a server pay the cost at start and fail early on a misconfiguration.
* Failures the admin has to act on raise :class:`BackendError` (or a subclass) whose ``str()``
  is one plain German sentence; programming errors (wrong lengths, ``k < 1``) raise
  ``ValueError``.

How the two indexes stay consistent (they are written one after the other, and a process may
die between the two writes): both hold the same chunk ids (``Chunk.make_id``) with the same
fingerprints (``Chunk.fingerprint``); the vector index may hold only a subset of a Vorlage's
chunks (not everything is embedded densely), the keyword index holds all of them. The writer
(``ingest/batch_writer.py``, run by ``ingest/pipeline.py``) deletes a changed Vorlage from
both, upserts into both, persists the keyword index, and only then records the Vorlage as done
in its own ledger. On the next run,
every Vorlage that is in either index but not done in the ledger, or that
:func:`inconsistent_vorlagen` reports, is deleted from both indexes and ingested again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from assistant.schema import Chunk, Draft, DraftRequest, Hit, SearchFilter


class BackendError(Exception):
    """A backend cannot do its work; ``str(err)`` is one German sentence for the admin."""


class EmbedderError(BackendError):
    """The embedder failed (model missing, endpoint unreachable or answering nonsense)."""


class EmbedderMismatchError(BackendError):
    """The store was built with another embedder than the configured one: rebuild it."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into dense vectors.

    Contract:
      * ``name`` identifies the model (and the way texts are prefixed) well enough that two
        embedders with the same name produce comparable vectors; an index records it.
      * ``dimension`` is the length of every vector returned; it may load the model to find out.
      * ``embed_documents`` returns one vector per text, in order, for passages to be stored;
        ``embed_query`` returns one vector for a search query. Models with asymmetric prompts
        (e5: ``"passage: "`` / ``"query: "``) apply them here: callers pass raw text.
      * Vectors are L2-normalised (so a dot product is the cosine similarity).
      * ``embed_documents([])`` returns ``[]``; the empty string is a valid text.
      * Safe to call from several threads (a backend serialises internally where it must).
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def warm_up(self) -> None: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class VectorIndex(Protocol):
    """Dense vectors of chunks, searched by cosine similarity, durable after each call.

    Contract:
      * ``embedder_name`` / ``dimension``: the embedder the index is (to be) built with. Opening
        an existing store built with another embedder raises :class:`EmbedderMismatchError`
        (in ``warm_up()`` or the first call); nothing is ever mixed in one index.
      * ``upsert(chunks, embeddings)``: one embedding per chunk (``ValueError`` otherwise, also
        for a wrong dimension); an existing id is replaced, so repeating a call changes nothing.
      * ``delete_vorlage(id)`` removes every chunk of that Vorlage and returns how many.
      * ``query(embedding, k, where)``: at most ``k`` hits (``k >= 1``), best first, each with
        ``retriever == "dense"`` and the cosine similarity as ``score``; only chunks matching
        ``where`` (:meth:`SearchFilter.matches` is the reference semantics). An empty index
        returns ``[]``.
      * ``count()``: number of chunks. ``ids_for(vorlage_id)``: that Vorlage's chunk ids.
        ``vorlage_ids()``: every Vorlage with a chunk. ``manifest()``: chunk id -> fingerprint
        of every chunk (for consistency checks).
      * ``reset()``: drops everything and starts an empty index for the configured embedder
        (the way to rebuild after an embedder change).
    """

    @property
    def embedder_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def warm_up(self) -> None: ...

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None: ...

    def delete_vorlage(self, vorlage_id: str) -> int: ...

    def query(
        self, embedding: Sequence[float], k: int, where: SearchFilter | None = None
    ) -> list[Hit]: ...

    def count(self) -> int: ...

    def ids_for(self, vorlage_id: str) -> set[str]: ...

    def vorlage_ids(self) -> set[str]: ...

    def manifest(self) -> dict[str, str]: ...

    def reset(self) -> None: ...


@runtime_checkable
class KeywordIndex(Protocol):
    """Lexical (BM25) search over chunk texts.

    Contract: as :class:`VectorIndex`, except that
      * ``upsert(chunks)`` takes no embeddings, and ``query(text, k, where)`` takes the query
        text; hits have ``retriever == "keyword"``, the BM25 score as ``score``, and a chunk
        sharing no search term with the query is never a hit;
      * changes are visible to ``query`` at once but durable only after ``persist()``, which is
        atomic: after a crash the index on disk is the last persisted one, never a mix;
      * ``reset()`` empties the index (persist to make that durable).
    """

    def warm_up(self) -> None: ...

    def upsert(self, chunks: Sequence[Chunk]) -> None: ...

    def delete_vorlage(self, vorlage_id: str) -> int: ...

    def query(self, text: str, k: int, where: SearchFilter | None = None) -> list[Hit]: ...

    def count(self) -> int: ...

    def ids_for(self, vorlage_id: str) -> set[str]: ...

    def vorlage_ids(self) -> set[str]: ...

    def manifest(self) -> dict[str, str]: ...

    def persist(self) -> None: ...

    def reset(self) -> None: ...


def vorlage_of(chunk_id: str) -> str:
    """The Vorlage id inside a chunk id made by ``Chunk.make_id``."""
    return chunk_id.split(":", 1)[0]


def inconsistent_vorlagen(dense: Mapping[str, str], keyword: Mapping[str, str]) -> set[str]:
    """Vorlagen whose chunks the two indexes disagree about, from their ``manifest()``s.

    The invariant: every dense chunk is also a keyword chunk with the same fingerprint (the dense
    index may hold fewer chunks of a Vorlage, never other ones), and a Vorlage with dense chunks
    has keyword chunks. A Vorlage found here has to be deleted from both and ingested again.
    """
    return {vorlage_of(cid) for cid, fp in dense.items() if keyword.get(cid) != fp}


# --- chat models (assistant/llm.py implements these) ------------------------------------------

ChatRole = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat prompt; the services build prompts from these, never from LangChain
    message classes, so that no service depends on a chat-model provider."""

    role: ChatRole
    content: str


class LLMError(BackendError):
    """The chat model failed: file missing, server unreachable or refusing, answer cut off."""


class StructuredOutputError(LLMError):
    """The model's answer is not a valid instance of the requested schema.

    ``raw`` is what the model wrote (for a repair round or the log); ``str()`` is German.
    """

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class ModelTimeoutError(LLMError):
    """The model server sent nothing for longer than the configured timeout."""


class ModelCrashedError(LLMError):
    """The model process died or hung during an answer; it is being restarted, so the same
    request can simply be sent again. ``str()`` is German."""


StructuredT = TypeVar("StructuredT", bound=BaseModel)


@runtime_checkable
class ChatModelFactory(Protocol):
    """A chat model the drafting service generates text with (docs/drafting.md, docs/models.md).

    Called a factory because each backend builds its LangChain chat model (and the structured
    variants per schema) lazily on first use; the services see only these methods.

    Contract:
      * ``name`` says which model answers (it goes into ``Draft.model``), e.g.
        ``"llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m"`` or ``"openai:<model>@<base_url>"``;
        it never contains an API key.
      * ``warm_up()`` loads the model (bundled: assembles the GGUF file on first start) or
        checks nothing for a server; idempotent. Every other method calls it on first use.
      * ``generate(messages)`` returns the whole answer; ``stream(messages)`` yields it in
        pieces (tokens) as they are produced, and their concatenation is the answer.
        ``stream(messages, schema=Model)`` streams a JSON answer for the pydantic model
        ``Model``: grammar-constrained on llama.cpp (every piece is allowed by the schema's
        grammar), ``json_schema`` response format on OpenAI-compatible servers (falling back
        to JSON mode). The caller validates the concatenated text (it can still be cut off by
        ``max_tokens``).
      * ``generate_structured(messages, schema)`` returns a validated instance of the pydantic
        model ``schema``: grammar-constrained JSON on llama.cpp, ``json_schema`` structured
        output (falling back to JSON mode) on OpenAI-compatible servers. An answer that still
        does not validate raises :class:`StructuredOutputError` carrying the raw text.
      * ``max_tokens`` caps one answer (default: the configured limit).
      * Safe to call from several threads and tasks at once: a backend holding one loaded
        model (the bundled model's worker) serialises generation (a waiting caller blocks, it
        is not refused). The ``a...`` variants never block the event loop.
      * Failures raise :class:`LLMError` (German ``str()``); the API key never appears in a
        message or a log line. A backend that supervises its own model process raises
        :class:`ModelCrashedError` when that process dies or hangs during an answer, and the
        next call works again (the process is restarted).
    """

    @property
    def name(self) -> str: ...

    def warm_up(self) -> None: ...

    def generate(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str: ...

    def generate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT: ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> Iterator[str]: ...

    async def agenerate(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str: ...

    async def agenerate_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[StructuredT],
        *,
        max_tokens: int | None = None,
    ) -> StructuredT: ...

    def astream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        schema: type[BaseModel] | None = None,
    ) -> AsyncIterator[str]: ...


# --- stored drafts and the audit log (storage/ implements these; docs/storage.md) ------------

DraftStatus = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
VersionSource = Literal["generated", "edited", "rewritten", "refined"]
AuditAction = Literal[
    "draft",
    "export",
    "ingest",
    "edit",
    "cancel",
    "search",
    "request_approval",
    "approve",
    "return",
]

INTERRUPTED_MESSAGE = (
    "Der Entwurf wurde durch einen Neustart des Servers unterbrochen; bitte erneut starten."
)


class ArchiveError(BackendError):
    """The draft database cannot be opened, migrated or reached; ``str()`` is German."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitedVorlage(_Record):
    """A Vorlage cited by some version of a draft; ``oeffentlich`` is false when it is
    nichtöffentlich or its status is unknown (as in ``retrieval.visibility_filter``)."""

    vorlage_id: str
    vorlagen_nr: str | None = None
    oeffentlich: bool


class DraftVersion(_Record):
    """One stored state of a draft: generated by the model or edited by a person.

    ``number`` counts from 1 per draft; ``draft`` is the validated :class:`Draft`;
    ``validation_ok``, ``errors`` and ``warnings`` summarise its validation report.
    """

    draft_id: str
    number: int
    created_at: datetime
    created_by: str
    source: VersionSource
    draft: Draft
    validation_ok: bool
    errors: int
    warnings: int


class DraftSummary(_Record):
    """A stored draft job without its text (for lists).

    Times are timezone-aware UTC. ``created_by`` is the caller's name (API key name or user),
    ``error`` a German message for ``failed``/``interrupted``/``cancelled`` jobs (else None),
    ``model`` the chat model that wrote it, ``citations`` every Vorlage cited by any version,
    ``nonpublic`` whether any of them is nichtöffentlich (it never goes back to false: older
    versions keep their text), ``versions`` how many versions there are.
    """

    id: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    status: DraftStatus
    error: str | None
    model: str
    request: DraftRequest
    citations: list[CitedVorlage]
    nonpublic: bool
    versions: int


class DraftRecord(DraftSummary):
    """A stored draft job with its latest version (None while nothing has been stored)."""

    latest: DraftVersion | None


class AuditEntry(_Record):
    """Who did what, when: ids of the objects (drafts, exports) and of the source Vorlagen,
    never any document text."""

    id: int
    at: datetime
    actor: str
    action: AuditAction
    object_ids: list[str]
    source_ids: list[str]


@runtime_checkable
class DraftArchive(Protocol):
    """Draft jobs, their versions and the audit log, durable across restarts.

    Contract:
      * Every method is one short transaction, safe to call from several threads at once and
        from several processes (app instances) sharing one database. Failures of the database
        raise :class:`ArchiveError` (German ``str()``); an unknown ``draft_id`` in a writing
        call raises ``KeyError``; invalid arguments raise ``ValueError``.
      * ``create(request, actor, model=...)`` stores a new job with status ``queued`` and
        returns its id (32 hex digits, uuid4). A request that asks for nichtöffentliche
        Vorlagen (``filters.oeffentlich is False``) makes the draft ``nonpublic`` at once.
      * ``set_status(id, status, error)`` stores the status and the German ``error`` message
        (None clears it). With ``expected``, the change happens only when the current status
        is one of them (for races such as cancel against done); returns whether it changed.
      * ``add_version(id, draft, actor, source, public_ids=...)`` stores a validated draft
        (``draft.validation`` must be set, ``ValueError`` otherwise; it is not re-validated)
        as the next version (1, 2, ...) and returns its number; concurrent calls get distinct
        numbers. ``public_ids`` are the cited Vorlagen known to be öffentlich: every other
        cited Vorlage counts as nichtöffentlich, unless an earlier version of the same draft
        recorded it as öffentlich. A non-empty ``draft.model`` becomes the job's ``model``.
      * Visibility: ``get``, ``versions`` and ``list_drafts`` with ``allow_nonpublic=False``
        treat a ``nonpublic`` draft exactly like a missing one (None, ``[]``, left out).
      * ``get(id)`` returns the job with its latest version; ``versions(id)`` every version,
        oldest first; ``list_drafts`` the newest ``limit`` jobs (of ``actor`` when given),
        newest first, without their text.
      * ``mark_interrupted_running()`` (called once at start-up, before any job runs) sets
        every ``queued`` or ``running`` job of this archive's instance to ``interrupted`` with
        :data:`INTERRUPTED_MESSAGE` and returns how many; stored versions stay untouched.
      * ``audit(actor, action, object_ids, source_ids)`` appends an entry; ids only (an id
        longer than 300 characters or containing whitespace is refused with ``ValueError``,
        so that no text slips in). ``audit_entries(limit)`` returns the newest first.
      * ``ping()`` checks that the database answers (for a health check).
    """

    def create(self, request: DraftRequest, actor: str, *, model: str = "") -> str: ...

    def set_status(
        self,
        draft_id: str,
        status: DraftStatus,
        error: str | None = None,
        *,
        expected: Collection[DraftStatus] | None = None,
    ) -> bool: ...

    def add_version(
        self,
        draft_id: str,
        draft: Draft,
        actor: str,
        source: VersionSource,
        *,
        public_ids: Collection[str] = (),
    ) -> int: ...

    def get(self, draft_id: str, *, allow_nonpublic: bool) -> DraftRecord | None: ...

    def versions(self, draft_id: str, *, allow_nonpublic: bool) -> list[DraftVersion]: ...

    def list_drafts(
        self, *, allow_nonpublic: bool, actor: str | None = None, limit: int = 50
    ) -> list[DraftSummary]: ...

    def mark_interrupted_running(self) -> int: ...

    def audit(
        self,
        actor: str,
        action: AuditAction,
        object_ids: Sequence[str] = (),
        source_ids: Sequence[str] = (),
    ) -> None: ...

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]: ...

    def ping(self) -> None: ...

    def close(self) -> None:
        """Release pooled connections (the app's shutdown); a later call opens new ones."""
        ...
