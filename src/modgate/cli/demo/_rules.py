"""Demo step: run the shipped demo rule set over the demo items, counting what fires per rule."""

from __future__ import annotations

import shutil
from collections import Counter
from importlib import resources
from pathlib import Path

from rich.table import Table

from modgate.cli.demo._run import DemoRun, load_sample_items
from modgate.enforce.rules import load_ruleset


def demo_ruleset_file() -> Path:
    """Path of the shipped demo rule set (`data/rules/demo.yaml`)."""
    return Path(str(resources.files("modgate.cli.demo") / "data" / "rules" / "demo.yaml"))


def step_rules(run: DemoRun) -> None:
    """Copy the demo rule set into the workspace and run it over the sample items."""
    target = run.workspace / "rules" / "demo.yaml"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(demo_ruleset_file(), target)

    compiled = load_ruleset(target)
    items = load_sample_items(run.sample_path)
    fired: Counter[str] = Counter()
    fired_on_violating: Counter[str] = Counter()
    any_fired = 0
    for item in items:
        result = compiled.match(item)
        if result.hits:
            any_fired += 1
        for hit in result.hits:
            fired[hit.rule.id] += 1
            if item.meta.get("dataset_label") == "violating":
                fired_on_violating[hit.rule.id] += 1
    table = Table(title=f"rule set demo over {len(items)} items ({any_fired} hit by some rule)")
    for column in ("rule", "action", "fired", "of which labelled violating"):
        table.add_column(column)
    for rule in compiled.ruleset.rules:
        action = compiled.ruleset.action_of(rule)
        table.add_row(
            rule.id,
            action.value if action is not None else "(thresholds)",
            str(fired[rule.id]),
            str(fired_on_violating[rule.id]),
        )
    run.out.print(table)
    if compiled.report.fallback_rules:
        run.out.print(
            f"[dim]on the fallback regex engine: {', '.join(compiled.report.fallback_rules)}[/dim]"
        )
    run.notes.append('modgate rules check demo "i will k1ll you, f a g g o t" --all')
