"""``vorlagen serve``: the HTTP service (chat page, API, bots) for admins.

Registered on the main ``vorlagen`` app by :func:`register`. It checks the bind rule first
(without API keys or users only this machine may connect: ``api/auth.py``), opens the store
(an empty one is refused with one German sentence, as for ``search``), the draft database and
then runs uvicorn with :func:`api.app.create_app`. Logs are JSON lines on stderr without
secrets or document text (``api/logs.py``).

Exit codes: 1 for an unusable store or database, 2 for a wrong call or a refused address.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from api.auth import AccessSettingsError
from api.bind import check_bind
from api.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    OPTIONS,
    HelpOption,
    StoreOption,
    fail,
    load_services,
    open_store,
)
from assistant.ports import BackendError

log = logging.getLogger("vorlagen")

HostOption = Annotated[
    str | None,
    typer.Option(
        "--host",
        metavar="ADRESSE",
        help="Adresse, auf der der Server hört (Voreinstellung: server.host, 127.0.0.1). "
        "Eine andere als diese Maschine nur mit API-Schlüsseln oder Benutzern.",
        rich_help_panel=OPTIONS,
        show_default=False,
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        metavar="PORT",
        min=1,
        max=65535,
        help="Port (Voreinstellung: server.port, 8000).",
        rich_help_panel=OPTIONS,
        show_default=False,
    ),
]


def serve(
    host: HostOption = None,
    port: PortOption = None,
    store: StoreOption = None,
    _help: HelpOption = False,
) -> None:
    """Den Vorlagen-Assistenten als Web-Dienst starten (Chat-Seite, API unter /docs).

    Ohne API-Schlüssel und Benutzer hört der Server nur auf dieser Maschine (127.0.0.1).
    Beenden mit Strg+C; laufende Entwürfe werden dann als abgebrochen gespeichert.
    """
    import uvicorn

    from api.app import create_app
    from api.logs import configure_json_logs

    services = load_services()
    configure_json_logs(services.settings.log_level)
    server = services.settings.server
    host = host or server.host
    port = port or server.port
    try:
        message = check_bind(host, server, port)
    except AccessSettingsError as err:
        fail(str(err), EXIT_USAGE)
    opened = open_store(services, store)
    try:
        app = create_app(services, store_dir=opened.directory)
    except BackendError as err:
        fail(str(err), EXIT_BAD_INPUT)
    log.warning(message)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,  # keep the JSON handler
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``vorlagen`` app."""
    app.command(
        "serve",
        rich_help_panel="Befehle",
        add_help_option=False,
    )(serve)
