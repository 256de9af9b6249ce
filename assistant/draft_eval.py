"""Draft evaluation: regenerate real council papers and compare against a naive baseline.

``vorlagen eval drafts`` (``api/cli_eval_drafts.py``) uses this module; it is pure apart from
the two drafters it is handed (the drafting service and :class:`BaselineDrafter`) and reads no
settings. See ``docs/drafting.md`` ("Evaluating drafts") for the figures' definitions.

One paper, step by step:

1. :func:`skip_reason` tells whether a parsed paper can be regenerated at all (it needs a
   Betreff, a Beschlussvorschlag, a Sachdarstellung and a Beratungsfolge);
   :func:`choose_papers` picks ``n`` such papers spread evenly over the sorted list.
2. :func:`request_from_vorlage` turns the paper into the :class:`DraftRequest` a clerk would
   have typed: its Betreff, deciding body, Beratungsfolge, Kommune, Art, Finanzielle
   Auswirkungen, and as facts the sentences of its own Sachdarstellung that carry numbers,
   dates or named measures (:func:`fact_sentences`).
3. Every system drafts from that request with the paper itself excluded from retrieval
   (:func:`run_paper`); an :class:`~assistant.ports.LLMError` is recorded for that paper and
   system and the evaluation goes on.
4. :func:`summarise` computes the figures per system from the :class:`PaperRun` records;
   :func:`run_row` gives the per-paper row.

The baseline (:class:`BaselineDrafter`) is the honest naive alternative with the same model:
the top :data:`BASELINE_K` dense chunks (no BM25, no fusion; the paper excluded), one plain
prompt (``prompts/baseline.j2``) through ``chat.generate`` (no structured output, no repair),
the free text split into sections by its headings (:func:`split_answer`), validated with the
same rules.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from sacrebleu.metrics.chrf import CHRF

from assistant.drafting import DraftingService, beratungsfolge_for, finanzen_for
from assistant.ports import ChatMessage, ChatModelFactory, LLMError
from assistant.retrieval import Mode
from assistant.schema import (
    Beratungsschritt,
    Citation,
    Draft,
    DraftRequest,
    Hit,
    SearchFilter,
    Vorlage,
)
from assistant.validation import (
    CITATION_MARKER,
    RE_CLAUSE,
    RE_INVERTED_CLAUSE,
    extract_facts,
    same_body,
    validate,
)
from prompts import render

__all__ = [
    "ASSISTANT",
    "BASELINE",
    "BASELINE_K",
    "BaselineDrafter",
    "DenseRetriever",
    "Drafter",
    "PaperRun",
    "Skipped",
    "SplitAnswer",
    "SystemSummary",
    "assistant_drafter",
    "choose_papers",
    "chrf",
    "corpus_chrf",
    "decides_correctly",
    "deciding_gremium",
    "evenly_spaced",
    "fact_sentences",
    "request_from_vorlage",
    "run_paper",
    "run_row",
    "skip_reason",
    "split_answer",
    "split_sentences",
    "summarise",
    "ungrounded_count",
]

ASSISTANT = "Vorlagen-Assistent"
BASELINE = "Baseline"

MAX_FACTS = 8
MIN_FACT_WORDS = 5
FALLBACK_FACTS = 3
MAX_FACT_CHARS = 500
NO_FINANCES = "keine"

BASELINE_K = 5
BASELINE_QUERY_CHARS = 1000  # as the drafting service's query
# The default answer budget; `eval drafts` passes the drafting service's two sections' budget.
BASELINE_MAX_TOKENS = 700


# --- choosing papers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A paper that was looked at and not used, with the German reason."""

    source: str
    reason: str


def skip_reason(vorlage: Vorlage) -> str | None:
    """Why ``vorlage`` cannot be regenerated (German, e.g. "ohne Beschlussvorschlag"), or
    ``None`` when it can: it needs a Betreff, a Beschlussvorschlag, a Sachdarstellung (the
    reference texts and the source of the facts) and at least one Beratungsschritt (the
    deciding body)."""
    missing = [
        label
        for label, value in (
            ("ohne Betreff", vorlage.betreff),
            ("ohne Beschlussvorschlag", vorlage.beschlussvorschlag),
            ("ohne Sachdarstellung", vorlage.sachdarstellung),
        )
        if not (value or "").strip()
    ]
    if not vorlage.beratungsfolge:
        missing.append("ohne Beratungsfolge")
    return ", ".join(missing) or None


