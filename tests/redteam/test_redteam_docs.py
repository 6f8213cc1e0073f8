"""docs/redteam.md stays true: its Python runs, its gate example loads, its tables name
every registered perturbation in the right family."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.redteam import LLM_PERTURBATIONS, PerturbationSpec, create_perturbation
from modgate.registry import create_registry
from modgate.release import AttackSuccessCriterion, load_gate_config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "redteam.md"
TEXT = DOCS.read_text(encoding="utf-8")


def test_the_python_example_runs() -> None:
    block = re.search(r"```python\n(.*?)```", TEXT, re.S)
    assert block is not None
    exec(block.group(1), {})  # noqa: S102 - the docs example, run as written


def test_the_gate_example_loads() -> None:
    block = re.search(r"```yaml\n(.*?)```", TEXT, re.S)
    assert block is not None
    config = load_gate_config(block.group(1), "gates/robust.yaml")
    kinds = [c for c in config.criteria if isinstance(c, AttackSuccessCriterion)]
    assert [(c.family, c.max, c.use) for c in kinds] == [
        ("normalized", 0.02, "point"),
        ("held_out", 0.30, "upper_bound"),
    ]


def test_the_family_tables_list_every_registered_perturbation() -> None:
    registry = create_registry()
    sections = {
        family: TEXT.split(f"### `{family}` family", 1)[1].split("###", 1)[0]
        for family in ("normalized", "held_out", "llm")
    }
    for name in registry.names("perturbation"):
        if name in LLM_PERTURBATIONS:
            assert f"`{name}`" in sections["llm"]
            continue
        family = create_perturbation(PerturbationSpec(name=name), registry).family
        assert re.search(rf"^\| `{name}` \|", sections[family], re.M), (name, family)
