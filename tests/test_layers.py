"""import-linter fails the test command when a lower layer imports a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(
    tmp_path: Path, bad_module: str | None, where: str = "store"
) -> subprocess.CompletedProcess[str]:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "tests" / "contracts",
        tmp_path / "tests" / "contracts",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if bad_module:
        (tmp_path / "src" / "modgate" / where / "_bad.py").write_text(bad_module)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'src'}{os.pathsep}{tmp_path}"}
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(lint), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_lower_layer_importing_higher_layer_breaks_the_contract(tmp_path: Path) -> None:
    result = _lint_imports(tmp_path, "import modgate.cli.main\n")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "modgate.store._bad -> modgate.cli" in result.stdout


def test_unchanged_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(tmp_path, None)
    assert result.returncode == 0, result.stdout


def test_importing_another_packages_private_module_breaks_the_contract(tmp_path: Path) -> None:
    result = _lint_imports(
        tmp_path, "from modgate.enforce.rules._load import load_ruleset\n", "cli"
    )
    assert result.returncode != 0
    assert "modgate.cli._bad imports modgate.enforce.rules._load" in result.stdout


def test_a_package_may_import_its_own_private_modules(tmp_path: Path) -> None:
    result = _lint_imports(
        tmp_path, "from modgate.enforce.rules._load import load_ruleset\n", "enforce"
    )
    assert result.returncode == 0, result.stdout
