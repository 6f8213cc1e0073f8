"""The enforcer spec examples in docs/enforcers.md are valid specs."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.enforce import parse_enforcer_spec

DOC = Path(__file__).resolve().parents[2] / "docs" / "enforcers.md"


def test_every_spec_example_in_the_docs_loads() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    specs = [b for b in blocks if re.search(r"^kind:", b, re.M)]
    assert len(specs) >= 2
    for number, text in enumerate(specs):
        spec = parse_enforcer_spec(text, file=Path(f"enforcers/example-{number}.yaml"))
        assert spec.policy and spec.kind
