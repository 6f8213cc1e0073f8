"""The config example of docs/golden.md loads, and its Python snippet runs."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.golden import freeze_golden_set, load_golden_config
from modgate.store import Store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "golden.md"


def test_the_config_example_loads(tmp_path: Path) -> None:
    block = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    path = tmp_path / "set.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    config = load_golden_config(path)
    assert config.labels == ("violating", "non_violating")
    assert [t.min for t in config.targets] == [30, 50]
    assert config.split.group_by == ("group", "parent", "near_duplicate")


def test_the_python_snippet_runs(annotated: Store) -> None:
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    freeze_golden_set(annotated, "g", actor="t")
    code = block.group(1).replace('"hate@3"', '"g@1"')
    namespace: dict[str, object] = {"store": annotated}
    exec(code, namespace)  # noqa: S102 - the docs example, run as written
    rows = namespace["rows"]
    assert isinstance(rows, list) and rows and all(r.split == "train" for r in rows)
