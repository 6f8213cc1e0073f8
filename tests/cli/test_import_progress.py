from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from modgate.cli import _import_progress


def test_progress_bar_shows_on_a_terminal_for_large_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    screen = io.StringIO()
    monkeypatch.setattr(
        _import_progress, "err_console", lambda: Console(file=screen, force_terminal=True)
    )
    monkeypatch.setattr(_import_progress, "PROGRESS_MIN_BYTES", 1024)
    with _import_progress.import_progress(path) as update:
        assert update is not None
        update(1024, 2048, "bytes")
    assert "big.csv" in screen.getvalue()
    with _import_progress.import_progress(path, enabled=False) as update:
        assert update is None
    small = tmp_path / "small.csv"
    small.write_bytes(b"x")
    with _import_progress.import_progress(small) as update:
        assert update is None