def evenly_spaced(total: int, n: int) -> list[int]:
    """``min(n, total)`` start positions spread evenly over ``range(total)``:
    ``floor(i * total / n)`` for ``i = 0 … n-1`` (0 is always first)."""
    if total < 0 or n < 0:
        raise ValueError("total and n must be >= 0")
    n = min(n, total)
    return [i * total // n for i in range(n)]


def choose_papers(
    paths: Sequence[Path], n: int, load: Callable[[Path], Vorlage | str]
) -> tuple[list[Vorlage], list[Skipped]]:
    """``n`` usable papers spread evenly over ``paths`` (deterministic, no seed).

    ``paths`` is split into ``n`` equal stretches (:func:`evenly_spaced`); from each stretch
    the first usable paper is taken, so the choice covers the whole list (the Karlsruhe papers
    sorted by name run from 2004 to 2026) instead of its first years. A stretch without a
    usable paper gives none, so fewer than ``n`` papers can come back. ``load`` parses one path
    and returns the Vorlage or a German reason why it could not be read. Every paper looked at
    and not used is returned as :class:`Skipped`.
    """
    starts = evenly_spaced(len(paths), n)
    chosen: list[Vorlage] = []
    skipped: list[Skipped] = []
    for slot, start in enumerate(starts):
        end = starts[slot + 1] if slot + 1 < len(starts) else len(paths)
        for path in paths[start:end]:
            loaded = load(path)
            if isinstance(loaded, str):
                skipped.append(Skipped(path.name, loaded))
                continue
            reason = skip_reason(loaded)
            if reason is not None:
                skipped.append(Skipped(path.name, reason))
                continue
            chosen.append(loaded)
            break
    return chosen, skipped


# --- the request a clerk would have written -------------------------------------------------------

_BULLET = re.compile(r"^[ \t]*(?:[-–•*➢►▪·☐☒]|\(?\d{1,2}[.)]|[a-z]\))[ \t]+")
_MARKS = re.compile(r"^(?:[-–•*➢►▪·☐☒]\s+)+")  # bullet signs, not list numbers ("29. Mai")
_LINE_END = re.compile(r"[.!?:;,]$")
_SENTENCE_END = re.compile(r"[.!?][\"“”»)]?\s+(?=[A-ZÄÖÜ„\"(])")
_WORD_BEFORE_DOT = re.compile(r"(\S+)\.[\"“”»)]?$")
_ABBREVIATIONS = {
    "nr", "abs", "art", "ziff", "dr", "prof", "hr", "fr", "bzw", "ggf", "vgl", "gem", "ca", "str",
    "st", "tel", "bd", "kap", "lt", "evtl", "inkl", "zzgl", "usw", "sog", "rd", "mio", "mrd", "tsd",
    "bspw", "insb", "mind", "max", "min", "lfd", "gez", "ff", "jh", "anm", "erg",
}  # fmt: skip
_WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
_QUOTED_NAME = re.compile(r"„[^“\n]{2,80}“|\"[^\"\n]{2,80}\"")
HEADING_LINE_CHARS = 60


def _units(text: str) -> Iterable[str]:
    """Runs of text that can hold sentences: paragraphs, with list items and short heading
    lines ("2. Zulässigkeitsprüfung") as units of their own; line breaks inside a unit are
    PDF line wraps and become spaces."""
    for paragraph in re.split(r"\n[ \t]*\n", text):
        current: list[str] = []
        for line in paragraph.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if _BULLET.match(line) and current:
                yield " ".join(current)
                current = []
            current.append(stripped)
            if len(stripped) < HEADING_LINE_CHARS and not _LINE_END.search(stripped):
                yield " ".join(current)
                current = []
        if current:
            yield " ".join(current)


def _ends_sentence(before: str) -> bool:
    """Whether the dot at the end of ``before`` ends a sentence: not after a common
    abbreviation, a single letter ("z. B.") or a day or ordinal number ("29. Januar",
    "12.03."); a year ("im Jahr 2019.") does end one."""
    match = _WORD_BEFORE_DOT.search(before)
    if match is None:
        return True
    word = match.group(1).lstrip('(„"')
    if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return not re.fullmatch(r"(?:\d{1,2}\.)*\d{1,2}", word)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order, whitespace collapsed (see :func:`_ends_sentence`
    for where a sentence ends; list items and short heading lines are sentences of their own)."""
    sentences: list[str] = []
    for unit in _units(text):
        flat = _MARKS.sub("", " ".join(unit.split()))
        start = 0
        for match in _SENTENCE_END.finditer(flat):
            end = match.start() + len(match.group().rstrip())
            if _ends_sentence(flat[start:end].rstrip('"“”»)')):
                sentences.append(flat[start:end].strip())
                start = match.end()
        sentences.append(flat[start:].strip())
    return [s for s in sentences if s]


def _fact_weight(sentence: str) -> int:
    """Checkable tokens (validator facts) plus 1 for a quoted name of a measure or project."""
    return len(extract_facts(sentence)) + (1 if _QUOTED_NAME.search(sentence) else 0)


def fact_sentences(text: str, limit: int = MAX_FACTS) -> list[str]:
    """Up to ``limit`` sentences of ``text`` that carry facts, in document order.

    Why these: the ``grounded`` rule accepts a number, amount, date, year, percentage, § or
    Vorlagen-Nr. only when it is in the request or a cited source, so the facts a clerk gives
    are the checkable details of the case. A sentence counts when the validator's own
    :func:`~assistant.validation.extract_facts` finds at least one such token in it, or when it
    names a measure or project in quotation marks („Stiftung Forum Recht“). The ``limit``
    sentences with the most such tokens are taken (ties: the earlier one), and returned in
    their original order so that they read like a clerk's notes. Sentences with fewer than
    :data:`MIN_FACT_WORDS` words of two or more letters (headings, table rows such as
    "B 4.461.049 Euro 107 %") and runs longer than :data:`MAX_FACT_CHARS` characters
    (flattened tables) are left out; a repeated sentence counts once. When no sentence carries
    a fact, the first :data:`FALLBACK_FACTS` sentences are the facts: a clerk always says what
    the case is about, and an empty list would leave both systems with the Betreff alone.
    Deterministic, no model.
    """
    usable = [
        sentence
        for sentence in dict.fromkeys(split_sentences(text))
        if len(_WORDS.findall(sentence)) >= MIN_FACT_WORDS and len(sentence) <= MAX_FACT_CHARS
    ]
    weighted = [(_fact_weight(sentence), position) for position, sentence in enumerate(usable)]
    best = sorted((c for c in weighted if c[0]), key=lambda c: (-c[0], c[1]))[:limit]
    if not best:
        return usable[: min(limit, FALLBACK_FACTS)]
    return [usable[position] for _, position in sorted(best, key=lambda c: c[1])]


def deciding_gremium(steps: Sequence[Beratungsschritt]) -> str | None:
    """The deciding body: the (last) step with rolle Entscheidung, else the last step."""
    deciding = [step for step in steps if step.rolle == "Entscheidung"]
    chosen = deciding[-1] if deciding else (steps[-1] if steps else None)
    return " ".join(chosen.gremium.split()) if chosen else None


def request_from_vorlage(vorlage: Vorlage) -> DraftRequest:
    """The request a clerk would have written for ``vorlage`` (which must pass
    :func:`skip_reason`).

    Betreff, Kommune and Art are the paper's own (Art "Beschlussvorlage" when unknown); the
    deciding body is :func:`deciding_gremium`; the Beratungsfolge is the paper's without the
    ``ergebnis`` of each step (a clerk drafts before the bodies have met); the facts are
    :func:`fact_sentences` of its Sachdarstellung, as a bullet list; the Finanzielle
    Auswirkungen are the paper's own text, and "keine" when it has none (the model never writes
    that section, so without a text every draft would fail the ``required`` rule for a reason
    that says nothing about drafting). No search filters: the paper's Kommune may be unknown.
    """
    gremium = deciding_gremium(vorlage.beratungsfolge)
    if gremium is None or skip_reason(vorlage) is not None:
        raise ValueError(f"paper {vorlage.id} cannot be regenerated: {skip_reason(vorlage)}")
    return DraftRequest(
        betreff=" ".join((vorlage.betreff or "").split()),
        kommune=vorlage.kommune,
        federfuehrung=vorlage.federfuehrung,
        gremium=gremium,
        beratungsfolge=[
            step.model_copy(update={"ergebnis": None}) for step in vorlage.beratungsfolge
        ],
        art=vorlage.art or "Beschlussvorlage",
        fakten="\n".join(f"- {s}" for s in fact_sentences(vorlage.sachdarstellung or "")),
        finanzielle_auswirkungen=(vorlage.finanzielle_auswirkungen or "").strip() or NO_FINANCES,
    )


# --- drafting -------------------------------------------------------------------------------------

Drafter = Callable[[DraftRequest, Collection[str]], Draft]
"""One system under evaluation: ``(request, excluded Vorlage ids) -> validated Draft``."""


def assistant_drafter(service: DraftingService, *, allow_nonpublic: bool = False) -> Drafter:
    """The Vorlagen-Assistent as a :data:`Drafter` (retrieval, section prompts, repair)."""

    def draft(request: DraftRequest, exclude_ids: Collection[str]) -> Draft:
        return service.draft(request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic)

    return draft


class DenseRetriever(Protocol):
    """What the baseline needs from retrieval (``HybridRetriever.retrieve`` with a mode)."""

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilter | None = None,
        *,
        allow_nonpublic: bool = False,
        mode: Mode = "hybrid",
    ) -> list[Hit]: ...


@dataclass(frozen=True)
class SplitAnswer:
    """A free-text answer split into the Draft's sections."""

    beschlussvorschlag: str
    sachdarstellung: str
    begruendung: str | None = None


