from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.errors import ValidationError
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    PredictionTable,
    compare_predictions,
    compute_eval_figures,
)
from modgate.release import evaluate_gates, gate_file_hash, load_gate_config
from tests.evaluate.conftest import make_records

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "gate_errors.txt"
FAST = FigureConfig(intervals=IntervalConfig(resamples=200), min_support=20)

GATE = """\
description: production gate for hate
min_support: 20
criteria:
  - kind: minimum
    metric: precision
    value: 0.5
    use: lower_bound
  - kind: minimum
    metric: recall
    value: 0.99
  - kind: maximum
    metric: fpr
    slices: [tag=counter_speech, community=c0]
    value: 0.5
  - kind: regression
    metric: recall
    max_drop: 0.02
    per: community
  - kind: budget
    metric: error_rate
    max: 0.05
  - kind: budget
    metric: latency_ms_p95
    max: 1.0
"""

BAD_GATE = """\
min_support: 20
criteria:
  - kind: minimum
    metric: precison
    value: 0.5
  - kind: maximum
    metric: fpr
    value: 1.5
  - kind: regression
    metric: recall
    max_dorp: 0.1
  - kind: sometimes
    metric: f1
"""


def _figures(seed: int = 0):  # type: ignore[no-untyped-def]
    return compute_eval_figures(PredictionTable.from_records(make_records(500, seed)), FAST)


def test_gate_file_errors_point_at_lines_and_all_are_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        load_gate_config(BAD_GATE, "gates/prod.yaml")
    message = str(caught.value)
    for line in ("gates/prod.yaml:4:", "gates/prod.yaml:8:", "gates/prod.yaml:11:",
                 "gates/prod.yaml:12:"):  # fmt: skip
        assert line in message, message
    assert message == SNAPSHOT.read_text(encoding="utf-8").rstrip("\n")


def test_invalid_yaml_names_file_line_and_column() -> None:
    with pytest.raises(ValidationError, match=r"gates/x.yaml:\d+:\d+: invalid YAML"):
        load_gate_config("criteria:\n  - [unclosed\n", "gates/x.yaml")
    with pytest.raises(ValidationError, match="must be a mapping"):
        load_gate_config("- 1\n", "gates/x.yaml")


def test_gate_name_defaults_to_the_file_stem_and_hash_follows_the_text() -> None:
    config = load_gate_config(GATE, "ws/gates/prod.yaml")
    assert config.name == "prod"
    assert gate_file_hash(GATE) != gate_file_hash(GATE + "\n")


def test_every_criterion_reports_value_interval_and_evidence() -> None:
    config = load_gate_config(GATE, "gates/prod.yaml")
    figures = _figures()
    results = evaluate_gates(config, figures)
    by_id = {r.id: r for r in results}
    precision = by_id["minimum:precision"]
    overall = figures.overall.metric("precision")
    assert precision.measured == overall.value and precision.lower == overall.lower
    assert precision.passed == (overall.lower is not None and overall.lower >= 0.5)
    recall = by_id["minimum:recall"]
    assert recall.passed is False and "overall" in recall.evidence
    fpr = by_id["maximum:fpr:tag=counter_speech:community=c0"]
    assert {c.scope for c in fpr.checks} == {"tag=counter_speech", "community=c0"}
    regression = by_id["regression:recall:per community"]
    assert regression.passed is False and "no baseline" in regression.evidence
    latency = by_id["budget:latency_ms_p95"]
    assert latency.passed is False and latency.measured == figures.reliability.latency_ms_p95
    errors = by_id["budget:error_rate"]
    assert errors.passed is True and errors.upper is not None


def test_regression_per_community_uses_paired_deltas() -> None:
    config = load_gate_config(GATE, "gates/prod.yaml")
    base_records = make_records(500)
    worse = [r.model_copy(update={"predicted": False}) if r.slices["community"] == ("c1",)
             else r for r in base_records]  # fmt: skip
    base = PredictionTable.from_records(base_records)
    cand = PredictionTable.from_records(worse)
    comparison = compare_predictions(base, cand, config=FAST)
    figures = compute_eval_figures(cand, FAST)
    result = next(r for r in evaluate_gates(config, figures, comparison=comparison)
                  if r.kind == "regression")  # fmt: skip
    assert result.passed is False
    failing = [c for c in result.checks if c.passed is False]
    assert "community=c1" in {c.scope for c in failing}
    same = compare_predictions(base, base, config=FAST)
    ok = next(r for r in evaluate_gates(config, _figures(), comparison=same)
              if r.kind == "regression")  # fmt: skip
    assert ok.passed is True


def test_low_support_slices_fail_or_are_skipped_as_configured() -> None:
    text = """\
min_support: 1000
on_low_support: {mode}
criteria:
  - kind: maximum
    metric: fpr
    slices: [community=c0, tag=nothing_like_this]
    value: 0.9
"""
    figures = _figures()
    failing = evaluate_gates(load_gate_config(text.format(mode="fail")), figures)[0]
    assert failing.passed is False
    assert "not in this run" in failing.evidence and "only" in failing.evidence
    skipping = evaluate_gates(load_gate_config(text.format(mode="skip")), figures)[0]
    assert skipping.passed is False  # the missing slice still fails
    only_low = text.format(mode="skip").replace(", tag=nothing_like_this", "")
    skipped = evaluate_gates(load_gate_config(only_low), figures)[0]
    assert skipped.passed is False and "nothing could be checked" in skipped.evidence


def test_budgets_take_min_max_and_reported_figures() -> None:
    text = """\
criteria:
  - kind: budget
    metric: llm_rerun_agreement
    min: 0.9
  - kind: budget
    metric: cost_per_item
    max: 0.01
  - kind: budget
    metric: parse_failure_rate
    max: 0.001
    use: bound
"""
    figures = _figures()
    reported = figures.reliability.model_copy(update={"reported": {"llm_rerun_agreement": 0.8}})
    results = evaluate_gates(
        load_gate_config(text), figures.model_copy(update={"reliability": reported})
    )
    agreement, cost, parse = results
    assert agreement.passed is False and "0.8 < 0.9" in agreement.evidence
    assert cost.passed is True and cost.measured == pytest.approx(0.001)
    assert parse.passed is False  # 0 failures, but the Wilson upper bound exceeds 0.1 %
    missing = evaluate_gates(load_gate_config(text), figures)[0]
    assert missing.passed is False and "not measured" in missing.evidence
    with pytest.raises(ValidationError, match="max`, `min` or both"):
        load_gate_config("criteria:\n  - kind: budget\n    metric: cost_total\n")


_yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-2, 2)
    | st.text(max_size=8)
    | st.sampled_from(["minimum", "maximum", "regression", "budget", "recall", "fpr"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["kind", "metric", "value", "criteria", "slices", "max", "use", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(_yaml_values)
def test_any_yaml_document_loads_or_raises_validation_error(value: object) -> None:
    import yaml

    text = yaml.safe_dump(value)
    try:
        config = load_gate_config(text, "gates/fuzz.yaml")
    except ValidationError as exc:
        assert "gates/fuzz.yaml:" in str(exc)
    else:
        assert config.criteria
