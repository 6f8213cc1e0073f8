"""Attack success / new false positives: checked against direct counts and statsmodels."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from statsmodels.stats.proportion import proportion_confint

from modgate.domain import Item, Verdict
from modgate.enforce import Enforcer, EnforcerSpec, EnforcerThresholds, action_for_score
from modgate.errors import ValidationError
from modgate.evaluate import EnforcerRef, GoldenExample, GoldenRef, get_eval_run
from modgate.redteam import (
    AttackOutcome,
    attack_enforcer,
    compute_robustness,
    get_redteam_run,
    list_redteam_runs,
    render_redteam_section,
    resolve_perturbations,
    run_redteam,
)
from modgate.registry import create_registry
from modgate.release import evaluate_gates, load_gate_config
from modgate.store import Store, save_items
from modgate.text import normalize_text

REGISTRY = create_registry()
GOLDEN = GoldenRef(name="hate-gold", version=1, content_hash="g" * 64)
VIOLATING = ("you are vermin", "all of them are vermin and filth", "vermin like you should leave")
BENIGN = ("we discussed the news", "lovely weather for the match", "the library opens at nine")


def golden_examples(n: int = 60) -> list[GoldenExample]:
    out = []
    for i in range(n):
        violating = i % 2 == 0
        pool = VIOLATING if violating else BENIGN
        body = pool[i % 3] + (" today" if i % 5 == 0 else "")
        out.append(
            GoldenExample(
                item=Item(id=f"it{i:03d}", body=body, community=f"c{i % 3}"), gold=violating
            )
        )
    return out


class WordEnforcer:
    """Flags texts containing `vermin` or `filth`, read raw or through `normalize_text`."""

    def __init__(self, *, normalize: bool) -> None:
        self.normalize = normalize
        self._spec = EnforcerSpec(
            name="norm" if normalize else "raw", kind="rules", policy="hate@1",
            thresholds=EnforcerThresholds(remove=0.5), version=1,
        )  # fmt: skip

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        out = []
        for item in items:
            text = normalize_text(item.body).text if self.normalize else item.body.lower()
            score = 0.9 if ("vermin" in text or "filth" in text) else 0.1
            out.append(
                Verdict(
                    item_id=item.id,
                    policy="hate@1",
                    enforcer=self._spec.ref,
                    score=score,
                    label="violating" if score >= 0.5 else "non_violating",
                    action=action_for_score(score, self._spec.thresholds, item.community),
                )  # fmt: skip
            )
        return out


def test_normalization_defeats_the_normalized_family_exactly_and_not_the_held_out_one() -> None:
    examples = golden_examples()
    normalized = resolve_perturbations(["normalized"], REGISTRY)
    held_out = resolve_perturbations(["held_out"], REGISTRY)
    assert {p.family for p in normalized} == {"normalized"}
    assert {p.family for p in held_out} == {"held_out"}
    guarded = compute_robustness(
        attack_enforcer(WordEnforcer(normalize=True), examples, [*normalized, *held_out], seed=3)
    )
    naive = compute_robustness(
        attack_enforcer(WordEnforcer(normalize=False), examples, normalized, seed=3)
    )
    assert guarded.attack_success_rate("normalized").value == 0.0  # type: ignore[union-attr]
    held = guarded.attack_success_rate("held_out")
    assert held is not None and held.value is not None and held.value > 0.5
    raw = naive.attack_success_rate("normalized")
    assert raw is not None and raw.value is not None and raw.value > 0.9


def _direct(outcomes: list[AttackOutcome], gold: bool, family: str, scope: str) -> tuple[int, int]:
    def inside(o: AttackOutcome) -> bool:
        if family != "all" and o.family != family:
            return False
        return scope == "overall" or scope == f"community={o.community}"

    relevant = [o for o in outcomes if o.gold == gold and inside(o)]
    return len({o.item_id for o in relevant if o.flipped}), len({o.item_id for o in relevant})


def test_rates_match_direct_counts_and_statsmodels_wilson() -> None:
    examples = golden_examples(90)
    perturbations = resolve_perturbations(None, REGISTRY)
    outcomes = attack_enforcer(WordEnforcer(normalize=True), examples, perturbations, budget=2)
    figures = compute_robustness(outcomes, confidence=0.9)
    checked = 0
    for gold, rows in ((True, figures.attack_success), (False, figures.new_false_positives)):
        for f in rows:
            if f.scope.startswith(("policy=", "perturbation=")):
                continue
            count, total = _direct(outcomes, gold, f.family, f.scope)
            assert (f.count, f.total) == (count, total), f
            lo, hi = proportion_confint(count, total, alpha=0.1, method="wilson")
            assert f.lower == pytest.approx(max(lo, 0.0)) and f.upper == pytest.approx(min(hi, 1.0))
            checked += 1
    assert checked >= 16
    caught = sum(1 for e in examples if e.gold)
    assert figures.attack_success_rate().total == caught  # type: ignore[union-attr]


def test_budget_adds_attempts_only_until_the_first_success() -> None:
    examples = golden_examples(30)
    perturbations = resolve_perturbations(["misspelling"], REGISTRY)
    one = attack_enforcer(WordEnforcer(normalize=True), examples, perturbations, budget=1)
    five = attack_enforcer(WordEnforcer(normalize=True), examples, perturbations, budget=5)
    assert sum(o.flipped for o in five) >= sum(o.flipped for o in one)
    assert all(o.attempts == 1 for o in one)
    for o in five:
        assert o.attempts == 5 or o.flipped
    with pytest.raises(ValidationError, match="budget"):
        attack_enforcer(WordEnforcer(normalize=True), examples, perturbations, budget=0)


class _Sources:
    def __init__(self, enforcer: Enforcer | None) -> None:
        self.predictor = enforcer

    def golden(self, ref: str, split: str) -> tuple[GoldenRef, list[GoldenExample]]:
        return GOLDEN, golden_examples()

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        return EnforcerRef(name="norm", version=1, version_hash="e" * 64, policy="hate@1"), (
            self.predictor
        )

    def stored_verdicts(self, enforcer: EnforcerRef, item_ids: Sequence[str]) -> dict[str, Verdict]:
        return {}


GATE = """\
criteria:
  - kind: attack_success
    family: normalized
    max: 0.05
  - kind: attack_success
    family: held_out
    max: 0.05
    use: upper_bound
