"""Batch scoring: run a registered enforcer over items and store its verdicts, resumably.

Items are scored in batches; each batch's verdicts commit in their own transaction. Before
scoring, the items that already have a verdict of this enforcer version (for its policy) are
skipped, and the unique key (enforcer, version, item, policy) makes a replayed batch a no-op.
So a run killed at any point and started again scores every item exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection

from modgate.domain import Item, Verdict
from modgate.enforce._protocol import Enforcer
from modgate.enforce._recorded import RecordedEnforcer
from modgate.enforce._repo import (
    EnforcerVersion,
    all_item_ids,
    record_scoring,
    scored_item_ids,
    stored_verdicts,
    write_verdicts,
)
from modgate.errors import EnforcerError, NotFoundError, ValidationError
from modgate.store import RowReject, Store, get_items, open_rows, run_readonly_query

_MAX_LISTED = 20


class ScoreResult(BaseModel):
    """What a batch-scoring run did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enforcer: str
    """`name@version` that scored."""
    selected: int
    """Distinct items selected."""
    already_scored: int
    """Items skipped because a verdict of this version existed (resumed or repeated run)."""
    scored: int
    """Items scored in this run."""
    errors: int
    """Verdicts of this run with `error` set (routed to review)."""
    batches: int
    """Batches written."""


def _ids_from_file(path: Path) -> list[str]:
    """Item ids from a `.txt` file (one a line) or any table format the store reads.

    Tables go through the store's row reader, so encodings, NUL bytes and broken lines are
    handled as everywhere else; a bad row fails the whole selection (scoring a guessed subset
    would be worse than stopping).
    """
    if path.name.lower().endswith((".txt", ".txt.gz", ".ids")):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
        return [line.strip() for line in text.splitlines() if line.strip()]
    ids: list[str] = []
    problems: list[str] = []
    with open_rows(path) as rows:
        column = next((c for c in ("item_id", "id") if c in rows.columns), None)
        if column is None:
            found = ", ".join(rows.columns) or "none"
            raise ValidationError(f"{path}: no item id column (item_id or id); found {found}")
        for row in rows:
            if isinstance(row, RowReject):
                problems.append(f"line {row.line}: {row.detail}")
                continue
            value = row.values.get(column)
            if value in (None, ""):
                problems.append(f"line {row.line}: no item id in {column!r}")
                continue
            ids.append(str(value))
    if problems:
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        shown = "; ".join(problems[:5]) + more
        raise ValidationError(f"{path}: {len(problems)} unreadable row(s): {shown}")
    return ids


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows: not a file
        return False


def select_item_ids(store: Store, items: str | None) -> list[str]:
    """Resolve `--items`: nothing (every item), a file of ids, or a read-only SQL query.

    Args:
        store: The store.
        items: None for every item; a path to a `.txt` (one id a line), `.csv` or `.jsonl`
            file with an `item_id`/`id` column; or a `SELECT` whose `id`/`item_id` column (or
            first column) gives the ids.

    Returns:
        Distinct ids, in the order given.

    Raises:
        ValidationError: Neither an existing file nor a SELECT query, or a malformed file.
    """
    if items is None:
        return all_item_ids(store)
    is_query = items.lstrip().lower().startswith(("select", "with"))
    path = Path(items)
    if not is_query and _is_file(path):
        ids = _ids_from_file(path)
    elif is_query:
        result = run_readonly_query(store, items)
        if not result.columns:
            raise ValidationError("the --items query returned no columns")
        column = next(
            (i for i, c in enumerate(result.columns) if c.lower() in ("id", "item_id")), 0
        )
        ids = [str(row[column]) for row in result.rows if row[column] is not None]
    else:
        raise ValidationError(
            f"--items {items!r} is neither an existing file nor a SELECT query",
            hint="e.g. --items ids.txt or --items \"SELECT id FROM items WHERE community = 'x'\"",
        )
    return list(dict.fromkeys(ids))


