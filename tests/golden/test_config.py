from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import ValidationError
from modgate.golden import load_golden_config


def test_config_reads_targets_labels_and_splits(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "labels: [violating, non_violating]\n"
        "targets:\n"
        "  - {policy: hate_speech, allowed: counter_speech, min: 30}\n"
        "split: {ratios: {train: 0.7, test: 0.3}, group_by: [source], seed: 4}\n",
        encoding="utf-8",
    )
    config = load_golden_config(path)
    assert config.targets[0].describe() == "policy=hate_speech, allowed=counter_speech"
    assert config.split.ratios == {"train": 0.7, "test": 0.3}
    assert config.split.group_by == ("source",) and config.split.seed == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("targets: [\n  {policy: x\n", "g.yaml:"),
        ("targets:\n  - {policy: x}\n", "targets[0].min"),
        ("split: {ratios: {train: 0.5, dev: 0.1}}\n", "sum to 1"),
        ("split: {ratios: {holdout: 1.0}}\n", "unknown split names"),
        ("colour: blue\n", "colour"),
    ],
)
def test_bad_config_names_the_file_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_golden_config(path)
    assert str(path) in info.value.message and expected in info.value.message


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        load_golden_config(tmp_path / "nope.yaml")
