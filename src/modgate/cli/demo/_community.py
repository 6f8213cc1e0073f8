"""Demo step: import a community-rules export, lint it at scale, cluster rule families.

The shipped export (6 communities, 23 rules, our own text, in Reddit's column names) becomes
versioned community policies (scope `community:NAME`); each rule is linted (vague, checkable
by keyword rules or only by a model, restating or relaxing a site policy) and near-duplicate
rules across communities are clustered into families one enforcer can serve.
"""

from __future__ import annotations

from modgate.cli.demo._run import DemoRun
from modgate.policy import (
    community_policy,
    compute_rule_families,
    example_community_rules_file,
    import_community_rules,
)

EXAMPLE_COMMUNITY = "askhistorians"
"""A community of the shipped example file."""


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
    run.notes.append("modgate policy families   # near-duplicate rules across communities")
    run.notes.append(f"modgate policy import-community {source}   # again: nothing changes")
