"""docs/review.md: its example runs and every public function it names exists."""

from __future__ import annotations

import re
from pathlib import Path

import modgate.review

DOCS = Path(__file__).resolve().parents[2] / "docs" / "review.md"


def test_the_python_example_runs() -> None:
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None
    exec(compile(block.group(1), "docs/review.md", "exec"), {})


def test_the_library_functions_named_exist() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in ("sync_from_decisions", "claim_next", "decide", "undo_last", "review_context",
                 "record_reveal", "exposure_counts", "open_appeal", "decide_appeal",
                 "statement_of_reasons", "release_claim", "enqueue"):  # fmt: skip
        assert f"`{name}" in text, name
        assert hasattr(modgate.review, name), name
