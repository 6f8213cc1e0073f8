"""Every command has help and a docs entry (a promise the project polices itself)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from modgate.cli.main import COMMANDS, app, load_command

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _command_paths() -> list[str]:
    group = typer.main.get_command(app)
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if prefix == "":  # the root loads its commands lazily
            subcommands = {name: load_command(name) for name in COMMANDS}
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            paths.append(prefix)
            assert getattr(cmd, "help", None), f"`modgate {prefix}` has no help text"

    walk(group, "")
    return paths


def test_every_command_has_help_and_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    missing = [p for p in _command_paths() if f"modgate {p}" not in docs]
    assert missing == [], f"commands without a docs entry: {missing}"


def test_the_root_help_lines_are_each_commands_own_help() -> None:
    for name, entry in COMMANDS.items():
        own = (load_command(name).help or "").strip().splitlines()[0]
        assert entry.help == own, f"`modgate --help` line of {name!r} differs from its own help"
