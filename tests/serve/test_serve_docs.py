"""The Python example of docs/serve.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from modgate.domain import Action

from .conftest import World, deploy_ref

DOC = Path(__file__).resolve().parents[2] / "docs" / "serve.md"


def test_python_example_moderates_one_item(world: World) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    deploy_ref(world, world.harsh.ref, "active")
    item = world.items[0]
    action = namespace["moderate_once"](world.store, world.workspace, item.id, item.body)
    assert Action(action) is Action.REMOVE  # the harsh enforcer removes everything
