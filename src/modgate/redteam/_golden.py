"""Successful attacks → an `adversarial` slice of a golden set (through golden's import).

Each successful attack becomes a new item carrying the original's gold label (`violating`),
tagged `adversarial`, `adversarial:<family>` and `perturbation:<name>`, and grouped with the
original item (`group` = the original id), so a split never puts an item in train and its
perturbed copy in test. Character-level perturbations keep the meaning by construction; LLM
rewrites may not, so their rows are tagged `needs_review` and should be checked by a person
before the set is frozen.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from modgate.errors import ValidationError
from modgate.golden import ImportOptions, ImportResult, import_golden_file
from modgate.redteam._repo import get_redteam_run
from modgate.redteam._report import RedteamReport
from modgate.store import Store


def adversarial_rows(report: RedteamReport) -> list[dict[str, Any]]:
    """Golden-import rows (annotations shape) for the report's successful attacks. Pure."""
    rows: list[dict[str, Any]] = []
    policy = report.policy.split("@", 1)[0] if report.policy else None
    for ex in report.examples:
        name = ex.perturbation.split("(", 1)[0]
        digest = hashlib.sha256(ex.perturbed.encode("utf-8")).hexdigest()[:10]
        tags = ["adversarial", f"adversarial:{ex.family}", f"perturbation:{name}"]
        if ex.family == "llm":
            tags.append("needs_review")
        rows.append(
            {
                "id": f"{ex.item_id}~{name}~{digest}",
                "text": ex.perturbed,
                "label": "violating",
                "annotator": f"redteam:{report.id}",
                "rationale": f"{ex.perturbation} of {ex.item_id}, which was labelled violating",
                "policy": policy,
                "tags": ";".join(tags),
                "group": ex.item_id,
                "source": f"redteam:{report.id}",
            }
        )
    return rows


def add_adversarial_slice(
    store: Store, report: RedteamReport | str, golden_set: str, *, actor: str
) -> ImportResult:
    """Import the report's successful attacks into a golden set as a tagged slice.

    Args:
        store: The store.
        report: A red-team run or its id (its `examples` are the attacks added; run with a
            larger `examples` to keep more).
        golden_set: The set to add to (created when missing).
        actor: Who adds them (audit).

    Returns:
        The import result (rows, items written, rejects).

    Raises:
        NotFoundError: No such red-team run.
        ValidationError: The run kept no successful attack.
    """
    if isinstance(report, str):
        report = get_redteam_run(store, report)
    rows = adversarial_rows(report)
    if not rows:
        raise ValidationError(
            f"{report.id} kept no successful attack to add",
            hint="run `modgate redteam run` with a larger --examples",
        )
    with tempfile.TemporaryDirectory(prefix="modgate-redteam-") as folder:
        path = Path(folder) / f"{report.id}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return import_golden_file(
            store,
            golden_set,
            path,
            ImportOptions(policy=report.policy),
            actor=actor,
            rejects_path=Path(folder) / "rejects.jsonl",
        )


__all__ = ["add_adversarial_slice", "adversarial_rows"]