SectionKind = Literal["beschlussvorschlag", "sachdarstellung", "begruendung", "other"]
_HEADING_KINDS: tuple[tuple[str, SectionKind], ...] = (
    (r"Beschlussvorschlag|Beschlussentwurf|Beschlussantrag|Beschluss", "beschlussvorschlag"),
    (
        r"Sachdarstellung|Darstellung des Sachverhalte?s|Sachverhalt|Erläuterung(?:en)?",
        "sachdarstellung",
    ),
    (r"Begründung", "begruendung"),
    (r"Betreff|Finanzielle Auswirkungen|Beratungsfolge|Anlagen?|Quellen|Fakten", "other"),
)
_EMPHASIS = r"(?:\*\*|__|\*)?"
_HEADING = re.compile(
    rf"^[ \t]*(?:#{{1,6}}[ \t]*)?{_EMPHASIS}[ \t]*(?:(?:\d{{1,2}}|[IVX]{{1,4}})[.)][ \t]*)?"
    rf"(?P<name>{'|'.join(pattern for pattern, _ in _HEADING_KINDS)})"
    rf"[ \t]*{_EMPHASIS}[ \t]*(?P<colon>:)?[ \t]*{_EMPHASIS}(?P<rest>[^\n]*)$",
    re.MULTILINE | re.IGNORECASE,
)
_RESOLUTION_PARAGRAPH = re.compile(r"^(?:Der|Die|Das)\s[^\n]*?\bbeschließ(?:t|en)\b", re.DOTALL)


