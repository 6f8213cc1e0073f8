import re
from pathlib import Path

import yaml

from modgate.monitor import MonitorConfig

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_monitor_file_example_validates() -> None:
    text = (DOCS / "monitor.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    config = MonitorConfig.model_validate({"name": "harassment", **yaml.safe_load(block.group(1))})
    assert [c.kind for c in config.checks][:2] == ["action_rate", "evasion_share"]


def test_the_python_example_runs() -> None:
    text = (DOCS / "monitor.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    exec(compile(block.group(1), "docs/monitor.md", "exec"), {})
