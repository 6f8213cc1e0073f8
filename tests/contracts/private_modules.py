"""An import-linter contract type: no package imports another package's private modules.

STYLE rule 6: cross-package imports go through the package `__init__` (`from modgate.evaluate
import run_eval`), never into another package's `_private` module. A module is private when
any segment of its name below the root package starts with one underscore; it belongs to the
top-level package it lives in (`modgate.enforce.rules._load` belongs to `modgate.enforce`), and
only modules of that package may import it. Private modules of the root itself
(`modgate._lazy`) are shared infrastructure. import-linter's own `forbidden` contracts cannot
say "any private module" (a wildcard must replace a whole name), hence this small type, loaded
through `contract_types` in pyproject.toml.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def _is_private(segment: str) -> bool:
    return segment.startswith("_") and not segment.startswith("__")


def owner_of_private(module: str, root: str) -> str | None:
    """The top-level package a private module belongs to, or None when it is not private."""
    parts = module.split(".")
    if parts[0] != root or len(parts) < 3:
        return None  # the root's own private modules are shared
    if any(_is_private(p) for p in parts[2:]):
        return ".".join(parts[:2])
    return None


class PrivateModulesContract(Contract):
    """Kept when no module imports a private module of another top-level package."""

    type_name = "private_modules"
    root = fields.StringField()

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        """Every direct import into a private module stays inside its owner package."""
        root = str(self.root)
        violations: list[str] = []
        for importer in sorted(graph.modules):
            if not importer.startswith(root + "."):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                owner = owner_of_private(imported, root)
                if owner is None or importer == owner or importer.startswith(owner + "."):
                    continue
                violations.append(f"{importer} imports {imported} (private to {owner})")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """List each offending import."""
        for line in (check.metadata or {}).get("violations", []):
            output.print_error(line)
            output.new_line()
