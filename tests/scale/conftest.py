from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from modgate.cli.main import main
from modgate.scale import dask_client


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real local cluster: 2 single-threaded worker processes on loopback."""
    with dask_client(None, n_workers=2) as found:
        yield found


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
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
