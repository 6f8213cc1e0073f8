"""The Python examples of docs/llm.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from modgate.enforce import CascadeParams, EnforcerSpec
from modgate.enforce.llm import LLMParams

DOC = Path(__file__).resolve().parents[2] / "docs" / "llm.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("code", _blocks("python"))
def test_python_examples_run(code: str) -> None:
    exec(compile(code, str(DOC), "exec"), {})


def test_llm_spec_example_is_a_valid_spec() -> None:
    spec_yaml = next(block for block in _blocks("yaml") if "kind: llm" in block)
    spec = EnforcerSpec.model_validate(yaml.safe_load(spec_yaml))
    params = LLMParams.model_validate(spec.params)
    assert params.prices[params.model].output_per_million > 0


def test_cascade_example_has_the_documented_shape() -> None:
    spec_yaml = next(block for block in _blocks("yaml") if "kind: cascade" in block)
    raw = yaml.safe_load(spec_yaml.replace("{...}", "{}"))
    params = CascadeParams.model_validate(EnforcerSpec.model_validate(raw).params)
    assert [stage.spec.kind for stage in params.stages] == ["rules", "classifier", "llm"]
