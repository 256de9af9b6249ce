"""``vorlagen schluessel neu`` and ``vorlagen schluessel benutzer``: access for the HTTP service.

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``). Both print an
entry for ``vorlagen.toml`` (``[[server.api_keys]]`` or ``[[server.users]]``) and read and
write no settings themselves: the admin pastes the entry (docs/security.md). A new API key
is printed once, with its hash; only the hash goes into the settings. A user's password is
asked twice without echo and only its argon2id hash is printed.

Exit codes: 2 for a wrong call (a bad name, a short or mismatching password), each as one
German sentence on stderr.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.auth import APPROVE, INGEST, NONPUBLIC, hash_password, new_api_key, valid_name
from api.cli_common import EXIT_USAGE, OPTIONS, HelpOption, command_group, fail

MIN_PASSWORD_CHARS = 12

keys_app = command_group("schluessel", "Zugänge zum Server einrichten: API-Schlüssel und Benutzer.")

NameOption = Annotated[
    str,
    typer.Option(
        "--name",
        metavar="NAME",
        help="Wer den Zugang nutzt (erscheint im Protokoll): Buchstaben, Ziffern, . @ - _ "
        "und Leerzeichen, höchstens 64 Zeichen.",
        rich_help_panel=OPTIONS,
        show_default=False,
    ),
]
NonpublicOption = Annotated[
    bool,
    typer.Option(
        "--nichtoeffentlich",
        help="Darf nichtöffentliche Vorlagen sehen (Suche, Quellen, Entwürfe).",
        rich_help_panel=OPTIONS,
    ),
]
IngestOption = Annotated[
    bool,
    typer.Option("--ingest", help="Darf Vorlagen einlesen.", rich_help_panel=OPTIONS),
]
ApproveOption = Annotated[
    bool,
    typer.Option(
        "--mitzeichnen",
        help="Darf Entwürfe mitzeichnen (freigeben oder zurückgeben), wenn darum gebeten wird.",
        rich_help_panel=OPTIONS,
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``schluessel`` group (``neu``, ``benutzer``) to the ``vorlagen`` app."""
    app.add_typer(keys_app, name="schluessel", rich_help_panel="Befehle")


def _rights(nonpublic: bool, ingest: bool, approve: bool) -> list[str]:
    given = ((NONPUBLIC, nonpublic), (INGEST, ingest), (APPROVE, approve))
    return [right for right, on in given if on]


def _entry(table: str, name: str, secret_field: str, secret: str, rights: list[str]) -> str:
    # JSON strings are valid TOML basic strings for these characters (names are checked)
    return "\n".join(
        [
            f"[[server.{table}]]",
            f"name = {json.dumps(name, ensure_ascii=False)}",
            f"{secret_field} = {json.dumps(secret)}",
            f"rights = {json.dumps(rights)}",
        ]
    )


def _check_name(name: str) -> None:
    if not valid_name(name):
        fail(
            "Dieser Name ist nicht erlaubt: erlaubt sind Buchstaben, Ziffern, . @ - _ und "
            "Leerzeichen, höchstens 64 Zeichen.",
            EXIT_USAGE,
        )


@keys_app.command("neu", add_help_option=False, rich_help_panel="Befehle")
def new_key(
    name: NameOption,
    nonpublic: NonpublicOption = False,
    ingest: IngestOption = False,
    approve: ApproveOption = False,
    _help: HelpOption = False,
) -> None:
    """Einen neuen API-Schlüssel erzeugen und den Eintrag für vorlagen.toml ausgeben.

    Der Schlüssel wird nur dieses eine Mal angezeigt; in die Einstellungen kommt nur sein
    Hash. Ohne Rechte sieht der Schlüssel nur öffentliche Vorlagen und darf nichts einlesen.
    """
    _check_name(name)
    created = new_api_key()
    entry = _entry("api_keys", name, "hash", created.hash, _rights(nonpublic, ingest, approve))
    typer.echo(f"Neuer API-Schlüssel für „{name}“ (wird nur jetzt angezeigt):\n")
    typer.echo(f"    {created.key}\n")
    typer.echo("Eintrag für vorlagen.toml (danach den Server neu starten):\n")
    typer.echo(entry)


@keys_app.command("benutzer", add_help_option=False, rich_help_panel="Befehle")
def new_user(
    name: NameOption,
    nonpublic: NonpublicOption = False,
    ingest: IngestOption = False,
    approve: ApproveOption = False,
    _help: HelpOption = False,
) -> None:
    """Einen Benutzer für die Web-Seite anlegen: fragt das Passwort zweimal ab und gibt den
    Eintrag mit dem argon2id-Hash für vorlagen.toml aus (das Passwort selbst nie)."""
    _check_name(name)
    password = typer.prompt("Passwort", hide_input=True)
    if len(password) < MIN_PASSWORD_CHARS:
        fail(f"Das Passwort ist zu kurz: mindestens {MIN_PASSWORD_CHARS} Zeichen.", EXIT_USAGE)
    if typer.prompt("Passwort wiederholen", hide_input=True) != password:
        fail("Die beiden Passwörter stimmen nicht überein.", EXIT_USAGE)
    entry = _entry(
        "users", name, "password_hash", hash_password(password), _rights(nonpublic, ingest, approve)
    )
    typer.echo("\nEintrag für vorlagen.toml (danach den Server neu starten):\n")
    typer.echo(entry)
