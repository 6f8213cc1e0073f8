"""The CLI runner fixture of tests/cli, for `modgate redteam` tests."""

from tests.cli.conftest import run_cli

__all__ = ["run_cli"]
