"""Demo step: lint, publish and compile the shipped example policies."""

from __future__ import annotations

import shutil

from modgate.cli.demo._run import DemoRun
from modgate.policy import (
    compile_prompt,
    count_tokens,
    example_policy_files,
    lint_policy,
    load_policy_file,
    publish_policy,
)
from modgate.registry import create_registry


def step_policies(run: DemoRun) -> None:
    """Copy the example policies into the workspace, then lint, publish and compile them."""
    registry = create_registry()
    policies = run.workspace / "policies"
    prompts = run.workspace / "build" / "prompts"
    policies.mkdir(exist_ok=True)
    prompts.mkdir(parents=True, exist_ok=True)
    for example in example_policy_files():
        target = policies / example.name
        if not target.exists():
            shutil.copyfile(example, target)
        loaded = load_policy_file(target)
        report = lint_policy(loaded, registry=registry)
        published = publish_policy(run.store, loaded, actor=run.settings.actor, registry=registry)
        prompt = compile_prompt(loaded.policy)
        (prompts / f"{loaded.policy.id}@{loaded.policy.version}.md").write_text(
            prompt.text, encoding="utf-8", newline="\n"
        )
        tokens = count_tokens(prompt.text)
        run.out.print(
            f"[bold]policy[/bold] {published.policy_ref}: lint {report.errors} error(s), "
            f"{report.warnings} warning(s); {published.status}; prompt "
            f"{prompt.prompt_hash[:12]}, ≈{tokens.tokens} tokens ({tokens.method})",
            highlight=False,
        )
    run.notes.append("modgate policy lint policies/")
    run.notes.append("modgate policy show harassment@1")
    run.notes.append("modgate policy compile harassment@1")
