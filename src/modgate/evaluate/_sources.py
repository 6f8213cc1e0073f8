"""Resolution of `ENFORCER` and `GOLDEN@VERSION` names for `modgate eval run`.

The eval library takes typed golden examples and enforcer references (`EvalSources`); this
module wires it to the golden sets and the enforcer catalog of the workspace's store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modgate.domain import Item, Verdict
from modgate.enforce import Enforcer, get_enforcer_version, list_verdicts, load_enforcer
from modgate.errors import EnforcerError, RegistryError, ValidationError
from modgate.evaluate import EnforcerRef, EvalSources, GoldenExample, GoldenRef
from modgate.golden import get_golden_version, golden_version_rows
from modgate.store import Store


class StoreEvalSources:
    """Golden versions and enforcer versions as stored in the workspace."""

    def __init__(self, store: Store, workspace: Path | None = None) -> None:
        self.store = store
        self.workspace = workspace

    def golden(self, ref: str, split: str) -> tuple[GoldenRef, list[GoldenExample]]:
        """The frozen golden version `NAME@VERSION` and its split's examples.

        Gold `violating` is True, `non_violating` False; the item text is the one frozen with
        the version (so a later edit of the item cannot change an evaluation).

        Raises:
            NotFoundError: No such golden set or version.
            ValidationError: The version has labels other than violating / non_violating.
        """
        version = get_golden_version(self.store, ref)
        rows = golden_version_rows(self.store, version.ref, split)
        unknown = sorted({r.label for r in rows} - {"violating", "non_violating"})
        if unknown:
            raise ValidationError(
                f"golden version {version.ref} has labels {unknown}; evaluation needs "
                "violating / non_violating"
            )
        examples = [
            GoldenExample(
                item=Item(id=row.item_id, body=row.text, community=row.community),
                gold=row.label == "violating",
                gold_criteria=row.criteria,
                allowed_context=row.allowed,
                tags=row.tags,
                agreement=row.weight,
            )
            for row in rows
        ]
        golden = GoldenRef(
            name=version.set_name,
            version=version.version,
            content_hash=version.content_hash,
            split=split,
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

    def stored_verdicts(self, enforcer: EnforcerRef, item_ids: Sequence[str]) -> dict[str, Verdict]:
        """Verdicts the enforcer version already stored for these items (`enforcer score`)."""
        found = list_verdicts(
            self.store, enforcer=enforcer.name, version=enforcer.version, item_ids=item_ids
        )
        return {
            v.item_id: v for v in found if enforcer.policy is None or v.policy == enforcer.policy
        }


def eval_sources(store: Store, *, workspace: Path | None = None) -> EvalSources:
    """The sources `modgate eval run` resolves names with (artifacts under `workspace`)."""
    return StoreEvalSources(store, workspace)
