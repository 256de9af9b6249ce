"""How close the code-written Beschlussvorschlag comes to the real one, without the model.

Issue 9: the model's object is refused in about half the drafts, and the resolution then
falls back to the Betreff (``assistant.resolution.fallback_object``). This study measures,
over every usable paper of a folder (default: the Karlsruhe OParl papers), the corpus chrF of
resolutions written by code alone against the papers' own, for candidate wordings of that
fallback, so that the wording is chosen by a figure over ~1,000 real resolutions rather than
by taste. The request is the one ``vorlagen eval drafts`` builds (``request_from_vorlage``);
the form is chosen without retrieval (``choose_form`` with no passages), as a lower bound of
what the service does.

Prints, per wording: corpus chrF over all papers, and over the papers of the eval's 20
(``choose_papers``, the development set) apart, so that a wording is not chosen for those.

Usage: ``python bench/resolution_fallback.py [--papers DIR] [--n 20]``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.draft_case import beratungsfolge_for  # noqa: E402
from assistant.eval.metrics import corpus_chrf  # noqa: E402
from assistant.eval.papers import choose_papers, request_from_vorlage, skip_reason  # noqa: E402
from assistant.resolution import (  # noqa: E402
    Form,
    choose_form,
    compose,
    fallback_object,
    recommending_bodies,
)
from assistant.resolution_kinds import fixed_resolution  # noqa: E402
from assistant.schema import DraftRequest, Vorlage  # noqa: E402
from ingest.parse import parse_path  # noqa: E402


def _name(betreff: str) -> str:
    return " ".join(betreff.split()).strip(' „“"')


Wording = Callable[[str, Form], str]
WORDINGS: dict[str, Wording] = {
    "shipped": fallback_object,
    "betreff quoted, no tail": lambda b, f: (
        f"der Vorlage „{_name(b)}“" if f == "stimmt_zu" else f"die Vorlage „{_name(b)}“"
    ),
    "betreff as object": lambda b, f: (
        f"der Vorlage „{_name(b)}“" if f == "stimmt_zu" else f"„{_name(b)}“"
    ),
    "entsprechend der Vorlage": lambda b, f: (
        f"der Vorlage „{_name(b)}“"
        if f == "stimmt_zu"
        else f"„{_name(b)}“ entsprechend der Vorlage"
    ),
    "gemäß der Vorlage": lambda b, f: (
        f"der Vorlage „{_name(b)}“ gemäß der Sachdarstellung"
        if f == "stimmt_zu"
        else f"„{_name(b)}“ gemäß der Vorlage"
    ),
}


def _load(path: Path) -> Vorlage | str:
    try:
        return parse_path(path)
    except Exception as err:  # unreadable papers are not part of the study
        return f"{type(err).__name__}"


def _resolution(request: DraftRequest, wording: Wording | None) -> str:
    """The resolution by code: ``wording``'s object, or (``None``) the shipped path: the
    fixed wording of a known kind of matter, else the Betreff fallback."""
    form = choose_form(request, [])
    recommending = recommending_bodies(request, beratungsfolge_for(request))
    fixed = fixed_resolution(request.betreff, form) if wording is None else None
    if fixed is not None:
        return fixed.written(request.gremium, recommending)
    obj = (wording or fallback_object)(request.betreff, form)
    return compose(form, request.gremium, obj, recommending=recommending)


def _kind(request: DraftRequest) -> str:
    fixed = fixed_resolution(request.betreff, choose_form(request, []))
    return fixed.kind if fixed is not None else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    shared = REPO.parent / "shared"
    parser.add_argument("--papers", type=Path, default=shared / "corpus/karlsruhe-oparl/papers")
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    paths = sorted(args.papers.glob("*.json"))
    dev, _ = choose_papers(paths, args.n, _load)
    dev_ids = {v.id for v in dev}
    papers: list[tuple[DraftRequest, str, bool]] = []
    for path in paths:
        vorlage = _load(path)
        if isinstance(vorlage, str) or skip_reason(vorlage) is not None:
            continue
        papers.append(
            (request_from_vorlage(vorlage), vorlage.beschlussvorschlag or "", vorlage.id in dev_ids)
        )
    print(f"papers: {len(papers)} ({sum(d for *_, d in papers)} of them the eval's {args.n})")
    print(f"{'wording':28} {'chrF other':>11} {'chrF eval':>10}")
    for name, wording in [*WORDINGS.items(), ("fixed kinds, else shipped", None)]:
        other = [(_resolution(r, wording), ref) for r, ref, d in papers if not d]
        evaluated = [(_resolution(r, wording), ref) for r, ref, d in papers if d]
        print(f"{name:28} {corpus_chrf(other) or 0:11.1f} {corpus_chrf(evaluated) or 0:10.1f}")
    kinds = Counter(_kind(r) for r, _, _ in papers)
    print("\nper kind of matter (all papers): n, chrF Betreff fallback, chrF fixed wording")
    for kind, count in kinds.most_common():
        if kind == "-":
            continue
        pairs = [(r, ref) for r, ref, _ in papers if _kind(r) == kind]
        shipped = corpus_chrf([(_resolution(r, fallback_object), ref) for r, ref in pairs])
        fixed = corpus_chrf([(_resolution(r, None), ref) for r, ref in pairs])
        print(f"  {kind:26} {count:4} {shipped or 0:6.1f} {fixed or 0:6.1f}")
    print(f"  {'(no fixed wording)':26} {kinds['-']:4}")


if __name__ == "__main__":
    main()
