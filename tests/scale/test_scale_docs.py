"""The Python example of docs/scale.md runs, and its exchange-format table matches the code."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.scale import VERDICT_COLUMNS
from modgate.scale._exchange import OPTIONAL_COLUMNS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_docs_example_runs() -> None:
    text = (DOCS / "scale.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/scale.md", "exec"), {})


def test_the_exchange_table_lists_every_column_in_order() -> None:
    text = (DOCS / "scale.md").read_text(encoding="utf-8")
    section = text.split("## The exchange format", 1)[1].split("##", 1)[0]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert tuple(listed) == (*VERDICT_COLUMNS, *OPTIONAL_COLUMNS)
