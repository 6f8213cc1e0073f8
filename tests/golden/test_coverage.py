from __future__ import annotations

import pytest

from modgate.golden import CoverageRecord, CoverageTarget, measure_coverage


def _records() -> list[CoverageRecord]:
    return [
        CoverageRecord(
            policy="hate", label="non_violating", allowed=("counter_speech",), tags=("t1", "t2")
        ),
        CoverageRecord(policy="hate", label="non_violating", allowed=("counter_speech",)),
        CoverageRecord(policy="hate", label="violating", criteria=("slur",), community="r/a"),
        CoverageRecord(policy="spam", label="violating", criteria=("link",)),
        CoverageRecord(policy="hate", label=None, allowed=("quotation",)),
    ]


def test_counts_explode_multi_valued_facets() -> None:
    report = measure_coverage(_records(), by=["policy", "tag"])
    cells = {(c.policy, c.tag): c.count for c in report.cells}
    assert cells == {("hate", None): 3, ("hate", "t1"): 1, ("hate", "t2"): 1, ("spam", None): 1}
    assert report.items == 5
    assert report.cells[0].count == 3  # largest first


def test_targets_report_gaps() -> None:
    targets = [
        CoverageTarget(policy="hate", allowed="counter_speech", min=30),
        CoverageTarget(policy="hate", label="violating", criterion="slur", min=1),
        CoverageTarget(community="r/b", min=2),
    ]
    report = measure_coverage(_records(), targets, by=["policy", "label", "allowed"])
    results = {r.target: r for r in report.targets}
    assert results["policy=hate, allowed=counter_speech"].count == 2
    assert results["policy=hate, allowed=counter_speech"].gap == 28
    assert results["policy=hate, label=violating, criterion=slur"].met
    assert [g.target for g in report.gaps] == [
        "policy=hate, allowed=counter_speech",
        "community=r/b",
    ]


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown coverage dimensions"):
        measure_coverage(_records(), by=["policy", "colour"])  # type: ignore[list-item]
