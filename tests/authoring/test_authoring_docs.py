"""docs/authoring.md: its Python example runs, and its sample output is what the loader prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modgate.authoring import AuthoringError
from modgate.release import load_gate_config

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")


def test_the_python_example_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    exec(compile(code, "docs/authoring.md", "exec"), {})


def test_the_sample_output_is_the_gate_files_real_report(monkeypatch: pytest.MonkeyPatch) -> None:
    sample = next(b for b in re.findall(r"```\n(.*?)```", DOC, flags=re.S) if "gate.yaml" in b)
    monkeypatch.chdir(Path(__file__).parent / "data")
    with pytest.raises(AuthoringError) as caught:
        load_gate_config(Path("gate.yaml").read_text(encoding="utf-8"), "gate.yaml")
    assert str(caught.value) + "\n" == sample


def test_the_readme_links_the_page() -> None:
    assert "docs/authoring.md" in (ROOT / "README.md").read_text(encoding="utf-8")
