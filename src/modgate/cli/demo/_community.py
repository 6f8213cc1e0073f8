"""Demo step: community rules imported, linted, clustered, enforced few-shot, long-tailed.

The shipped export (6 communities, 23 rules, our own text, in Reddit's column names) becomes
versioned community policies (scope `community:NAME`); each rule is linted (vague, checkable
by keyword rules or only by a model, restating or relaxing a site policy) and near-duplicate
rules across communities are clustered into families one enforcer can serve. One community's
policy is then enforced by the `fewshot` kind from its own words (no LLM server, no training
set), and the site hate-speech policy, enforced few-shot on the shipped sample, gives the
per-community table raw vs shrunk — over SIMULATED communities (the sample has none).
"""

from __future__ import annotations

import numpy as np

from modgate.cli.demo._run import DemoRun, load_sample_items
from modgate.policy import (
    community_policy,
    compute_rule_families,
    example_community_rules_file,
    import_community_rules,
)

EXAMPLE_COMMUNITY = "askhistorians"
"""A community of the shipped example file."""

PROBES = (
    "Check out my YouTube channel where I explain the fall of Rome, link in my profile!",
    "I just published a book on the Byzantine navy, you can buy it on my website",
    "The Edict of Milan in 313 granted tolerance to Christians; see Lactantius for details.",
    "Great question. Grain shipments from Egypt were the core of Rome's food supply.",
)
"""Our own texts: two self-promotion, two ordinary answers."""

SIMULATED_COMMUNITIES = 30
"""Communities the sample's items are spread over (Zipf volumes, seeded) for the table."""


def step_community(run: DemoRun) -> None:
    """Import the example community rules, show the lint figures, families and one policy."""
    source = example_community_rules_file()
    result = import_community_rules(
        run.store,
        source,
        actor=run.settings.actor,
        rejects_path=run.workspace / "rejects" / "community_rules.rejects.jsonl",
    )
    lint = result.lint
    checkable = ", ".join(f"{n} by {kind}" for kind, n in sorted(lint.checkable_by.items()))
    run.out.print(
        f"[bold]community rules[/bold]: {result.rules} rules of {result.communities} communities "
        f"({result.added} new, {result.reworded} reworded, {result.unchanged} unchanged); "
        f"lint: {lint.errors} error(s), {lint.warnings} warning(s); checkable: {checkable}"
    )
    families = compute_rule_families(run.store)
    for family in families.largest[:3]:
        run.out.print(
            f"  family {family.name!r}: {family.size} rules in {family.communities} communities",
            highlight=False,
            markup=False,
        )
    policy = community_policy(run.store, EXAMPLE_COMMUNITY)
    run.out.print(
        f"  {policy.id} (scope {policy.scope}): {len(policy.violates)} criteria, "
        f"{len(policy.examples)} examples",
        highlight=False,
        markup=False,
    )
    _fewshot_community(run)
    _long_tail(run)
    run.notes.append("modgate policy families   # near-duplicate rules across communities")
    run.notes.append(f"modgate policy import-community {source}   # again: nothing changes")


def _fewshot_community(run: DemoRun) -> None:
    """Enforce the example community's rules few-shot and show the scores of a few texts."""
    from modgate.domain import Item
    from modgate.enforce import EnforcerSpec
    from modgate.enforce.fewshot import create_fewshot_enforcer

    policy = community_policy(run.store, EXAMPLE_COMMUNITY)
    spec = EnforcerSpec(
        name=f"fewshot-{EXAMPLE_COMMUNITY}",
        kind="fewshot",
        policy=f"{policy.id}@{policy.version}",
        params={"community": EXAMPLE_COMMUNITY},
        version=1,
    )
    enforcer = create_fewshot_enforcer(spec, store=run.store, workspace=run.workspace)
    items = [
        Item(id=f"probe-{i}", body=t, community=EXAMPLE_COMMUNITY) for i, t in enumerate(PROBES)
    ]
    run.out.print(
        f"[bold]few-shot[/bold] ({enforcer.backend.name} embeddings, no LLM, no training set): "
        f"{policy.id} from its {len(policy.violates)} rules and {len(policy.examples)} examples"
    )
    for item, verdict in zip(items, enforcer.predict(items), strict=True):
        fired = f" [{', '.join(verdict.criteria)}]" if verdict.criteria else ""
        run.out.print(
            f"  {verdict.score:.2f} {verdict.action.value:6} {item.text[:60]}…{fired}",
            highlight=False,
            markup=False,
        )


def _long_tail(run: DemoRun) -> None:
    """Per-community precision, raw vs shrunk, of the few-shot hate-speech enforcer."""
    from modgate.enforce import EnforcerSpec
    from modgate.enforce.fewshot import create_fewshot_enforcer
    from modgate.evaluate import estimate_communities
    from modgate.policy import example_policy_files, load_policy_ref

    path = next(p for p in example_policy_files() if p.stem == "hate_speech")
    policy = load_policy_ref(str(path)).policy
    spec = EnforcerSpec(
        name="fewshot-hate",
        kind="fewshot",
        policy=f"{policy.id}@{policy.version}",
        params={},
        version=1,
    )
    enforcer = create_fewshot_enforcer(spec, policy=policy)
    items = load_sample_items(run.sample_path)
    verdicts = enforcer.predict(items)
    rng = np.random.default_rng(23)
    weights = 1.0 / np.arange(1, SIMULATED_COMMUNITIES + 1) ** 1.1
    names = [
        f"sim-{i:02d}"
        for i in rng.choice(SIMULATED_COMMUNITIES, size=len(items), p=weights / weights.sum())
    ]
    gold = [item.meta.get("dataset_label") == "violating" for item in items]
    flagged = [v.label == "violating" for v in verdicts]
    estimates = estimate_communities(names, gold, flagged, flagged, level=0.9)
    estimates = sorted(estimates, key=lambda e: (-e.items, e.community))
    run.out.print(
        f"[bold]long tail[/bold]: few-shot {policy.id} on {len(items)} sample items over "
        f"{SIMULATED_COMMUNITIES} SIMULATED communities (Zipf volumes; the data has none) — "
        "precision raw vs shrunk toward the site, 90% interval (communities drawn at random "
        "share one true rate, so the fitted prior pools them almost fully)"
    )
    for e in estimates[:3] + estimates[-3:]:
        p = e.precision
        raw = "—" if p.raw is None else f"{p.raw:.2f}"
        run.out.print(
            f"  {e.community}: {e.items:4d} items  raw {raw:>4}  shrunk {p.shrunk:.2f} "
            f"[{p.low:.2f}–{p.high:.2f}]",
            highlight=False,
            markup=False,
        )