def _kind(name: str) -> SectionKind:
    for pattern, kind in _HEADING_KINDS:
        if re.fullmatch(pattern, name, re.IGNORECASE):
            return kind
    return "other"  # pragma: no cover - the heading pattern only matches listed names


def _headed_sections(text: str) -> dict[SectionKind, str]:
    """The text under each heading kind (several headings of one kind are joined); a line is a
    heading when it is one of the known names, optionally numbered or in Markdown, followed by
    a colon (text may follow on the same line) or by nothing."""
    headings = [
        m for m in _HEADING.finditer(text) if m.group("colon") or not m.group("rest").strip()
    ]
    found: dict[SectionKind, list[str]] = {}
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = f"{match.group('rest').strip(' *_')}\n{text[match.end() : end]}".strip()
        if body:
            found.setdefault(_kind(match.group("name")), []).append(body)
    return {kind: "\n\n".join(parts) for kind, parts in found.items()}


def _take_resolution(text: str) -> tuple[str, str]:
    """(first paragraph starting "Der/Die/Das … beschließt", the text without it)."""
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    for i, paragraph in enumerate(paragraphs):
        if _RESOLUTION_PARAGRAPH.match(paragraph):
            return paragraph, "\n\n".join(paragraphs[:i] + paragraphs[i + 1 :])
    return "", "\n\n".join(paragraphs)


