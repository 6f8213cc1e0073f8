"""Demo step: rules → classifier → LLM cascade; the LLM stage runs only with `MODGATE_LLM_BASE_URL`.

Runs after the rules step, which puts `rules/demo.yaml` (policy hate_speech@1) in the workspace,
and after the enforcer step, which trains and registers the classifier `hate-speech-fast`.
"""

from __future__ import annotations

import os
from collections import Counter

from modgate.cli.demo._run import DemoRun, load_sample_items
from modgate.enforce import CascadeEnforcer, CascadeStage, EnforcerSpec, ScoreBand, load_enforcer
from modgate.enforce.llm import LLMEnforcer
from modgate.enforce.rules import RulesEnforcer

DEMO_ITEMS = 120
"""Items the demo cascade judges (bounded: a real LLM stage costs time and money)."""
CLASSIFIER = "hate-speech-fast"
"""The classifier the enforcer demo step trained on the frozen golden set."""


POLICY = "hate_speech@1"


def step_llm_cascade(run: DemoRun) -> None:
    """Run rules → classifier → LLM (uncertain band only) → review on part of the sample."""
    _, classifier = load_enforcer(run.store, CLASSIFIER, workspace=run.workspace)

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
        CascadeStage(classifier, ScoreBand(low=0.3, high=0.7)),  # the classifier is unsure
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
