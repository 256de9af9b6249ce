"""Rule ``citations``: the source markers ``[n]`` are right.

Every ``[n]`` names one of the draft's citations, and no number is given twice; the
Beschlussvorschlag carries no ``[n]`` (it is printed as the resolution itself); a run of at least
:data:`MIN_QUOTE_WORDS` words copied from a cited passage carries that passage's ``[n]`` in its
paragraph (a quote in the Beschlussvorschlag: in the Sachdarstellung). The clerk's own words do
not count as copied. The drafting service uses :func:`unmarked_quotes` to add missing markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, mask_all, short, texts
from assistant.validation.markers import CITATION_MARKER, marker_numbers

MIN_QUOTE_WORDS = 12
RE_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")


def _words(text: str) -> list[re.Match[str]]:
    return list(RE_WORD.finditer(mask_all(text, CITATION_MARKER)))


def _grams(words: Sequence[str], size: int = MIN_QUOTE_WORDS) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _copied_runs(text: str, passage: str, own: set[tuple[str, ...]]) -> Iterator[tuple[int, int]]:
    """Character spans of ``text`` that repeat at least MIN_QUOTE_WORDS words of ``passage``
    (ignoring case and punctuation) and are not the clerk's own words (``own``)."""
    words = _words(text)
    lowered = [w.group().lower() for w in words]
    theirs = _grams([w.group().lower() for w in _words(passage)])
    covered = [False] * len(words)
    for i in range(len(words) - MIN_QUOTE_WORDS + 1):
        gram = tuple(lowered[i : i + MIN_QUOTE_WORDS])
        if gram in theirs and gram not in own:
            covered[i : i + MIN_QUOTE_WORDS] = [True] * MIN_QUOTE_WORDS
    i = 0
    while i < len(words):
        if covered[i]:
            j = i
            while j + 1 < len(words) and covered[j + 1]:
                j += 1
            yield words[i].start(), words[j].end()
            i = j + 1
        else:
            i += 1


def _marked(text: str, span: tuple[int, int], n: int) -> bool:
    """Whether a marker citing ``n`` stands in the copied span or after it in its paragraph."""
    end = text.find("\n\n", span[1])
    scope = text[span[0] : len(text) if end < 0 else end]
    return any(n in marker_numbers(m.group()) for m in CITATION_MARKER.finditer(scope))


def _check_markers(draft: Draft, known: set[int]) -> Iterator[Finding]:
    count = len(draft.citations)
    for name, text in texts(draft):
        for match in CITATION_MARKER.finditer(text):
            for n in marker_numbers(match.group()):
                if n not in known:
                    yield finding(
                        "citations",
                        f"Der Verweis „[{n}]“ bezieht sich auf keine der {count} gefundenen "
                        "Quellen.",
                        field_name=name,
                        span=match.span(),
                        token=match.group(),
                    )


def _check_resolution_markers(draft: Draft) -> Iterator[Finding]:
    """No [n] in the Beschlussvorschlag: it is printed as the resolution itself."""
    for match in CITATION_MARKER.finditer(draft.beschlussvorschlag or ""):
        yield finding(
            "citations",
            f"Der Quellenverweis „{match.group()}“ gehört nicht in den Beschlussvorschlag, der "
            "wörtlich als Beschluss übernommen wird; belegen Sie die Quelle in der "
            "Sachdarstellung.",
            field_name="beschlussvorschlag",
            span=match.span(),
            token=match.group(),
        )


def _quote_marked(draft: Draft, name: str, text: str, span: tuple[int, int], n: int) -> bool:
    """A quoted span is marked by [n] after it in its paragraph; a quote in the
    Beschlussvorschlag (which carries no markers) by [n] in the Sachdarstellung."""
    if name == "beschlussvorschlag":
        return any(
            n in marker_numbers(m.group())
            for m in CITATION_MARKER.finditer(draft.sachdarstellung or "")
        )
    return _marked(text, span, n)


def unmarked_quotes(draft: Draft) -> Iterator[tuple[str, tuple[int, int], int]]:
    """(field, span, n) for each run of at least MIN_QUOTE_WORDS words copied from the passage
    of citation ``n`` without its marker (the clerk's own words do not count)."""
    request = draft.request
    own_text = " ".join(
        t or "" for t in (request.betreff, request.fakten, request.finanzielle_auswirkungen)
    )
    own = _grams([w.group().lower() for w in _words(own_text)])
    for name, text in texts(draft):
        for citation in draft.citations:
            for span in _copied_runs(text, citation.passage, own):
                if not _quote_marked(draft, name, text, span, citation.n):
                    yield name, span, citation.n


def _check_quotes(draft: Draft) -> Iterator[Finding]:
    for name, span, n in unmarked_quotes(draft):
        text = getattr(draft, name)
        yield finding(
            "citations",
            f"Diese Passage ist wörtlich aus Quelle [{n}] übernommen, aber nicht mit „[{n}]“ "
            "gekennzeichnet.",
            field_name=name,
            span=span,
            token=short(text[span[0] : span[1]]),
        )


def check_citations(draft: Draft) -> Iterator[Finding]:
    """Every [n] refers to a retrieved case; verbatim passages from a case carry its [n]
    (in the Sachdarstellung; the Beschlussvorschlag carries no [n], a quote there is marked by
    [n] in the Sachdarstellung)."""
    numbers = [c.n for c in draft.citations]
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        yield finding(
            "citations", f"Die Quellennummer [{n}] ist mehrfach vergeben.", field_name="citations"
        )
    yield from _check_markers(draft, set(numbers))
    yield from _check_resolution_markers(draft)
    yield from _check_quotes(draft)
