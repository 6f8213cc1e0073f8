"""Demo step: red-team the demo classifier, train a hardened version, red-team it again.

Both families of perturbations (what normalization was written against, and the held-out
family it was not) attack the frozen test split; the hardened classifier is trained on the same
rows plus perturbed copies (adversarial augmentation) and registered as a new enforcer version,
which goes through the same evaluation, red-team pass and gates as any other.
"""

from __future__ import annotations

from modgate.cli.demo._enforce import GOLDEN_SET, SPEC_NAME, SPEC_TEXT
from modgate.cli.demo._run import DemoRun
from modgate.enforce import get_enforcer_version, load_enforcer_spec
from modgate.evaluate import eval_sources, golden_training_rows, policy_example_rows
from modgate.redteam import resolve_perturbations, run_redteam, train_hardened_enforcer
from modgate.registry import create_registry

HARDENED = "hate-speech-hardened"
FAMILIES = ["normalized", "held_out"]


def step_redteam(run: DemoRun) -> None:
    """Attack the baseline classifier, harden it by augmentation, attack the hardened one."""
    sources = eval_sources(run.store, workspace=run.workspace)
    baseline = get_enforcer_version(run.store, SPEC_NAME).ref
    before = run_redteam(
        run.store, sources, baseline, GOLDEN_SET, actor=run.settings.actor, perturbations=FAMILIES
    )
    spec_path = run.workspace / "enforcers" / f"{HARDENED}.yaml"
    if not spec_path.exists():
        spec_path.write_text(SPEC_TEXT, encoding="utf-8")
    spec = load_enforcer_spec(spec_path)
    train, dev, golden_ref = golden_training_rows(run.store, GOLDEN_SET, spec.policy)
    hardened = train_hardened_enforcer(
        run.store,
        spec,
        [*train, *policy_example_rows(run.store, spec.policy)],
        resolve_perturbations(FAMILIES, create_registry()),
        workspace=run.workspace,
        actor=run.settings.actor,
        dev_rows=dev,
        training_source=f"golden:{golden_ref}:train+policy:{spec.policy}:examples",
    ).version.ref
    after = run_redteam(
        run.store, sources, hardened, GOLDEN_SET, actor=run.settings.actor, perturbations=FAMILIES
    )
    run.out.print("[bold]red team[/bold] (attack success = share of violating items let through):")
    for line in [*before.summary_lines(), *after.summary_lines()]:
        run.out.print(f"  {line}", highlight=False, markup=False)
    run.notes.append(f"modgate redteam show {after.id}   # attacks, intervals, cheapest examples")
    run.notes.append(
        f"modgate redteam run {hardened} {golden_ref} --perturbations held_out --budget 3"
    )
