from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from modgate.cli.main import main


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


Run = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:
            code = 0
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
