"""Resolution of `ENFORCER` and `GOLDEN@VERSION` names for `modgate eval run`.

The eval library takes typed golden examples and enforcer references (`EvalSources`); this
module wires it to the golden sets and the enforcer catalog of the workspace's store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modgate.domain import Verdict
from modgate.enforce import Enforcer, get_enforcer_version, list_verdicts, load_enforcer
from modgate.errors import EnforcerError, RegistryError, ValidationError
from modgate.evaluate._repo import load_item_states, verdict_times
from modgate.evaluate._run import EnforcerRef, EvalSources, GoldenExample, GoldenRef, policy_id
from modgate.golden import get_golden_version, golden_version_rows
from modgate.store import Store

ON_CHANGED = ("error", "skip")
"""What `eval run` does with an item whose stored content changed since the freeze."""


class StoreEvalSources:
    """Golden versions and enforcer versions as stored in the workspace."""

    def __init__(self, store: Store, workspace: Path | None = None) -> None:
        self.store = store
        self.workspace = workspace

    def golden(
        self, ref: str, split: str, *, policy: str | None = None, on_changed: str = "error"
    ) -> tuple[GoldenRef, list[GoldenExample]]:
        """The frozen golden version `NAME@VERSION` and its split's examples of one policy.

        Each example carries the full stored item (every Item field: kind, title, author,
        parent, language, meta…), exactly what `enforcer score` and production judge. The
        stored item must still be the content frozen with the version (same content hash):
        the gold label was given to that content. An item changed (or deleted) since the
        freeze is an error with `on_changed="error"` (the default), or is left out of the run
        and listed in it with `on_changed="skip"`. (Only its text and community were frozen,
        not every field, so the frozen content cannot be rebuilt and judged instead.)

        Gold `violating` is True, `non_violating` False.

        Raises:
            NotFoundError: No such golden set or version.
            ValidationError: Labels other than violating / non_violating; no row of `policy`
                (the message lists the policies present); items changed since the freeze.
        """
        if on_changed not in ON_CHANGED:
            raise ValidationError(f"on_changed must be one of {ON_CHANGED}, got {on_changed!r}")
        version = get_golden_version(self.store, ref)
        rows = golden_version_rows(self.store, version.ref, split)
        wanted = policy_id(policy)
        if wanted is not None:
            chosen = [r for r in rows if policy_id(r.policy) == wanted]
            if not chosen and rows:
                present = ", ".join(sorted({policy_id(r.policy) or "" for r in rows}))
                raise ValidationError(
                    f"golden version {version.ref} split {split!r} has no row of policy "
                    f"{wanted!r} (it has: {present})",
                    hint="evaluate an enforcer of one of those policies",
                )
            rows = chosen
        unknown = sorted({r.label for r in rows} - {"violating", "non_violating"})
        if unknown:
            raise ValidationError(
                f"golden version {version.ref} has labels {unknown}; evaluation needs "
                "violating / non_violating"
            )
        states = load_item_states(self.store, [r.item_id for r in rows])
        changed = [
            r.item_id
            for r in rows
            if r.item_id not in states
            or (r.item_hash is not None and states[r.item_id].content_hash != r.item_hash)
        ]
        if changed and on_changed == "error":
            shown = ", ".join(changed[:5])
            raise ValidationError(
                f"{len(changed)} item(s) of golden version {version.ref} changed or were "
                f"deleted since the freeze (e.g. {shown}): their gold labels were given to "
                "the frozen content",
                hint="freeze a new version after reviewing them, or pass --on-changed skip "
                "to leave them out (listed in the run)",
            )
        left_out = set(changed)
        examples = [
            GoldenExample(
                item=states[row.item_id].item,
                gold=row.label == "violating",
                gold_criteria=row.criteria,
                allowed_context=row.allowed,
                tags=row.tags,
                agreement=row.weight,
                raters=row.raters,
                policy=row.policy,
                frozen_hash=row.item_hash,
                content_since=states[row.item_id].updated_at,
            )
            for row in rows
            if row.item_id not in left_out
        ]
        golden = GoldenRef(
            name=version.set_name,
            version=version.version,
            content_hash=version.content_hash,
            split=split,
            left_out_changed=tuple(changed),
        )
        return golden, examples

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        """The enforcer version `NAME[@VERSION]` and, when it can run here, the enforcer.

        A version whose kind is not installed or whose artifact is missing here can still be
        evaluated from its stored verdicts (`modgate enforcer score`), so it comes back
        without an enforcer rather than as an error.

        Raises:
            NotFoundError: No such enforcer version in the catalog.
        """
        version = get_enforcer_version(self.store, ref)
        enforcer_ref = EnforcerRef(
            name=version.name,
            version=version.version,
            version_hash=version.version_hash,
            policy=version.policy,
        )
        if self.workspace is None:
            return enforcer_ref, None
        try:
            _, enforcer = load_enforcer(self.store, version.ref, workspace=self.workspace)
        except (EnforcerError, RegistryError, ValidationError):
            return enforcer_ref, None
        return enforcer_ref, enforcer

    def stored_verdicts(
        self, enforcer: EnforcerRef, examples: Sequence[GoldenExample]
    ) -> dict[str, Verdict]:
        """Verdicts the enforcer version stored (`enforcer score`) on the items' current content.

        A verdict computed before the item's content last changed judged other content: it is
        not reused (the item is scored again, or the run fails when the enforcer cannot run
        here).
        """
        ids = [e.item.id for e in examples]
        found = list_verdicts(
            self.store, enforcer=enforcer.name, version=enforcer.version, item_ids=ids
        )
        times = verdict_times(
            self.store, enforcer=enforcer.name, version=enforcer.version,
            policy=enforcer.policy, item_ids=ids,
        )  # fmt: skip
        since = {e.item.id: e.content_since for e in examples}
        kept: dict[str, Verdict] = {}
        for verdict in found:
            if enforcer.policy is not None and verdict.policy != enforcer.policy:
                continue
            made, changed = times.get(verdict.item_id), since.get(verdict.item_id)
            if changed is not None and (made is None or made < changed):
                continue
            kept[verdict.item_id] = verdict
        return kept


def eval_sources(store: Store, *, workspace: Path | None = None) -> EvalSources:
    """The sources `modgate eval run` resolves names with (artifacts under `workspace`)."""
    return StoreEvalSources(store, workspace)
