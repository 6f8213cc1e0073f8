"""The Python example of docs/community.md runs as written, and says what it does."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.policy import CommunityImportResult, FamiliesResult, Policy
from modgate.store import Store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "community.md"


def test_the_python_example_runs(store: Store) -> None:
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    namespace: dict[str, object] = {"store": store}
    exec(block.group(1), namespace)  # noqa: S102 - the docs example, run as written
    result = namespace["result"]
    assert isinstance(result, CommunityImportResult)
    assert result.added == 23 and result.lint.findings["contradicts_site"] == 1
    policy = namespace["policy"]
    assert isinstance(policy, Policy) and policy.scope == "community:askhistorians"
    families = namespace["families"]
    assert isinstance(families, FamiliesResult)
    biggest = families.largest[0]
    assert "promotion" in biggest.name.lower() and biggest.communities == 5
