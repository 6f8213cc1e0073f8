"""`modgate init`: create a workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from modgate.cli._output import console


def init(
    directory: Path = typer.Argument(Path("."), help="Folder to make a workspace of."),
    exist_ok: bool = typer.Option(
        False, "--exist-ok", help="On an existing workspace, only upgrade its database."
    ),
) -> None:
    """Create a workspace: modgate.toml, authoring folders and a migrated database."""
    from modgate.store import init_workspace

    settings = init_workspace(directory, exist_ok=exist_ok)
    console().print(
        f"workspace ready at [bold]{settings.workspace}[/bold] "
        f"(database: {settings.resolved_database_url.split('://', 1)[0]})"
    )
