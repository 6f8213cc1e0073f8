"""Start-up stays cheap: importing the CLI app or the enforce package loads no heavy library.

Each check runs in a fresh interpreter, so what other tests imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "sklearn", "scipy", "openai", "re2", "pandas", "pyarrow", "statsmodels", "ahocorasick",
    "fastapi", "uvicorn", "prometheus_client", "redis", "httpx", "starlette",
    "wordllama", "tokenizers", "safetensors", "torch", "sentence_transformers",
)  # fmt: skip


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


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
    from modgate.cli.main import COMMANDS

    modules = sorted({entry.module for entry in COMMANDS.values()})
    assert _loaded_after("\n".join(f"import {m}" for m in modules)) == []


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