def score_items(
    store: Store,
    version: EnforcerVersion,
    enforcer: Enforcer,
    item_ids: Sequence[str],
    *,
    actor: str,
    batch_size: int = 1000,
    allow_missing: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ScoreResult:
    """Score items with a registered enforcer, writing verdicts in batches; resumable.

    Args:
        store: The store.
        version: The catalog version of `enforcer` (names the stored verdicts).
        enforcer: The enforcer, as `load_enforcer` built it.
        item_ids: Items to score (duplicates are scored once).
        actor: Who scores, for the audit log.
        batch_size: Items per batch (and per transaction).
        allow_missing: For `recorded` enforcers, store error verdicts for items absent from
            the predictions file instead of refusing to start.
        progress: Called with the number of items finished after each batch (skipped ones
            are reported first).

    Returns:
        Counts of selected, skipped, scored and failed items.

    Raises:
        NotFoundError: Some selected ids are not in the store.
        EnforcerError: A recorded enforcer lacks predictions for some items.
    """
    if batch_size < 1:
        raise ValidationError(f"batch size must be at least 1, got {batch_size}")
    wanted = list(dict.fromkeys(item_ids))
    policy = version.spec.policy
    done = scored_item_ids(store, version, policy)
    todo = [i for i in wanted if i not in done]
    skipped = len(wanted) - len(todo)
    if progress is not None and skipped:
        progress(skipped)
    if isinstance(enforcer, RecordedEnforcer) and not allow_missing:
        enforcer.require_items(todo)
    scored = errors = batches = 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        found = get_items(store, chunk)
        if len(found) != len(chunk):
            missing = [i for i in chunk if i not in found]
            raise NotFoundError(
                f"{len(missing)} selected item(s) are not in the store: "
                + ", ".join(missing[:_MAX_LISTED]),
                hint="import them first (modgate items import)",
            )
        batch = [found[i] for i in chunk]
        verdicts = enforcer.predict(batch)
        if len(verdicts) != len(batch) or any(
            v.item_id != item.id for v, item in zip(verdicts, batch, strict=False)
        ):
            raise EnforcerError(f"{version.ref} broke the contract: verdicts do not match items")
        with store.begin() as conn:
            write_verdicts(conn, verdicts, version, now=datetime.now(UTC))
        scored += len(batch)
        errors += sum(1 for v in verdicts if v.error is not None)
        batches += 1
        if progress is not None:
            progress(len(batch))
    result = ScoreResult(
        enforcer=version.ref,
        selected=len(wanted),
        already_scored=skipped,
        scored=scored,
        errors=errors,
        batches=batches,
    )
    record_scoring(store, version, actor=actor, details=result.model_dump())
    return result


@dataclass(frozen=True)
class JudgedItems:
    """Verdicts of one enforcer version for some items, and which of them are new."""

    verdicts: list[Verdict]
    """One verdict per item, in item order (stored ones reused)."""
    made: list[Verdict]
    """The verdicts made now, not stored yet (`write_verdicts` them in the caller's
    transaction)."""


def judge_items(
    conn: Connection, version: EnforcerVersion, enforcer: Enforcer, items: Sequence[Item]
) -> JudgedItems:
    """Verdicts of one enforcer version for these items, without writing them.

    Stored verdicts (read on `conn`) are reused; the rest are made now by one call of the
    enforcer's `predict` over all of them (its vectorized path), so a caller can store them
    in the same transaction as what it derives from them (the service's group commit).

    Args:
        conn: A connection to read stored verdicts on.
        version: The catalog version of `enforcer`.
        enforcer: The enforcer, as `load_enforcer` built it.
        items: Items to judge (one verdict each, in this order; duplicates share one).

    Returns:
        The verdicts in item order, and the new ones to store.

    Raises:
        EnforcerError: The enforcer returned verdicts that do not match the items.
    """
    policy = version.spec.policy
    unique = list({item.id: item for item in items}.values())
    stored = {
        v.item_id: v
        for v in stored_verdicts(conn, version, [i.id for i in unique])
        if v.policy == policy
    }
    todo = [item for item in unique if item.id not in stored]
    made: list[Verdict] = []
    if todo:
        made = enforcer.predict(todo)
        if len(made) != len(todo) or any(
            v.item_id != item.id for v, item in zip(made, todo, strict=False)
        ):
            raise EnforcerError(f"{version.ref} broke the contract: verdicts do not match items")
        stored.update((v.item_id, v) for v in made)
    return JudgedItems([stored[item.id] for item in items], made)


def verdicts_for_items(
    store: Store, version: EnforcerVersion, enforcer: Enforcer, items: Sequence[Item]
) -> list[Verdict]:
    """Verdicts of one enforcer version for these items: stored ones reused, the rest made now.

    The items need not be in the store (a service judges what it receives). Verdicts made now
    are stored in one transaction under the same unique key as batch scoring, so a repeated or
    concurrent call stores each verdict once.

    Args:
        store: The store.
        version: The catalog version of `enforcer`.
        enforcer: The enforcer, as `load_enforcer` built it.
        items: Items to judge (one verdict each, in this order; duplicates share one).

    Returns:
        One verdict per item, in item order.

    Raises:
        EnforcerError: The enforcer returned verdicts that do not match the items.
    """
    with store.connect() as conn:
        judged = judge_items(conn, version, enforcer, items)
    if judged.made:
        with store.begin() as conn:
            write_verdicts(conn, judged.made, version, now=datetime.now(UTC))
    return judged.verdicts


__all__ = [
    "JudgedItems",
    "ScoreResult",
    "judge_items",
    "score_items",
    "select_item_ids",
    "verdicts_for_items",
]