def split_answer(text: str) -> SplitAnswer:
    """Split a model's free-text Beschlussvorlage into Beschlussvorschlag and Sachdarstellung.

    Headings (:func:`_headed_sections`): "Beschlussvorschlag" (also Beschlussentwurf,
    Beschlussantrag, Beschluss), "Sachdarstellung" (also Sachverhalt, Erläuterungen) and
    "Begründung" (the Sachdarstellung when there is no other, else the Draft's Begründung);
    text under other headings (Betreff, Finanzielle Auswirkungen, Quellen, …) and before the
    first heading is dropped. Without a Beschlussvorschlag heading, the first paragraph of the
    Sachdarstellung that starts with "Der/Die/Das … beschließt" is taken out of it and becomes
    the Beschlussvorschlag; without any heading the whole text is the Sachdarstellung, with the
    same rule. The text itself is not changed.
    """
    sections = _headed_sections(text)
    if not sections:
        sections = {"sachdarstellung": text.strip()} if text.strip() else {}
    begruendung = sections.get("begruendung")
    sachdarstellung = sections.get("sachdarstellung")
    if sachdarstellung is None:
        sachdarstellung, begruendung = begruendung or "", None
    beschluss = sections.get("beschlussvorschlag", "")
    if not beschluss:
        beschluss, sachdarstellung = _take_resolution(sachdarstellung)
    return SplitAnswer(beschluss, sachdarstellung, begruendung)


class BaselineDrafter:
    """The naive baseline: dense top-k chunks, one plain prompt, free text, no repair.

    Args:
        retriever: dense retrieval (``HybridRetriever`` with ``mode="dense"``).
        chat: the same chat model as the assistant's.
        k: chunks shown to the model (:data:`BASELINE_K`).
        max_tokens: the answer budget (:data:`BASELINE_MAX_TOKENS`, the assistant's two
            sections together).
        allow_nonpublic: as the assistant's retrieval (public Vorlagen only by default).
    """

    def __init__(
        self,
        retriever: DenseRetriever,
        chat: ChatModelFactory,
        *,
        k: int = BASELINE_K,
        max_tokens: int = BASELINE_MAX_TOKENS,
        allow_nonpublic: bool = False,
    ) -> None:
        self.retriever = retriever
        self.chat = chat
        self.k = k
        self.max_tokens = max_tokens
        self.allow_nonpublic = allow_nonpublic

    def citations(self, request: DraftRequest, exclude_ids: Collection[str]) -> list[Citation]:
        """The top ``k`` dense chunks for Betreff + facts, the excluded Vorlagen left out,
        numbered 1..k with their whole text as passage."""
        query = f"{request.betreff.strip()}\n{request.fakten.strip()}".strip()
        hits = self.retriever.retrieve(
            query[:BASELINE_QUERY_CHARS],
            2 * self.k,
            request.filters,
            allow_nonpublic=self.allow_nonpublic,
            mode="dense",
        )
        excluded = set(exclude_ids)
        kept = [hit for hit in hits if hit.chunk.vorlage_id not in excluded][: self.k]
        return [
            Citation(
                n=n,
                vorlage_id=hit.chunk.vorlage_id,
                kommune=hit.chunk.metadata.kommune,
                vorlagen_nr=hit.chunk.metadata.vorlagen_nr,
                betreff=hit.chunk.metadata.betreff,
                section=hit.chunk.section,
                passage=hit.chunk.text.strip(),
                score=round(hit.score, 6),
            )
            for n, hit in enumerate(kept, start=1)
        ]

    @staticmethod
    def messages(request: DraftRequest, citations: Sequence[Citation]) -> list[ChatMessage]:
        """The one user message (``prompts/baseline.j2``); no system prompt."""
        prompt = render(
            "baseline",
            art=request.art,
            betreff=request.betreff,
            kommune=request.kommune,
            gremium=request.gremium,
            fakten=request.fakten,
            quellen=citations,
        )
        return [ChatMessage("user", prompt)]

    def __call__(self, request: DraftRequest, exclude_ids: Collection[str]) -> Draft:
        """A validated Draft for ``request``; raises ``LLMError`` when the model fails."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        citations = self.citations(request, exclude_ids)
        timings["retrieval"] = round(time.perf_counter() - started, 3)
        t0 = time.perf_counter()
        answer = self.chat.generate(self.messages(request, citations), max_tokens=self.max_tokens)
        timings["generation"] = round(time.perf_counter() - t0, 3)
        parts = split_answer(answer)
        draft = Draft(
            request=request,
            beschlussvorschlag=parts.beschlussvorschlag,
            sachdarstellung=parts.sachdarstellung,
            begruendung=parts.begruendung,
            finanzielle_auswirkungen=finanzen_for(request),
            beratungsfolge=beratungsfolge_for(request),
            citations=citations,
            model=self.chat.name,
        )
        t0 = time.perf_counter()
        report = validate(draft)
        timings["validation"] = round(time.perf_counter() - t0, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        return draft.model_copy(update={"validation": report, "timings": timings})


# --- one paper ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRun:
    """One system's attempt at one paper: the Draft, or the German error when it failed."""

    paper: Vorlage
    system: str
    seconds: float
    draft: Draft | None = None
    error: str | None = None


