"""Rule ``citations``: the source markers ``[n]`` are right.

Every ``[n]`` names one of the draft's citations, and no number is given twice; the
Beschlussvorschlag carries no ``[n]`` (it is printed as the resolution itself); a run of at least
:data:`MIN_QUOTE_WORDS` words copied from a cited passage carries that passage's ``[n]`` in its
paragraph (a quote in the Beschlussvorschlag: in the Sachdarstellung). The clerk's own words do
not count as copied. The drafting service uses :func:`unmarked_quotes` to add missing markers.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, short, texts
from assistant.validation.markers import CITATION_MARKER, marker_numbers
from assistant.validation.sentences import RE_WORD, Gram, ngrams, shared_runs, word_tokens

__all__ = ["MIN_QUOTE_WORDS", "RE_WORD", "check_citations", "unmarked_quotes"]

MIN_QUOTE_WORDS = 12


def _copied_runs(text: str, passage: str, own: set[Gram]) -> Iterator[tuple[int, int]]:
    """Character spans of ``text`` that repeat at least MIN_QUOTE_WORDS words of ``passage``
    (ignoring case and punctuation) and are not the clerk's own words (``own``)."""
    theirs = ngrams(word_tokens(passage), MIN_QUOTE_WORDS)
    return shared_runs(text, theirs, own, MIN_QUOTE_WORDS)


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
    own = ngrams(word_tokens(own_text), MIN_QUOTE_WORDS)
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
