from __future__ import annotations

import pytest

from modgate.errors import DeploymentError, ValidationError
from modgate.release import DeployedEnforcer, DeploymentState, Stage, apply_stage


def entry(ref: str) -> DeployedEnforcer:
    return DeployedEnforcer(enforcer=ref, version_hash="h" * 64, policy="hate@1", report_id="r")


A, B, C = entry("a@1"), entry("b@1"), entry("c@1")


def test_active_replaces_the_active_and_leaves_shadow() -> None:
    state = apply_stage(DeploymentState(), A, Stage.ACTIVE, share=None, salt="s1")
    state = apply_stage(state, B, Stage.SHADOW, share=None, salt="s2")
    assert [s.enforcer for s in state.shadow] == ["b@1"]
    state = apply_stage(state, B, Stage.ACTIVE, share=None, salt="s3")
    assert state.active == B and state.shadow == ()


def test_canary_needs_an_active_and_a_share_in_range() -> None:
    with pytest.raises(DeploymentError, match="no active"):
        apply_stage(DeploymentState(), A, Stage.CANARY, share=0.1, salt="s")
    base = DeploymentState(active=A)
    for share in (None, 0.0, 1.0, 1.5):
        with pytest.raises(ValidationError):
            apply_stage(base, B, Stage.CANARY, share=share, salt="s")
    with pytest.raises(ValidationError, match="canary only"):
        apply_stage(base, B, Stage.SHADOW, share=0.2, salt="s")
    with pytest.raises(DeploymentError, match="active"):
        apply_stage(base, A, Stage.CANARY, share=0.2, salt="s")


def test_at_most_one_canary_and_a_share_change_keeps_the_salt() -> None:
    state = apply_stage(DeploymentState(active=A), B, Stage.CANARY, share=0.1, salt="first")
    ramped = apply_stage(state, B, Stage.CANARY, share=0.5, salt="second")
    assert ramped.canary is not None and ramped.canary.salt == "first"
    assert ramped.canary.share == 0.5
    other = apply_stage(ramped, C, Stage.CANARY, share=0.2, salt="third")
    assert other.canary is not None and other.canary.enforcer == "c@1"
    assert other.canary.salt == "third"


def test_off_removes_shadow_or_canary_but_not_the_active() -> None:
    state = DeploymentState(active=A, shadow=(B,))
    assert apply_stage(state, B, Stage.OFF, share=None, salt="s").shadow == ()
    with pytest.raises(DeploymentError, match="active"):
        apply_stage(state, A, Stage.OFF, share=None, salt="s")
    with pytest.raises(DeploymentError, match="not deployed"):
        apply_stage(state, C, Stage.OFF, share=None, salt="s")
