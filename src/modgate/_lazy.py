"""Lazy package attributes (PEP 562), so importing a package does not import its heavy parts.

A package `__init__` lists its public names once in `__all__` and once under
`typing.TYPE_CHECKING` (for type checkers), and hands the name → module map to `attach`:
a name's module is imported on first access. This is what keeps `modgate --help` from loading
scikit-learn, openai or re2 (hand-written because the well-known `lazy_loader` package wants
a `.pyi` stub per package, which type checkers here would read instead of the code).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def attach(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a package whose attributes load on first use.

    Args:
        package: The package's `__name__`.
        exports: Public name → module that defines it (absolute, or relative like `._x`).

    Returns:
        The module-level `__getattr__` and `__dir__` functions to assign in the package.
    """
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__


__all__ = ["attach"]
