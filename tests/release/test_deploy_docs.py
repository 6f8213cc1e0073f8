"""The Python example of docs/deploy.md runs as written, against a real deployment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from modgate.domain import Action
from modgate.release import deploy
from modgate.store import Store

from .deploy_helpers import add_report, build_world

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def test_worker_example_decides_under_the_current_deployments(store: Store, tmp_path: Path) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    world = build_world(store, tmp_path, n=12)
    add_report(store, world.lenient, world.golden)
    deploy(store, world.lenient.ref, "active", actor="t", gate_path=world.gate)
    batches = [world.items[:5], world.items[5:]]
    got = list(namespace["handle"](store, tmp_path, batches))
    assert [g[0] for g in got] == [i.id for i in world.items]
    assert all(arm == "active" and Action(action) for _, action, arm in got)
