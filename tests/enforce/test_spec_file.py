from __future__ import annotations

from pathlib import Path

import pytest

from modgate.enforce import load_enforcer_spec, parse_enforcer_spec
from modgate.enforce.classifier import ClassifierParams
from modgate.errors import ValidationError

GOOD = """\
kind: classifier
policy: hate_speech@3
params:
  profile: accurate
  C: 2.0
thresholds:
  remove: 0.9
  review: 0.6
  communities:
    askhistorians:
      remove: 0.7
"""


def test_loads_a_spec_named_after_its_file(tmp_path: Path) -> None:
    path = tmp_path / "hate-clf.yaml"
    path.write_text(GOOD)
    spec = load_enforcer_spec(path)
    assert spec.name == "hate-clf" and spec.kind == "classifier" and spec.policy == "hate_speech@3"
    assert spec.version is None
    assert spec.thresholds.remove == 0.9
    assert spec.thresholds.communities["askhistorians"].remove == 0.7
    assert ClassifierParams.model_validate(spec.params).profile == "accurate"


def test_every_problem_is_reported_with_file_line_and_column() -> None:
    text = """\
kind: classifier
policy: hate@1
params:
  profile: turbo
  C: -1
thresholds:
  remove: 1.5
  delete: 0.3
"""
    with pytest.raises(ValidationError) as caught:
        parse_enforcer_spec(text, file=Path("enforcers/x.yaml"))
    message = str(caught.value)
    assert "4 problems in enforcer spec enforcers/x.yaml:" in message
    assert "enforcers/x.yaml:4:12: params.profile:" in message and "'turbo'" in message
    assert "enforcers/x.yaml:5:6: params.C:" in message
    assert "enforcers/x.yaml:7:11: thresholds.remove:" in message
    assert "enforcers/x.yaml:8:3: thresholds.delete: unknown field 'delete'" in message
    # sorted by line
    assert message.index(":4:12:") < message.index(":5:6:") < message.index(":8:3:")


def test_missing_keys_point_at_the_mapping_and_name_mismatch_is_refused() -> None:
    text = "name: other\nparams: {}\n"
    with pytest.raises(ValidationError) as caught:
        parse_enforcer_spec(text, file=Path("enforcers/x.yaml"))
    message = str(caught.value)
    assert "x.yaml:1:1: name: 'other' differs from the file name 'x'" in message
    assert "kind: required field 'kind' is missing" in message
    assert "policy: required field 'policy' is missing" in message


def test_invalid_yaml_reports_the_position() -> None:
    with pytest.raises(ValidationError, match=r"x.yaml:3:1: invalid YAML"):
        parse_enforcer_spec("kind: classifier\npolicy: [unclosed\n", file=Path("x.yaml"))


def test_non_mapping_and_version_key_are_refused() -> None:
    with pytest.raises(ValidationError, match="must be a mapping"):
        parse_enforcer_spec("- a\n- b\n", file=Path("x.yaml"))
    with pytest.raises(ValidationError, match="version: set by the catalog"):
        parse_enforcer_spec("kind: recorded\npolicy: p@1\nversion: 3\nparams: {path: a.csv}\n",
                            file=Path("x.yaml"))  # fmt: skip


def test_unknown_kind_params_are_free_form() -> None:
    spec = parse_enforcer_spec("kind: acme_thing\npolicy: p@1\nparams: {anything: 1}\n",
                               file=Path("x.yaml"))  # fmt: skip
    assert spec.params == {"anything": 1}


def test_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not found"):
        load_enforcer_spec(tmp_path / "nope.yaml")


SNAPSHOTS = Path(__file__).parents[1] / "snapshots" / "enforce"


def test_diagnostics_match_the_snapshot() -> None:
    text = (SNAPSHOTS / "bad_spec.yaml").read_text()
    with pytest.raises(ValidationError) as caught:
        parse_enforcer_spec(text, file=Path("enforcers/bad_spec.yaml"))
    assert str(caught.value) + "\n" == (SNAPSHOTS / "bad_spec.txt").read_text()
