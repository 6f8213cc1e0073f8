"""LLM rewrites through the fake OpenAI server; property tests of the robustness statistics."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.errors import ConfigError, ValidationError
from modgate.redteam import (
    AttackOutcome,
    LLMRewrite,
    PerturbationSpec,
    compute_robustness,
    create_perturbation,
)
from modgate.registry import create_registry
from modgate.testing import FakeLLMServer, FakeReply, FakeRequest


def _echo_coded(request: FakeRequest) -> FakeReply:
    post = request.body["messages"][1]["content"]
    return FakeReply(content=post.replace("vermin", "the usual pests"))


def test_llm_rewrite_states_its_purpose_and_uses_the_reply() -> None:
    with FakeLLMServer(_echo_coded) as server:
        rewrite = create_perturbation(
            PerturbationSpec(name="llm_coded", params={"model": "m", "base_url": server.base_url}),
            create_registry(),
        )
        assert isinstance(rewrite, LLMRewrite) and rewrite.family == "llm"
        out = rewrite.apply("they are vermin", random.Random(1))
        body = server.requests[0].body
    assert out == "they are the usual pests"
    system = body["messages"][0]["content"]
    assert "test" in system and "filter" in system and "coded language" in system
    assert "<post>\nthey are vermin\n</post>" == body["messages"][1]["content"]
    assert "response_format" not in body
    assert "api_key" not in rewrite.spec.params


def test_a_failed_llm_call_leaves_the_text_unchanged() -> None:
    with FakeLLMServer(lambda _r: FakeReply(content="", status=500)) as server:
        rewrite = LLMRewrite("paraphrase", model="m", base_url=server.base_url, timeout_s=2.0)
        rewrite.config = rewrite.config.model_copy(update={"max_retries": 0})
        assert rewrite.apply("they are vermin", random.Random(1)) == "they are vermin"
    assert rewrite.failures == 1


def test_llm_rewrites_need_an_endpoint() -> None:
    with pytest.raises(ConfigError, match="MODGATE_LLM_BASE_URL"):
        LLMRewrite("coded", model="m", environ={})
    with pytest.raises(ValidationError, match="style"):
        LLMRewrite("shout", model="m", base_url="http://x/v1")  # type: ignore[arg-type]


OUTCOME = st.builds(
    AttackOutcome,
    item_id=st.sampled_from([f"i{n}" for n in range(12)]),
    gold=st.booleans(),
    policy=st.just("hate"),
    community=st.sampled_from(["a", "b", None]),
    perturbation=st.sampled_from(["p1", "p2", "p3"]),
    family=st.sampled_from(["normalized", "held_out"]),
    flipped=st.booleans(),
    attempts=st.just(1),
    original=st.just("x"),
    perturbed=st.just("y"),
    clean_score=st.just(0.9),
    score=st.just(0.1),
)


@settings(max_examples=200, deadline=None)
@given(outcomes=st.lists(OUTCOME, max_size=40))
def test_rates_are_per_item_and_bounded(outcomes: list[AttackOutcome]) -> None:
    figures = compute_robustness(outcomes)
    for gold, rows in ((True, figures.attack_success), (False, figures.new_false_positives)):
        mine = [o for o in outcomes if o.gold == gold]
        overall = next((f for f in rows if f.family == "all" and f.scope == "overall"), None)
        if not mine:
            assert overall is None
            continue
        assert overall is not None
        assert overall.total == len({o.item_id for o in mine})
        assert overall.count == len({o.item_id for o in mine if o.flipped})
        for f in rows:
            assert 0 <= f.count <= f.total
            assert f.value is not None and f.lower is not None and f.upper is not None
            assert f.lower <= f.value + 1e-12 and f.value <= f.upper + 1e-12
            if f.scope == "overall" and f.family != "all":
                assert f.count <= overall.count and f.total <= overall.total


def test_llm_perturbations_by_name_or_family_need_a_model() -> None:
    from modgate.redteam import resolve_perturbations

    registry = create_registry()
    with pytest.raises(ValidationError, match="needs an LLM endpoint and model"):
        resolve_perturbations(["llm"], registry)
    with FakeLLMServer(_echo_coded) as server:
        built = resolve_perturbations(
            ["llm"], registry, llm={"model": "m", "base_url": server.base_url}
        )
    assert sorted(p.spec.name for p in built) == ["llm_coded", "llm_paraphrase"]
    assert all(p.family == "llm" for p in built)
