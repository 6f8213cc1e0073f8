"""The lazily loaded package APIs stay honest: each name is typed, mapped and exported once."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import modgate

SRC = Path(modgate.__file__).parent
LAZY_PACKAGES = [
    "modgate",
    "modgate.enforce",
    "modgate.enforce.rules",
    "modgate.enforce.rules.automod",
    "modgate.enforce.classifier",
    "modgate.enforce.llm",
    "modgate.ui",
    "modgate.store",
    "modgate.policy",
    "modgate.evaluate",
    "modgate.release",
    "modgate.golden",
    "modgate.scale",
]


def _init_tree(package: str) -> ast.Module:
    path = SRC.joinpath(*package.split(".")[1:], "__init__.py")
    return ast.parse(path.read_text(encoding="utf-8"))


def _type_checking_names(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                for alias in imp.names:
                    names[alias.asname or alias.name] = imp.module
    return names


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_lazy_names_are_typed_mapped_and_exported_alike(package: str) -> None:
    module = importlib.import_module(package)
    typed = _type_checking_names(_init_tree(package))
    exported = set(module.__all__) - {"__version__"}
    assert set(typed) == exported, "TYPE_CHECKING imports and __all__ differ"
    for name, defining in typed.items():
        assert getattr(module, name) is getattr(importlib.import_module(defining), name), name


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    module, missing = importlib.import_module(package), "no_such_name"
    with pytest.raises(AttributeError, match="no attribute"):
        getattr(module, missing)


_FIRST_IMPORT = """
import importlib, os, sys
package, names = sys.argv[1], sys.argv[2:]
failed = []
for name in names:
    pid = os.fork()
    if pid == 0:  # a fresh start: nothing of modgate imported but what this name pulls in
        try:
            getattr(importlib.import_module(package), name)
        except BaseException as exc:
            print(f"{name}: {exc!r}")
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1]:
        failed.append(name)
print("FAILED", *failed)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child per module")
@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_each_module_loads_when_its_name_is_the_first_one_used(package: str) -> None:
    # A lazy package lets any of its modules be the first one imported; an import cycle that
    # an eager __init__ used to hide (by importing in a fixed order) shows up here.
    first_of_each_module: dict[str, str] = {}
    for name, defining in sorted(_type_checking_names(_init_tree(package)).items()):
        first_of_each_module.setdefault(defining, name)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_IMPORT, package, *first_of_each_module.values()],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "FAILED", done.stdout
