"""Demo step: the review queue, an appeal and statements of reasons.

The demo's decisions routed to review are queued; two SIMULATED reviewers decide a few tasks
by taking the dataset's own majority label (the demo has no human at the keyboard), one
removal the dataset calls non-violating is appealed and overturned by the other reviewer, and
every removal is exported as a DSA statement of reasons.
"""

from __future__ import annotations

from modgate.cli.demo._run import DemoRun
from modgate.review import (
    claim_next,
    decide,
    decide_appeal,
    export_statements,
    list_queues,
    open_appeal,
    review_context,
    sync_from_decisions,
)

REVIEWERS = ("demo-reviewer-a", "demo-reviewer-b")
"""The simulated reviewers."""
DECIDE = 6
"""Tasks the simulated reviewers decide."""


def _find_false_removal(run: DemoRun) -> str | None:
    """A removal of an item the dataset labels non_violating (an appeal that should win)."""
    from sqlalchemy import select

    from modgate.store import decisions, items

    q = (
        select(decisions.c.decision_id, items.c.meta)
        .join(items, items.c.id == decisions.c.item_id)
        .where(decisions.c.action == "remove")
        .order_by(decisions.c.id)
    )
    with run.store.connect() as conn:
        for decision_id, meta in conn.execute(q):
            if (meta or {}).get("dataset_label") == "non_violating":
                return str(decision_id)
    return None


def step_review(run: DemoRun) -> None:
    """Queue routed decisions, decide a few, appeal and overturn one, export the statements."""
    store = run.store
    queued = sync_from_decisions(store)
    open_tasks = sum(q.open for q in list_queues(store))
    run.out.print(
        f"[bold]review[/bold]: {queued} task(s) queued from the decision log; {open_tasks} open "
        "in " + ", ".join(f"{q.key.policy}/{q.key.community or '-'}" for q in list_queues(store))
    )
    decided = overturned = 0
    for n in range(DECIDE):
        reviewer = REVIEWERS[n % 2]
        task = claim_next(store, reviewer)
        if task is None:
            break
        context = review_context(store, task.id)
        label = context.item.meta.get("dataset_label", "violating")
        review = decide(store, task.id, reviewer, label=label, note="SIMULATED: dataset label")
        decided += 1
        overturned += review.overturned
    run.out.print(
        f"  SIMULATED reviewers (they apply the dataset's majority label) decided {decided} "
        f"task(s); {overturned} overturn the automated label",
        highlight=False,
    )
    false_removal = _find_false_removal(run)
    if false_removal is not None:
        appeal = open_appeal(
            store, false_removal, appellant="demo-author", statement="SIMULATED appeal"
        )
        done = decide_appeal(store, appeal.id, REVIEWERS[1], outcome="overturned",
                             note="the dataset labels it non-violating")  # fmt: skip
        run.out.print(
            f"  appeal {done.id} against {false_removal}: {done.status} by {done.decided_by}; "
            "now a golden candidate with both labels in set 'appeals'",
            highlight=False,
        )
    target = run.workspace / "exports" / "statements_of_reasons.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    import json

    count = 0
    with target.open("w", encoding="utf-8") as out:
        for record in export_statements(store):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    run.out.print(
        f"  {count} statement(s) of reasons (DSA Transparency Database fields, schema-validated) "
        f"→ {target.relative_to(run.workspace)}",
        highlight=False,
    )
    run.notes.append("modgate review queues   # the review queues; `modgate review claim` next")
    run.notes.append("modgate golden adjudicate appeals   # overturned appeals, both labels")
