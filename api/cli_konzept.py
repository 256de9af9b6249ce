"""``vorlagen konzept stand KONZEPT``: which measures of a concept Vorlagen took up (use case
:func:`assistant.usecases.konzept_stand.konzept_stand`; docs/konzepte.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from api.cli_common import (
    ARGUMENTS,
    EXIT_USAGE,
    OPTIONS,
    HelpOption,
    StoreOption,
    command_group,
    fail,
    load_services,
    open_store,
)
from assistant.presenter_konzept import stand_lines
from assistant.usecases.konzept_stand import UnknownKonzept, konzept_stand

__all__ = ["register"]

konzept_app = command_group(
    "konzept", "Integrationskonzepte: welche Maßnahmen Vorlagen aufgegriffen haben."
)


@konzept_app.command("stand", add_help_option=False)
def stand(
    konzept: Annotated[
        str,
        typer.Argument(
            metavar="KONZEPT",
            help="Die Kennung des Konzepts oder ein Teil seines Titels.",
            rich_help_panel=ARGUMENTS,
            show_default=False,
        ),
    ],
    nichtoeffentlich: Annotated[
        bool,
        typer.Option(
            "--nichtoeffentlich",
            help="Auch nichtöffentliche Vorlagen prüfen (nur für Berechtigte).",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Als JSON ausgeben.", rich_help_panel=OPTIONS),
    ] = False,
    store: StoreOption = None,
    _help: HelpOption = False,
) -> None:
    """Je Maßnahme die Vorlagen, die sie aufgegriffen haben (mit der Textstelle), und die
    Maßnahmen, die noch keine Vorlage aufgegriffen hat."""
    services = load_services()
    target = open_store(services, store)
    try:
        result = konzept_stand(
            target.records,
            target.keyword_index.vorlage_ids(),
            konzept,
            allow_nonpublic=nichtoeffentlich,
        )
    except UnknownKonzept as err:
        fail(str(err), EXIT_USAGE)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    Console(highlight=False).print(Text("\n".join(stand_lines(result))), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``konzept`` group (with ``stand``) to the ``vorlagen`` app."""
    app.add_typer(konzept_app, name="konzept", rich_help_panel="Befehle")