def run_paper(
    paper: Vorlage,
    drafters: Mapping[str, Drafter],
    clock: Callable[[], float] = time.perf_counter,
) -> list[PaperRun]:
    """Draft ``paper`` again with every system, the paper excluded from retrieval.

    ``seconds`` is the wall-clock time of the whole call (retrieval, generation, validation,
    repair). A model failure (``LLMError``) is recorded as the run's ``error``; other errors
    (a broken index) propagate. A Draft without a validation report is validated here.
    """
    request = request_from_vorlage(paper)
    runs: list[PaperRun] = []
    for system, drafter in drafters.items():
        started = clock()
        try:
            draft = drafter(request, [paper.id])
        except LLMError as err:
            runs.append(PaperRun(paper, system, clock() - started, error=str(err)))
            continue
        seconds = clock() - started
        if draft.validation is None:
            draft = draft.model_copy(update={"validation": validate(draft)})
        runs.append(PaperRun(paper, system, seconds, draft=draft))
    return runs


# --- metrics --------------------------------------------------------------------------------------

_CHRF = CHRF()  # chrF2: character 6-grams, beta 2, whitespace ignored (sacrebleu's defaults)
_RECOMMENDING = {"empfiehlt", "empfehlen"}


def _plain(text: str) -> str:
    """Text for chrF: citation markers ([1], [2, 3]) removed, whitespace collapsed."""
    return " ".join(CITATION_MARKER.sub(" ", text).split())


def chrf(hypothesis: str, reference: str) -> float:
    """Segment-level chrF2 (0-100) of one text against its original (sacrebleu's ``CHRF``)."""
    return float(_CHRF.sentence_score(_plain(hypothesis), [_plain(reference)]).score)


def corpus_chrf(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Corpus-level chrF2 over (hypothesis, reference) pairs: the character n-gram statistics
    of all pairs are summed before the F-score is taken (sacrebleu ``corpus_score``), so a long
    text weighs more than a short one. ``None`` without pairs."""
    if not pairs:
        return None
    hypotheses = [_plain(h) for h, _ in pairs]
    references = [_plain(r) for _, r in pairs]
    return float(_CHRF.corpus_score(hypotheses, [references]).score)


def _acting_bodies(text: str) -> Iterable[str]:
    """The bodies that act in a resolution's clauses (the validator's clause patterns): the
    subject of "Der X beschließt …" / "… beschließt der X", and the addressee of "Der X
    empfiehlt dem Y …"."""
    for match in RE_CLAUSE.finditer(text):
        yield match.group("body")
        if match.group("verb") in _RECOMMENDING and match.group("target"):
            yield match.group("target")
    for match in RE_INVERTED_CLAUSE.finditer(text):
        yield match.group("body")


def decides_correctly(draft: Draft) -> bool:
    """Whether the draft's Beschlussvorschlag is decided by the right body.

    True exactly when (a) the Beschlussvorschlag is not empty, (b) validation reports no
    ``deciding-body`` finding (no other body decides, recommendations go to the decider from an
    earlier step), and (c) a clause of it names ``request.gremium`` (by
    :func:`~assistant.validation.same_body`) as the acting body ("Der Gemeinderat beschließt",
    "… stimmt der Gemeinderat zu") or as the addressee of a recommendation ("Der Ausschuss
    empfiehlt dem Gemeinderat, …"). (b) alone would also pass a resolution that names no body
    at all ("Es wird beschlossen …").
    """
    text = draft.beschlussvorschlag
    if not text.strip():
        return False
    report = draft.validation or validate(draft)
    if any(f.rule == "deciding-body" for f in (*report.errors, *report.warnings)):
        return False
    return any(same_body(body, draft.request.gremium) for body in _acting_bodies(text))


