"""Start-up stays cheap: importing the CLI app or the enforce package loads no heavy library.

Each check runs in a fresh interpreter, so what other tests imported does not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modgate.cli.main import COMMANDS

HEAVY = (
    "sklearn", "scipy", "openai", "re2", "pandas", "pyarrow", "statsmodels", "ahocorasick",
    "torch", "sentence_transformers", "transformers", "dask", "distributed",
    "fastapi", "uvicorn", "prometheus_client", "redis", "httpx", "starlette",
    "wordllama", "tokenizers", "safetensors", "torch", "sentence_transformers",
)  # fmt: skip
"""Libraries that load on first use: model, data-frame, LLM and service libraries."""

HELP_ALSO = ("sqlalchemy", "alembic", "numpy", "pydantic", "pydantic_settings", "yaml", "jinja2")
"""Not heavy, but no `--help` needs them: the store, settings, records, numbers, file formats
(pydantic: Typer coerces through it, built only for a value that is given, see
`cli/_deferred_coercion.py`)."""

READS_NEVER = (
    "alembic", "numpy", "yaml", "modgate.evaluate._figures", "sqlalchemy.dialects.postgresql",
)  # fmt: skip
"""What no read command loads: migrations, numbers (`eval list` validates the stored figures'
records, `evaluate._records`, and computes nothing), file formats, and the PostgreSQL dialect
(`store.PortableJson` loads it only for a PostgreSQL engine)."""

_SQLITE_ENV = {k: v for k, v in os.environ.items() if k != "MODGATE_DATABASE_URL"}
"""The environment of the read-command checks: the workspace's own SQLite database."""


def _loaded_after(
    statement: str, watched: tuple[str, ...] = HEAVY, cwd: Path | None = None
) -> list[str]:
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=_SQLITE_ENV if cwd is not None else None,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


_FORKED_RUNS = """
import contextlib, io, json, os, sys
from modgate.cli.main import main

results = {}
for args in ARGS:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child starts where a fresh `modgate` process would: the app imported
        os.close(read)
        try:
            quiet = io.StringIO()
            with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                try:
                    main(args)
                    code = 0
                except SystemExit as exc:
                    code = exc.code or 0
            out = [code, sorted(m for m in WATCHED if m in sys.modules)]
        except BaseException as exc:
            out = [repr(exc), []]
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    results[" ".join(args)] = json.loads(data)
print(json.dumps(results))
"""


def _loaded_by_commands(
    commands: list[list[str]], watched: tuple[str, ...], cwd: Path | None = None
) -> dict[str, list[object]]:
    """{command: [exit code, watched modules loaded]} of each `modgate` command.

    One interpreter imports the CLI app, then forks once per command, so each command starts
    from the state of a fresh process (no module another command loaded) at a fraction of the
    cost of starting one interpreter per command.
    """
    code = f"ARGS = {commands!r}\nWATCHED = {watched!r}\n{_FORKED_RUNS}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=_SQLITE_ENV if cwd is not None else None,
    )
    found: dict[str, list[object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "statement",
    [
        "import modgate",
        "import modgate.enforce",
        "import modgate.enforce.rules, modgate.enforce.classifier, modgate.enforce.llm",
        "import modgate.enforce.fewshot",
        "import modgate.cli.main",
        "from modgate.enforce import enforcer_kinds; enforcer_kinds()",
    ],
)
def test_import_loads_no_heavy_library(statement: str) -> None:
    assert _loaded_after(statement) == []


def test_no_command_module_loads_a_heavy_library() -> None:
    modules = sorted({entry.module for entry in COMMANDS.values()})
    assert _loaded_after("\n".join(f"import {m}" for m in modules), HEAVY + HELP_ALSO) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child per command")
def test_help_loads_no_heavy_library_nor_the_store() -> None:
    commands = [["--help"], *([name, "--help"] for name in COMMANDS)]
    found = _loaded_by_commands(commands, HEAVY + HELP_ALSO)
    assert set(found) == {" ".join(c) for c in commands}
    assert {cmd: out for cmd, out in found.items() if out != [0, []]} == {}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("startup") / "ws"
    subprocess.run(
        [sys.executable, "-m", "modgate", "init", str(folder)],
        capture_output=True,
        check=True,
        env=_SQLITE_ENV,
    )
    return folder


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child per command")
def test_read_commands_load_no_heavy_library(workspace: Path) -> None:
    commands = [["sql", "SELECT 1"], ["items", "list"], ["eval", "list"]]
    found = _loaded_by_commands(commands, HEAVY + READS_NEVER + ("sqlalchemy",), cwd=workspace)
    # `sql` reads the workspace's SQLite file with sqlite3 alone (`store.current_sqlite_file`)
    assert found == {
        "sql SELECT 1": [0, []],
        "items list": [0, ["sqlalchemy"]],
        "eval list": [0, ["sqlalchemy"]],
    }


def test_heavy_libraries_load_when_a_kind_is_used() -> None:
    loaded = _loaded_after(
        "from modgate.enforce.rules import RuleSet, compile_ruleset\n"
        "compile_ruleset(RuleSet.model_validate({'rules': [{'id': 'a', 'keywords': ['x']}]}))"
    )
    assert "re2" in loaded and "ahocorasick" in loaded


def test_the_fewshot_backend_loads_when_one_is_built() -> None:
    loaded = _loaded_after(
        "from modgate.enforce.fewshot import get_backend\nget_backend('wordllama')"
    )
    assert "wordllama" in loaded and "torch" not in loaded
