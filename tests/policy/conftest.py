from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from modgate.registry import Registry, create_registry

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
DATA = Path(__file__).resolve().parent / "data"

Snapshot = Callable[[str, str], None]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return create_registry()


@pytest.fixture
def snapshot() -> Snapshot:
    """Compare text with tests/snapshots/NAME; UPDATE_SNAPSHOTS=1 rewrites the file."""

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        assert path.exists(), f"missing snapshot {name}: run with UPDATE_SNAPSHOTS=1 and review it"
        assert text == path.read_text(encoding="utf-8"), f"output differs from snapshot {name}"

    return check


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """tests/policy/data, made the current folder so findings name files relatively."""
    monkeypatch.chdir(DATA)
    return Path(".")