def ungrounded_count(draft: Draft) -> int:
    """The number of ``grounded`` findings: numbers, dates, amounts, §, Vorlagen-Nr. in the
    draft that are neither in the request nor in a cited passage (each occurrence counts)."""
    report = draft.validation or validate(draft)
    return sum(1 for f in (*report.errors, *report.warnings) if f.rule == "grounded")


def _passed(draft: Draft) -> bool:
    return (draft.validation or validate(draft)).ok


def _share(count: float, total: int) -> float | None:
    return count / total if total else None


@dataclass(frozen=True)
class SystemSummary:
    """The figures of one system over all papers (``None``: no finished draft)."""

    system: str
    drafts: int
    failed: int
    passed: float | None
    deciding_body: float | None
    ungrounded_mean: float | None
    ungrounded_in_passing: int
    chrf_beschlussvorschlag: float | None
    chrf_sachdarstellung: float | None
    seconds_mean: float | None
    seconds_max: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }


def summarise(runs: Sequence[PaperRun]) -> list[SystemSummary]:
    """Figures per system, in the order the systems first occur in ``runs``.

    Over the finished drafts of a system (failed runs are only counted): the share that passes
    validation, the share with the right deciding body (:func:`decides_correctly`), the mean
    number of ungrounded tokens (:func:`ungrounded_count`) and their total in drafts that pass,
    corpus-level chrF of the Beschlussvorschlag and of the Sachdarstellung against the paper's
    own (:func:`corpus_chrf`), and the mean and maximum seconds per draft.
    """
    by_system: dict[str, list[PaperRun]] = {}
    for run in runs:
        by_system.setdefault(run.system, []).append(run)
    out: list[SystemSummary] = []
    for system, own in by_system.items():
        done = [(run, run.draft) for run in own if run.draft is not None]
        drafts = [draft for _, draft in done]
        seconds = [run.seconds for run, _ in done]
        ungrounded = [ungrounded_count(draft) for draft in drafts]
        out.append(
            SystemSummary(
                system=system,
                drafts=len(drafts),
                failed=len(own) - len(drafts),
                passed=_share(sum(_passed(d) for d in drafts), len(drafts)),
                deciding_body=_share(sum(decides_correctly(d) for d in drafts), len(drafts)),
                ungrounded_mean=_share(sum(ungrounded), len(drafts)),
                ungrounded_in_passing=sum(
                    n for n, d in zip(ungrounded, drafts, strict=True) if _passed(d)
                ),
                chrf_beschlussvorschlag=corpus_chrf(
                    [(d.beschlussvorschlag, r.paper.beschlussvorschlag or "") for r, d in done]
                ),
                chrf_sachdarstellung=corpus_chrf(
                    [(d.sachdarstellung, r.paper.sachdarstellung or "") for r, d in done]
                ),
                seconds_mean=_share(math.fsum(seconds), len(seconds)),
                seconds_max=max(seconds) if seconds else None,
            )
        )
    return out


def run_row(run: PaperRun) -> dict[str, Any]:
    """The per-paper row of ``--json``: the paper, the system, and this draft's figures
    (chrF here is segment-level: :func:`chrf` of this one text)."""
    row: dict[str, Any] = {
        "id": run.paper.id,
        "vorlagen_nr": run.paper.vorlagen_nr,
        "betreff": run.paper.betreff,
        "system": run.system,
        "seconds": round(run.seconds, 3),
        "error": run.error,
    }
    draft = run.draft
    if draft is None:
        return row
    report = draft.validation or validate(draft)
    row.update(
        {
            "passed": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "rules_failed": sorted({f.rule for f in report.errors}),
            "deciding_body": decides_correctly(draft),
            "ungrounded": ungrounded_count(draft),
            "chrf_beschlussvorschlag": round(
                chrf(draft.beschlussvorschlag, run.paper.beschlussvorschlag or ""), 4
            ),
            "chrf_sachdarstellung": round(
                chrf(draft.sachdarstellung, run.paper.sachdarstellung or ""), 4
            ),
            "citations": len(draft.citations),
        }
    )
    return row
