"""The naive baseline: the honest alternative with the same model.

:class:`BaselineDrafter` takes the top :data:`BASELINE_K` dense chunks (no BM25, no fusion; the
paper excluded), one plain prompt (``prompts/baseline.j2``) through ``chat.generate`` (no
structured output, no repair), splits the free text into sections by its headings
(:func:`split_answer`) and validates the Draft with the same rules as the assistant's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from assistant.drafting import beratungsfolge_for, finanzen_for
from assistant.ports import ChatMessage, ChatModelFactory
from assistant.retrieval import Mode
from assistant.schema import Citation, Draft, DraftRequest, Hit, SearchFilter
from assistant.validation import validate
from prompts import render

__all__ = [
    "BASELINE_K",
    "BASELINE_MAX_TOKENS",
    "BaselineDrafter",
    "DenseRetriever",
    "SplitAnswer",
    "split_answer",
]

BASELINE_K = 5
BASELINE_QUERY_CHARS = 1000  # as the drafting service's query
# The default answer budget; `eval drafts` passes the drafting service's two sections' budget.
BASELINE_MAX_TOKENS = 700


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
