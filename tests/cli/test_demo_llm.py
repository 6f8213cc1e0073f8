from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modgate.testing import FakeLLMServer

Run = Any


def test_demo_says_plainly_when_the_llm_stage_is_skipped(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODGATE_LLM_BASE_URL", raising=False)
    result = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "LLM stage skipped — MODGATE_LLM_BASE_URL is not set" in text
    assert "demo-rules: 120 items (100% of traffic)" in text


def test_demo_cascade_calls_the_llm_for_the_uncertain_band_only(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLMServer
) -> None:
    monkeypatch.setenv("MODGATE_LLM_BASE_URL", fake_llm.base_url)
    result = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "skipped" not in text
    assert "stage demo-judge:" in text and "0 errors" in text.split("stage demo-judge:")[1]
    reached = int(text.split("stage demo-judge:")[1].split(" items")[0])
    assert 0 < reached < 120
    assert fake_llm.request_count == reached
    assert fake_llm.requests[0].messages[0]["role"] == "system"
    assert "hate" in fake_llm.requests[0].messages[0]["content"].lower()
