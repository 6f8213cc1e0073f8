import numpy as np
import pytest

from modgate.monitor import (
    DisagreementCheck,
    DriftTest,
    EmergingTermsCheck,
    MonitorCheck,
    ScoreDriftCheck,
    SegmentDisagreement,
    SegmentHistograms,
    TermWindow,
    evasion_features,
    histogram_scores,
)
from modgate.registry import Spec, create_registry


def test_builtins_register_through_the_plugin_hooks():
    reg = create_registry()
    assert {"psi", "ks", "jensen_shannon", "wasserstein"} <= set(reg.names("drift_test"))
    for name in reg.names("monitor_check"):
        check = reg.create(Spec(kind="monitor_check", name=name), object)
        assert isinstance(check, MonitorCheck) and check.name == name
    psi = reg.create(Spec(kind="drift_test", name="psi", params={"epsilon": 1e-3}), object)
    assert isinstance(psi, DriftTest)
    assert psi([10, 0, 5], [10, 5, 0]).value > 0


def test_a_third_party_check_arrives_through_the_same_hook():
    from modgate.hookspecs import hookimpl

    class Plugin:
        @hookimpl
        def register_monitor_checks(self, register):
            register("acme/always", lambda **_: DisagreementCheck(name="acme/always"))

    reg = create_registry([Plugin()])
    assert "acme/always" in reg.names("monitor_check")


def test_score_drift_check_fires_on_the_shifted_segment_only():
    rng = np.random.default_rng(0)
    segs = ["a", "b", "c"]
    ref = SegmentHistograms(
        segments=segs, counts=[histogram_scores(rng.beta(2, 5, 3000)).tolist() for _ in segs]
    )
    cur_counts = [histogram_scores(rng.beta(2, 5, 800)).tolist() for _ in segs]
    cur_counts[1] = histogram_scores(rng.beta(4, 3, 800)).tolist()
    cur = SegmentHistograms(segments=segs, counts=cur_counts)
    res = {r.segment: r for r in ScoreDriftCheck(statistic="psi", min_value=0.1).evaluate(ref, cur)}
    assert res["b"].fired and not res["a"].fired and not res["c"].fired
    assert res["b"].evidence["n_current"] == 800
    with pytest.raises(ValueError, match="unknown drift statistic"):
        ScoreDriftCheck(statistic="nope")


def test_disagreement_check_threshold_and_support():
    cur = SegmentDisagreement(
        segments=["big", "small"], n=[1000, 10], only_active=[40, 3], only_challenger=[60, 3]
    )
    res = {r.segment: r for r in DisagreementCheck(max_rate=0.05).evaluate(None, cur)}
    assert res["big"].fired and res["big"].value == pytest.approx(0.1)
    assert not res["small"].fired  # 60 % but under min_support


def test_emerging_terms_check_reports_example_ids():
    ref = TermWindow(texts=["hello world"] * 500, ids=[f"r{i}" for i in range(500)])
    texts = ["hello world"] * 200 + ["hello n1bba world"] * 40
    cur = TermWindow(texts=texts, ids=[f"c{i}" for i in range(240)])
    res = EmergingTermsCheck().evaluate(ref, cur)
    assert res[0].segment == "nibba" and res[0].fired
    assert res[0].evidence["examples"] == ["c200", "c201", "c202"]


def test_evasion_features():
    plain = evasion_features("you are an idiot", "allow")
    assert not plain.normalization_changed and not plain.caught_after_normalization
    sneaky = evasion_features("you are an 1d1\u200bot", "remove")
    assert sneaky.evasion_signals >= 2 and sneaky.caught_after_normalization
    allowed = evasion_features("you are an 1d1\u200bot", "allow")
    assert allowed.normalization_changed and not allowed.caught_after_normalization