"""


def test_run_redteam_stores_report_and_clean_eval_run_gates_can_cap(store: Store) -> None:
    save_items(store, [e.item for e in golden_examples()], actor="t")
    report = run_redteam(
        store, _Sources(WordEnforcer(normalize=True)), "norm@1", "hate-gold@1", actor="tester",
        perturbations=["leetspeak", "homoglyphs", "phonetic", "padding"], seed=1,
    )  # fmt: skip
    assert get_redteam_run(store, report.id) == report
    assert [r.id for r in list_redteam_runs(store)] == [report.id]
    assert report.n_caught == 30 and report.n_passed == 30
    run = get_eval_run(store, report.eval_run_id or "")
    reported = run.figures.reliability.reported
    asr = report.figures.attack_success_rate("held_out")
    assert asr is not None and reported["redteam_attack_success:held_out"] == asr.value
    results = evaluate_gates(load_gate_config(GATE), run.figures)
    assert [r.passed for r in results] == [True, False]
    assert "held_out" in results[1].requirement
    lines = report.summary_lines()
    assert any("held_out" in line for line in lines) and report.id in lines[0]
    section = render_redteam_section(report)
    assert "### Adversarial robustness" in section and "community=c0" in section
    if report.examples:
        costs = [e.cost for e in report.examples]
        assert costs == sorted(costs)


def test_run_redteam_needs_an_enforcer_that_runs_here(store: Store) -> None:
    with pytest.raises(ValidationError, match="cannot score here"):
        run_redteam(store, _Sources(None), "norm@1", "hate-gold@1", actor="t")
