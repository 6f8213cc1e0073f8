"""Demo step: the shipped sample becomes golden set `demo`.

Vote counts and file labels are imported, agreement and coverage reported, the disagreement
queue resolved by majority, and a version frozen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from modgate.cli.demo._run import DemoRun
from modgate.golden import (
    ImportOptions,
    auto_adjudicate,
    freeze_golden_set,
    golden_agreement,
    golden_coverage,
    import_golden_file,
    load_golden_config,
)

SET_NAME = "demo"
DAVIDSON_MAP = {
    "hate_speech": "violating",
    "offensive_language": "non_violating",
    "neither": "non_violating",
}
DEMO_CONFIG: dict[str, Any] = {
    "description": "Demo: Davidson et al. 2017 (crowd vote counts) + ToxiGen seeds (file labels)",
    "labels": ["violating", "non_violating"],
    "targets": [
        {"policy": "hate_speech", "label": "violating", "min": 150},
        {"policy": "hate_speech", "label": "non_violating", "min": 150},
        {"policy": "hate_speech", "allowed": "counter_speech", "min": 30},
        {"policy": "hate_speech", "tag": "lgbtq", "min": 10},
    ],
    "split": {"ratios": {"train": 0.8, "dev": 0.1, "test": 0.1}, "seed": 0},
}


def _write_golden_files(run: DemoRun, folder: Path) -> tuple[Path, Path]:
    """Split the sample into a vote-count file (Davidson) and a file-label file (ToxiGen).

    `meta` keeps exactly what the items step stored, so the items stay unchanged.
    """
    votes, seeds = [], []
    with run.sample_path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            meta = {
                **(row.get("meta") or {}),
                "source": row["source"],
                "dataset_label": row["label"],
            }
            base = {"id": row["id"], "text": row["text"], "policy": row["policy"], "meta": meta}
            base["source"] = row["source"]
            if "hate_speech_votes" in meta:
                votes.append(base)
            else:
                seeds.append({**base, "label": row["label"]})
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "demo-votes.jsonl", folder / "demo-seeds.jsonl"
    for path, rows in zip(paths, (votes, seeds), strict=True):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return paths


def step_golden(run: DemoRun) -> None:
    """Import the sample as golden set `demo`, report agreement and coverage, freeze it."""
    folder = run.workspace / "golden"
    votes_path, seeds_path = _write_golden_files(run, folder)
    config_path = folder / "demo.yaml"
    config_path.write_text(yaml.safe_dump(DEMO_CONFIG, sort_keys=False), encoding="utf-8")
    actor = run.settings.actor
    config = load_golden_config(config_path)
    voted = import_golden_file(
        run.store,
        SET_NAME,
        votes_path,
        ImportOptions(shape="votes", label_map=DAVIDSON_MAP),
        actor=actor,
        config=config,
    )
    seeded = import_golden_file(
        run.store,
        SET_NAME,
        seeds_path,
        ImportOptions(shape="annotations", tags_column="meta.target_group"),
        actor=actor,
    )
    run.out.print(
        f"[bold]golden[/bold] {SET_NAME}: {voted.items} items with crowd vote counts "
        f"({voted.votes} votes), {seeded.items} with file labels; no annotator ids exist in "
        "this data, so agreement comes from vote counts",
        highlight=False,
    )
    report = golden_agreement(run.store, SET_NAME)
    for result in report.results:
        if result.scope == "overall" and result.value is not None:
            run.out.print(
                f"  {result.statistic} = {result.value:.3f} on {result.items} items"
                + (f" ({result.note})" if result.note else ""),
                highlight=False,
            )
    adjudicated = auto_adjudicate(run.store, SET_NAME, method="majority", actor=actor)
    run.out.print(
        f"  disagreement queue: {adjudicated.queue} items; majority set {adjudicated.changed}, "
        f"{adjudicated.ties} ties left for a human",
        highlight=False,
    )
    coverage = golden_coverage(run.store, SET_NAME, by=["policy", "label"])
    for target in coverage.targets:
        state = "met" if target.met else f"gap {target.gap}"
        run.out.print(f"  target {target.target} ≥ {target.min}: {target.count} ({state})")
    frozen = freeze_golden_set(run.store, SET_NAME, actor=actor)
    version = frozen.version
    counts = ", ".join(f"{s} {sum(c.values())}" for s, c in frozen.split_counts.items())
    run.out.print(
        f"  frozen {version.ref} ({'new' if frozen.created else 'unchanged'}): "
        f"{version.item_count} items, {frozen.unresolved} unresolved left out; {counts}; "
        f"hash {version.content_hash[:12]}",
        highlight=False,
    )
    run.notes.append(f"modgate golden adjudicate {SET_NAME} --limit 10")
    run.notes.append(f"modgate golden coverage {SET_NAME} --by policy,label,tag")
    run.notes.append(f"modgate golden show {version.ref} --rows --split test --format csv")
