"""Every YAML file type a user writes reports its problems in the one authoring format.

Each file under `data/` holds a duplicate key, a wrong type, an unknown field and a nested-alias
bomb ("billion laughs": 10⁹ nodes once expanded, from 600 bytes); each must yield exactly four
diagnostics, each on the line marked in the file, in well under a second.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from modgate.authoring import DEFAULT_LIMITS, AuthoringError
from modgate.enforce import load_enforcer_spec
from modgate.enforce.rules import load_ruleset
from modgate.enforce.rules._load import RULESET_LIMITS
from modgate.golden import load_golden_config
from modgate.policy import load_policy_file
from modgate.release import load_gate_config
from modgate.store import load_mapping_file

from .conftest import Snapshot

DATA = Path(__file__).resolve().parent / "data"

LOADERS: dict[str, Callable[[Path], object]] = {
    "policy": load_policy_file,
    "ruleset": load_ruleset,
    "enforcer": load_enforcer_spec,
    "gate": lambda path: load_gate_config(path.read_text(encoding="utf-8"), str(path)),
    "golden": load_golden_config,
    "mapping": load_mapping_file,
}

# file:line:col: field.path: message   (the one format), optionally a `    hint: …` line
ONE_FORMAT = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?:[\w.\[\]-]+: )?\S.*$")


def _marked_lines(text: str) -> list[int]:
    """Lines marked `# duplicate`, `# wrong type`, `# unknown`, `# bomb`, in that order."""
    lines = text.splitlines()
    return [
        next(i for i, line in enumerate(lines, start=1) if line.endswith(f"# {mark}"))
        for mark in ("duplicate", "wrong type", "unknown", "bomb")
    ]


@pytest.mark.parametrize("max_nodes", [DEFAULT_LIMITS.max_nodes, RULESET_LIMITS.max_nodes])
def test_the_bomb_crosses_the_node_limit_on_its_marked_line(max_nodes: int) -> None:
    """The expected bomb line, from the arithmetic: level k stands for 1 + 9·size(k-1) nodes.

    Rule set files have a node limit sized to their bigger size limit (`RULESET_LIMITS`): the
    same level still crosses it, a few aliases later on the same line.
    """
    sizes = [10]  # &a: the list and its nine scalars
    while len(sizes) < 9:
        sizes.append(1 + 9 * sizes[-1])
    composed = 0
    first_over = None
    for level, size in enumerate(sizes):
        if composed + 1 + 9 * (sizes[level - 1] if level else 1) > max_nodes:
            first_over = level
            break
        composed += size
    assert first_over == 6  # &g, marked `# bomb` in every file
    assert sizes[-1] > 10**8


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_four_problems_four_diagnostics_on_their_lines(
    kind: str, snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA)
    path = Path(f"{kind}.yaml")
    started = time.perf_counter()
    with pytest.raises(AuthoringError) as caught:
        LOADERS[kind](path)
    elapsed = time.perf_counter() - started
    diagnostics = caught.value.diagnostics
    assert [d.line for d in diagnostics] == _marked_lines(path.read_text(encoding="utf-8"))
    assert all(d.file == str(path) for d in diagnostics)
    assert "duplicate key" in diagnostics[0].message
    assert "unknown field" in diagnostics[2].message
    assert "billion laughs" in diagnostics[3].message
    rendered = caught.value.render().splitlines()
    assert sum(bool(ONE_FORMAT.match(line)) for line in rendered) == 4
    assert all(ONE_FORMAT.match(line) or line.startswith("    hint: ") for line in rendered)
    assert caught.value.exit_code == 6
    assert elapsed < 1.0, f"{kind}: {elapsed:.3f} s"  # generous: it takes milliseconds
    snapshot(f"{kind}.txt", str(caught.value) + "\n")
