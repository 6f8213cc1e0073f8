"""`diff_community_imports`: rules added, removed and reworded per community between imports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from modgate.errors import NotFoundError, ValidationError
from modgate.policy import _repo
from modgate.policy._community_schema import StoredCommunityRule
from modgate.policy._diff import render_word_diff, word_diff
from modgate.store import Store, community_rules

RuleChangeKind = Literal["added", "removed", "reworded"]


class CommunityRuleChange(BaseModel):
    """One rule that differs between two imports."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    """The community."""
    rule_key: str
    """The rule's key."""
    change: RuleChangeKind
    """added, removed or reworded."""
    rule: str
    """The rule's short name (the newer one when reworded)."""
    version_before: int | None
    """Version live at the older import (None: added)."""
    version_after: int | None
    """Version live at the newer import (None: removed)."""
    before: str | None
    """What the rule said at the older import."""
    after: str | None
    """What it says at the newer import."""
    detail: str
    """Word diff (`[-old-]{+new+}`) for a rewording; the rule's text otherwise."""


class CommunityDiff(BaseModel):
    """Every rule change between two imports, by community then rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    before_import: int
    """Older import id."""
    after_import: int
    """Newer import id."""
    added: int
    """Rules added."""
    removed: int
    """Rules removed."""
    reworded: int
    """Rules reworded."""
    communities: int
    """Communities with at least one change."""
    changes: list[CommunityRuleChange]
    """The changes."""


def _said(stored: StoredCommunityRule) -> str:
    rule = stored.rule
    parts = [rule.text, f"(applies to {rule.applies_to})"]
    if rule.reason:
        parts.append(f"reason: {rule.reason}")
    if rule.examples:
        parts.append("examples: " + " | ".join(rule.examples))
    return " ".join(parts)


def diff_community_imports(
    store: Store,
    before: int | None = None,
    after: int | None = None,
    *,
    community: str | None = None,
) -> CommunityDiff:
    """Compare the community rules live at two imports.

    Only rule versions made or retired between the two imports are read, so a diff of a
    small re-import is fast whatever the size of the corpus.

    Args:
        store: The store.
        before: Older import id (default: the one before `after`; 0 = before any import).
        after: Newer import id (default: the latest).
        community: Only this community.

    Returns:
        The changes, by community then rule key.

    Raises:
        NotFoundError: No imports, or no such import id.
        ValidationError: `before` is not older than `after`.
    """
    ids = [record.id for record in _repo.list_community_imports(store)]
    if not ids:
        raise NotFoundError(
            "no community rules imported yet", hint="run `modgate policy import-community FILE`"
        )
    newer = ids[-1] if after is None else after
    if newer not in ids:
        raise NotFoundError(f"no community import {newer}", hint=f"imports are {ids[0]}–{ids[-1]}")
    if before is None:
        older_ids = [i for i in ids if i < newer]
        older = older_ids[-1] if older_ids else 0
    else:
        older = before
        if older != 0 and older not in ids:
            raise NotFoundError(f"no community import {older}")
    if older >= newer:
        raise ValidationError(f"import {older} is not older than import {newer}")
    rules = community_rules.c
    gone = select(community_rules).where(
        rules.imported_in <= older, rules.retired_in > older, rules.retired_in <= newer
    )
    came = select(community_rules).where(
        rules.imported_in > older,
        rules.imported_in <= newer,
        rules.retired_in.is_(None) | (rules.retired_in > newer),
    )
    if community is not None:
        gone = gone.where(rules.community == community)
        came = came.where(rules.community == community)
    with store.connect() as conn:
        old = {(r.community, r.rule_key): _repo.stored_rule(r) for r in conn.execute(gone)}
        new = {(r.community, r.rule_key): _repo.stored_rule(r) for r in conn.execute(came)}
    changes: list[CommunityRuleChange] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None:
            if a.content_hash == b.content_hash:
                continue  # removed and re-added with the same words in between
            said_a, said_b = _said(a), _said(b)
            changes.append(
                CommunityRuleChange(
                    community=key[0],
                    rule_key=key[1],
                    change="reworded",
                    rule=b.rule.name,
                    version_before=a.version,
                    version_after=b.version,
                    before=said_a,
                    after=said_b,
                    detail=render_word_diff(word_diff(said_a, said_b)),
                )
            )
        elif b is not None:
            said = _said(b)
            changes.append(
                CommunityRuleChange(
                    community=key[0], rule_key=key[1], change="added", rule=b.rule.name,
                    version_before=None, version_after=b.version, before=None, after=said,
                    detail=said,
                )
            )  # fmt: skip
        elif a is not None:
            said = _said(a)
            changes.append(
                CommunityRuleChange(
                    community=key[0], rule_key=key[1], change="removed", rule=a.rule.name,
                    version_before=a.version, version_after=None, before=said, after=None,
                    detail=said,
                )
            )  # fmt: skip
    return CommunityDiff(
        before_import=older,
        after_import=newer,
        added=sum(c.change == "added" for c in changes),
        removed=sum(c.change == "removed" for c in changes),
        reworded=sum(c.change == "reworded" for c in changes),
        communities=len({c.community for c in changes}),
        changes=changes,
    )
