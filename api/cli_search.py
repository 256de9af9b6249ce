"""``vorlagen search`` and ``vorlagen eval retrieval``: searching the store and measuring search.

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``). Both commands
use the store from ``api.container`` (``--store DIR`` or the configured one) and its retriever.

Exit codes as everywhere in the CLI: 1 for bad input (an empty or broken store, a malformed
query file, a failing backend), 2 for a wrong call (empty query, bad date, bad number). Every
error is one German sentence on stderr.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api.cli_common import (
    ARGUMENTS,
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    OPTIONS,
    HelpOption,
    StoreOption,
    command_group,
    fail,
    load_services,
    open_store,
    since_date,
)
from api.cli_eval_drafts import register as register_eval_drafts
from assistant.evaluation import EvalQuery, QueryFileError, SetMetrics, evaluate, parse_queries
from assistant.ports import BackendError
from assistant.presenter import (
    NO_HITS,
    hit_details,
    hit_number,
    hit_title,
    invalid_input,
    section_title,
)
from assistant.presenter_summaries import KURZFASSUNG_LABEL
from assistant.retrieval import MODES, HybridRetriever, Mode, RetrievalError
from assistant.usecases.search import DEFAULT_SEARCH_K, SearchRequest, SearchResult

log = logging.getLogger("vorlagen")

EVAL_DEPTH = 10

MODE_LABELS: dict[Mode, str] = {"dense": "dicht (e5)", "keyword": "BM25", "hybrid": "hybrid (RRF)"}


eval_app = command_group("eval", "Die Qualität des Assistenten messen.")


def register(app: typer.Typer) -> None:
    """Add ``search`` and the ``eval`` group (with ``retrieval``) to the ``vorlagen`` app."""
    app.command("search", add_help_option=False, rich_help_panel="Befehle")(search)
    app.add_typer(eval_app, name="eval", rich_help_panel="Befehle")
    register_eval_drafts(eval_app)  # `vorlagen eval drafts`


# --- vorlagen search ------------------------------------------------------------------------


def search(
    query: Annotated[
        str,
        typer.Argument(
            metavar="ANFRAGE",
            help="Wonach gesucht wird, z. B. „Kita-Neubau Vergabe“ oder ein Betreff.",
            rich_help_panel=ARGUMENTS,
            show_default=False,
        ),
    ],
    k: Annotated[
        int,
        typer.Option(
            "-k",
            "--anzahl",
            metavar="N",
            help="Wie viele Vorlagen gezeigt werden.",
            rich_help_panel=OPTIONS,
        ),
    ] = DEFAULT_SEARCH_K,
    kommune: Annotated[
        str | None,
        typer.Option(
            "--kommune",
            help="Nur Vorlagen dieser Kommune, genau wie gespeichert (z. B. „Stadt Karlsruhe“).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    art: Annotated[
        str | None,
        typer.Option(
            "--art",
            help="Nur Vorlagen dieser Art (z. B. „Beschlussvorlage“).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="ART",
            help="Nur Vorlagen (vorlage) oder nur Konzepte (konzept), z. B. die Maßnahmen "
            "eines Integrationskonzepts.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="JJJJ-MM-TT",
            help="Nur Vorlagen mit Datum an oder nach diesem Tag.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    nichtoeffentlich: Annotated[
        bool,
        typer.Option(
            "--nichtoeffentlich",
            help="Auch nichtöffentliche Vorlagen und solche ohne Angabe durchsuchen "
            "(nur für Berechtigte). Ohne diese Option werden nur Vorlagen gezeigt, die "
            "als öffentlich erkannt wurden.",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Die Treffer als JSON-Liste ausgeben (für andere Programme).",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    store: StoreOption = None,
    _help: HelpOption = False,
) -> None:
    """Ähnliche frühere Vorlagen finden (Stichwort- und Bedeutungssuche kombiniert).

    Je Vorlage werden Punktzahl, Vorlagen-Nr., Betreff, Abschnitt und ein Auszug gezeigt.
    Ohne --nichtoeffentlich werden nur Vorlagen durchsucht, die als öffentlich erkannt wurden.
    """
    try:
        request = SearchRequest(
            query=query,
            k=k,
            kommune=kommune,
            art=art,
            since=since_date(since, dotted=False),
            kind=kind,  # type: ignore[arg-type]  # validated by the model
        )
    except ValidationError as err:
        fail(invalid_input(err), EXIT_USAGE)
    services = load_services()
    target = open_store(services, store)
    try:
        result = services.search(request, allow_nonpublic=nichtoeffentlich, store=target)
    except RetrievalError as err:
        fail(str(err), EXIT_USAGE)
    except BackendError as err:
        fail(str(err), EXIT_BAD_INPUT)
    if as_json:
        hits = [hit.model_dump(mode="json") for hit in result.hits]
        sys.stdout.write(json.dumps(hits, ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    _print_hits(Console(highlight=False), result)


def _print_hits(console: Console, result: SearchResult) -> None:
    if not result.hits:
        console.print(NO_HITS)
        return
    for hit in result.hits:
        head = Text(f"{hit.rank}. ", style="bold")
        head.append(f"[{hit.score:.4f}] ", style="dim")
        head.append(hit_number(hit), style="bold")
        head.append(f" · {hit_title(hit)}")
        details = hit_details(hit)
        if details:
            head.append(f" ({details})", style="dim")
        console.print(head, soft_wrap=True)
        if hit.kurzfassung:
            summary = Text("   ")
            summary.append(f"{KURZFASSUNG_LABEL}: ", style="italic")
            summary.append(hit.kurzfassung)
            console.print(summary, soft_wrap=True)
        for passage in hit.passages:
            line = Text("   ")
            line.append(section_title(passage.section), style="italic")
            line.append(": " + passage.excerpt)
            console.print(line, soft_wrap=True)
        console.print()


# --- vorlagen eval retrieval ----------------------------------------------------------------


@eval_app.command("retrieval", add_help_option=False, rich_help_panel="Befehle")
def eval_retrieval(
    queries: Annotated[
        Path,
        typer.Option(
            "--queries",
            metavar="DATEI",
            help="Die Abfragen als JSON-Zeilen (set, id, query, relevant = Vorlagen-Nummern), "
            "z. B. tests/data/retrieval_eval.jsonl.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ],
    store: StoreOption = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Die Kennzahlen als JSON ausgeben.",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    _help: HelpOption = False,
) -> None:
    """Die Suche messen: Recall@1, Recall@5, Recall@10 und MRR je Abfragegruppe.

    Jede Abfrage läuft dreimal: nur Bedeutungssuche (dicht), nur Stichwortsuche (BM25) und
    kombiniert (hybrid). Gemessen wird auf Ebene der Vorlagen; nichtöffentliche Vorlagen
    werden für die Messung mit durchsucht.
    """
    try:
        loaded = parse_queries(queries.read_text(encoding="utf-8").splitlines())
    except OSError:
        fail(f"Die Abfragedatei {queries} kann nicht gelesen werden.", EXIT_BAD_INPUT)
    except UnicodeDecodeError:
        fail(f"Die Abfragedatei {queries} ist keine UTF-8-Textdatei.", EXIT_BAD_INPUT)
    except QueryFileError as err:
        fail(f"{queries}: {err}", EXIT_BAD_INPUT)
    retriever = open_store(load_services(), store).retriever
    results: dict[Mode, dict[str, SetMetrics]] = {}
    try:
        for mode in MODES:
            results[mode] = evaluate(loaded, _ranking(retriever, mode))
    except BackendError as err:
        fail(str(err), EXIT_BAD_INPUT)
    if as_json:
        payload = {
            mode: {name: metrics.as_dict() for name, metrics in per_set.items()}
            for mode, per_set in results.items()
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    _print_eval(Console(highlight=False), results)


def _ranking(retriever: HybridRetriever, mode: Mode) -> Callable[[EvalQuery], list[str | None]]:
    """The ranked Vorlagen-Nummern for a query in one mode (non-public included)."""

    def rank(query: EvalQuery) -> list[str | None]:
        groups = retriever.search(query.query, EVAL_DEPTH, allow_nonpublic=True, mode=mode)
        return [group.vorlagen_nr for group in groups]

    return rank


def hybrid_not_worse(results: dict[Mode, dict[str, SetMetrics]], name: str) -> bool:
    """Hybrid is at least as good as each single retriever on recall@1, @5 and MRR."""
    hybrid = results["hybrid"][name]
    for single in ("dense", "keyword"):
        other = results[single][name]
        if hybrid.mrr < other.mrr - 1e-9:
            return False
        if any(hybrid.recall[k] < other.recall[k] - 1e-9 for k in (1, 5) if k in hybrid.recall):
            return False
    return True


def _print_eval(console: Console, results: dict[Mode, dict[str, SetMetrics]]) -> None:
    sets = list(results["hybrid"])
    for name in sets:
        first = results["hybrid"][name]
        table = Table(
            title=f"Abfragegruppe „{name}“ ({first.queries} Abfragen)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("Verfahren")
        cutoffs = list(first.recall)
        for k in cutoffs:
            table.add_column(f"Recall@{k}", justify="right")
        table.add_column("MRR", justify="right")
        for mode in MODES[::-1]:
            metrics = results[mode][name]
            table.add_row(
                MODE_LABELS[mode],
                *(f"{metrics.recall[k]:.3f}" for k in cutoffs),
                f"{metrics.mrr:.3f}",
            )
        console.print(table)
        verdict = "ja" if hybrid_not_worse(results, name) else "NEIN"
        console.print(f"Hybrid mindestens so gut wie jedes Einzelverfahren: {verdict}\n")
