"""Demo step: import an AutoModerator config written for the demo and run it over the sample."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

from modgate.cli.demo._run import DemoRun, load_sample_items
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules import RulesEnforcer, load_ruleset
from modgate.enforce.rules.automod import import_automod

COMMUNITY = "townsquare"


def automod_demo_config() -> Path:
    """The demo's AutoModerator config (our own text)."""
    return Path(str(resources.files("modgate.cli.demo") / "data" / "automod" / "townsquare.yaml"))


def step_automod(run: DemoRun) -> None:
    """Import the demo AutoModerator config and judge the sample with it, as comments."""
    rules_dir = run.workspace / "rules"
    target = rules_dir / f"{COMMUNITY}.yaml"
    report_path = rules_dir / f"{COMMUNITY}.automod-report.md"
    result = import_automod(
        automod_demo_config(),
        output=target,
        report=report_path,
        community=COMMUNITY,
        force=True,
    )
    counts = result.report.counts()
    run.out.print(
        f"[bold]automod[/bold]: {counts['translated']} AutoModerator rules translated, "
        f"{counts['not_applicable']} not applicable, {counts['unsupported']} unsupported, "
        f"{counts['invalid']} invalid -> {target.relative_to(run.workspace)}"
    )
    spec = EnforcerSpec(name=f"{COMMUNITY}-automod", kind="rules", policy="automod")
    enforcer = RulesEnforcer(spec, load_ruleset(target))
    # The sample's rows are not Reddit items; judge them as comments posted in the community.
    items = [
        item.model_copy(update={"kind": "comment", "community": COMMUNITY})
        for item in load_sample_items(run.sample_path)
    ]
    verdicts = enforcer.predict(items)
    actions = Counter(verdict.action.value for verdict in verdicts)
    flagged = [
        (item, verdict)
        for item, verdict in zip(items, verdicts, strict=True)
        if verdict.action.value != "allow"
    ]
    violating = sum(1 for item, _ in flagged if item.meta.get("dataset_label") == "violating")
    shown = ", ".join(f"{count} {action}" for action, count in sorted(actions.items()))
    run.out.print(
        f"  over {len(items)} sample items: {shown}; "
        f"{violating} of {len(flagged)} acted-on items are labelled violating in the dataset"
    )
    with_effects = Counter(e.kind for verdict in verdicts for e in verdict.effects)
    if with_effects:
        listed = ", ".join(f"{count} {kind}" for kind, count in sorted(with_effects.items()))
        run.out.print(f"  effects returned for an integration to carry out (none posted): {listed}")
    run.notes.append(
        f"modgate rules import-automod {automod_demo_config()} --community {COMMUNITY} "
        "--output rules/townsquare-copy.yaml --format markdown"
    )
