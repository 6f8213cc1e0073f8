"""Demo step: rules → lexicon → LLM cascade; the LLM stage runs only with `MODGATE_LLM_BASE_URL`.

Runs after the rules step, which puts `rules/demo.yaml` (policy hate_speech@1) in the workspace.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from modgate.domain import Item, Verdict
from modgate.enforce import (
    CascadeEnforcer,
    CascadeStage,
    EnforcerSpec,
    LLMEnforcer,
    RulesEnforcer,
    action_for_score,
)
from modgate.enforce._cascade import ScoreBand

if TYPE_CHECKING:  # demo.py imports this module to list the step
    from modgate.cli.demo import DemoRun

DEMO_ITEMS = 120
"""Items the demo cascade judges (bounded: a real LLM stage costs time and money)."""
_STRONG = ("kill", "die", "idiot", "stupid", "trash", "hate", "disgusting", "retard", "bitch")


POLICY = "hate_speech@1"


class _LexiconEnforcer:
    """The demo's middle stage: a few strong words decide, second person is 'uncertain'.

    A stand-in for a trained classifier, so the demo shows an uncertain band moving on.
    """

    def __init__(self) -> None:
        self._spec = EnforcerSpec(name="demo-lexicon", kind="demo_lexicon", policy=POLICY)

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        verdicts = []
        for item in items:
            words = item.text.lower().split()
            text = " ".join(words)
            if any(word in text for word in _STRONG):
                score = 0.9
            elif {"you", "your", "you're", "ur", "u"} & set(words):
                score = 0.5
            else:
                score = 0.05
            verdicts.append(
                Verdict(
                    item_id=item.id,
                    policy=self._spec.policy,
                    enforcer=self._spec.ref,
                    score=score,
                    label="violating" if score >= 0.5 else "non_violating",
                    action=action_for_score(score, self._spec.thresholds, item.community),
                    rationale="lexicon",
                )
            )
        return verdicts


def step_llm_cascade(run: DemoRun) -> None:
    """Run rules → lexicon → LLM (uncertain band only) → review on part of the sample."""
    from modgate.cli.demo import load_sample_items

    items = load_sample_items(run.sample_path)[:DEMO_ITEMS]
    rules = RulesEnforcer.from_spec(
        EnforcerSpec(
            name="demo-rules",
            kind="rules",
            policy=POLICY,
            params={"ruleset": str(run.workspace / "rules" / "demo.yaml")},
        )
    )
    stages = [
        CascadeStage(rules, ScoreBand(low=0.0, high=0.5)),  # no rule (or a weak one) fired
        CascadeStage(_LexiconEnforcer(), ScoreBand(low=0.2, high=0.8)),
    ]
    base_url = os.environ.get("MODGATE_LLM_BASE_URL")
    if base_url:
        spec = EnforcerSpec(
            name="demo-judge",
            kind="llm",
            policy=POLICY,
            params={
                "model": os.environ.get("MODGATE_LLM_MODEL", "openai/gpt-oss-safeguard-20b"),
                "base_url": base_url,
                "max_concurrency": 8,
                "max_tokens": 1024,
            },
            thresholds={"remove": 0.9, "review": 0.5},
        )
        stages.append(
            CascadeStage(LLMEnforcer(spec, store=run.store), ScoreBand(low=0.45, high=0.55))
        )
    else:
        run.out.print(
            "[bold]cascade[/bold]: LLM stage skipped — MODGATE_LLM_BASE_URL is not set, so the "
            "uncertain band goes straight to review (set it, and MODGATE_LLM_MODEL, to an "
            "OpenAI-compatible server to include the LLM judge; see docs/llm.md)",
            highlight=False,
        )
    cascade = CascadeEnforcer(
        EnforcerSpec(name="demo-cascade", kind="cascade", policy=POLICY), stages=stages
    )
    verdicts = cascade.predict(items)
    report = cascade.last_report
    assert report is not None
    for stage in report.stages:
        run.out.print(
            f"[bold]cascade[/bold] stage {stage.stage}: {stage.items} items "
            f"({stage.share:.0%} of traffic), {stage.escalated} escalated, {stage.errors} errors, "
            f"cost {stage.cost:.4f}",
            highlight=False,
        )
    actions = Counter(v.action.value for v in verdicts)
    run.out.print(
        f"[bold]cascade[/bold]: {len(verdicts)} items → "
        + ", ".join(f"{name} {count}" for name, count in sorted(actions.items()))
        + f"; {report.uncertain_to_review} still uncertain → review; total cost {report.cost:.4f}",
        highlight=False,
    )
    if base_url:
        run.notes.append(
            'modgate sql "SELECT started_at, items, cache_hits, errors, cost FROM llm_runs"'
        )
