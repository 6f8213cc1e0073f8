"""The demo's run context: the workspace, store and console its steps share, and the sample."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rich.console import Console

from modgate.config import Settings
from modgate.domain import Item
from modgate.store import Store


@dataclass
class DemoRun:
    """State shared by the demo's steps."""

    settings: Settings
    store: Store
    out: Console
    sample_path: Path
    notes: list[str] = field(default_factory=list)
    """SQL and commands to suggest at the end."""

    @property
    def workspace(self) -> Path:
        """The demo workspace."""
        assert self.settings.workspace is not None
        return self.settings.workspace


def demo_data_file(*parts: str) -> Path:
    """Path of a file shipped in the demo's `data/` folder."""
    return Path(str(resources.files("modgate.cli.demo").joinpath("data", *parts)))


def sample_file() -> Path:
    """Path of the shipped demo sample (Davidson + ToxiGen seeds, MIT; see its README)."""
    return demo_data_file("sample.jsonl")


def load_sample_items(path: Path) -> list[Item]:
    """Read the demo sample as items (labels and vote counts kept in `meta`)."""
    found: list[Item] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            meta = dict(row.get("meta") or {})
            meta.update({"source": row["source"], "dataset_label": row["label"]})
            found.append(Item(id=row["id"], kind="other", body=row["text"], meta=meta))
    return found


def write_sample_export(sample: Path, target: Path) -> Path:
    """Write the shipped sample as an analyst's JSONL export (labels and votes as columns)."""
    with sample.open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for line in source:
            row = json.loads(line)
            record = {
                "id": row["id"],
                "text": row["text"],
                **(row.get("meta") or {}),
                "source": row["source"],
                "dataset_label": row["label"],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target
