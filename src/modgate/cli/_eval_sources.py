"""Resolution of `ENFORCER` and `GOLDEN@VERSION` names for `modgate eval run`.

The eval library takes typed golden examples and enforcer references (`EvalSources`); this
module wires it to the golden sets and the enforcer catalog of the workspace's store.
"""

from __future__ import annotations

from collections.abc import Sequence

from modgate.domain import Verdict
from modgate.enforce import Enforcer
from modgate.errors import NotFoundError
from modgate.evaluate import EnforcerRef, EvalSources, GoldenExample, GoldenRef
from modgate.store import Store


class StoreEvalSources:
    """Golden versions and enforcer versions as stored in the workspace."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def golden(self, ref: str, split: str) -> tuple[GoldenRef, list[GoldenExample]]:
        """The frozen golden version `NAME@VERSION` and its split's examples."""
        raise NotFoundError(
            f"golden set {ref!r}: this build has no golden sets yet",
            hint="golden sets arrive with `modgate golden freeze`",
        )

    def enforcer(self, ref: str) -> tuple[EnforcerRef, Enforcer | None]:
        """The enforcer version `NAME[@VERSION]` and, when it can run here, the enforcer."""
        raise NotFoundError(
            f"enforcer {ref!r}: this build has no enforcer catalog yet",
            hint="enforcers arrive with `modgate enforcer register`",
        )

    def stored_verdicts(self, enforcer: EnforcerRef, item_ids: Sequence[str]) -> dict[str, Verdict]:
        """Verdicts the enforcer version already stored for these items."""
        return {}


def eval_sources(store: Store) -> EvalSources:
    """The sources `modgate eval run` resolves names with."""
    return StoreEvalSources(store)
