"""Community rules → `Policy` (scope `community:NAME`), and export as policy files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from modgate.domain import Action
from modgate.errors import NotFoundError, ValidationError
from modgate.policy import _repo
from modgate.policy._community_schema import AppliesTo, StoredCommunityRule
from modgate.policy._schema import Criterion, Example, Policy, Severity
from modgate.store import Store, community_policy_versions

_NOT_ID = re.compile(r"[^a-z0-9_-]+")
_NOT_RULE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_APPLIES = {AppliesTo.POSTS: " Applies to posts.", AppliesTo.COMMENTS: " Applies to comments."}


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def community_policy_id(community: str) -> str:
    """The policy id of a community's policy: `community-<name>` in id characters.

    Example:
        >>> community_policy_id("AskHistorians")
        'community-askhistorians'
    """
    slug = _NOT_ID.sub("-", community.casefold()).strip("-")
    if slug != community.casefold() or len(slug) > 100:  # lossy: keep names apart
        slug = f"{slug[:100]}-{_short_hash(community)}".strip("-")
    return f"community-{slug}"


def _criterion_id(key: str, taken: set[str]) -> str:
    base = _NOT_RULE_ID.sub("-", key).strip("-.")
    if not base or not base[0].isalpha():
        base = f"r-{base}" if base else f"r-{_short_hash(key)}"
    if len(base) > 64:
        base = f"{base[:53]}-{_short_hash(key)}"
    found, n = base, 2
    while found in taken:
        suffix = f"-{n}"
        found, n = base[: 64 - len(suffix)] + suffix, n + 1
    taken.add(found)
    return found


class CommunityPolicyOptions(BaseModel):
    """What a community policy gets that community exports do not say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity = Severity.MEDIUM
    """Severity of every community policy."""
    actions: tuple[Action, ...] = (Action.REMOVE, Action.REVIEW)
    """Actions a community policy may take."""


def build_community_policy(
    community: str,
    rules: Iterable[StoredCommunityRule],
    *,
    version: int = 1,
    options: CommunityPolicyOptions | None = None,
) -> Policy:
    """One community's rules as a `Policy` (each rule a criterion, its examples violating).

    Raises:
        ValidationError: The community has no rules.
    """
    options = options or CommunityPolicyOptions()
    taken: set[str] = set()
    criteria: list[Criterion] = []
    examples: list[Example] = []
    for stored in rules:
        rule = stored.rule
        cid = _criterion_id(stored.key, taken)
        description = rule.description or rule.name
        description += _APPLIES.get(rule.applies_to, "")
        if rule.reason:
            description += f" Removal reason: {rule.reason}"
        criteria.append(Criterion(id=cid, title=rule.name, description=description))
        examples += [Example(text=e, label="violates", criteria=[cid]) for e in rule.examples]
    if not criteria:
        raise ValidationError(f"community {community!r} has no rules")
    return Policy(
        id=community_policy_id(community),
        version=version,
        scope=f"community:{community}",
        title=f"Rules of {community}",
        definition=(
            f"The rules of the {community} community, as its moderators wrote them. They apply "
            "on top of the site policies, which a community may tighten but never relax."
        ),
        violates=criteria,
        examples=examples,
        severity=options.severity,
        actions=list(options.actions),
    )


def _versions(store: Store, community: str | None) -> dict[str, int]:
    c = community_policy_versions.c
    query = select(c.community, c.version)
    if community is not None:
        query = query.where(c.community == community)
    found: dict[str, int] = {}
    with store.connect() as conn:
        for name, version in conn.execute(query):
            found[name] = max(found.get(name, 0), int(version))
    return found


def iter_community_policies(
    store: Store, *, community: str | None = None, options: CommunityPolicyOptions | None = None
) -> Iterator[Policy]:
    """The current policy of every community (or one), built from its stored rules."""
    versions = _versions(store, community)
    rules = _repo.iter_community_rules(store, community=community)
    for name, group in groupby(rules, key=lambda r: r.rule.community):
        yield build_community_policy(name, group, version=versions.get(name, 1), options=options)


def community_policy(
    store: Store, community: str, *, options: CommunityPolicyOptions | None = None
) -> Policy:
    """The current policy of one community (scope `community:NAME`), ready for any enforcer.

    Raises:
        NotFoundError: The community has no current rules.

    Example:
        >>> policy = community_policy(store, "askhistorians")  # doctest: +SKIP
        >>> policy.scope  # doctest: +SKIP
        'community:askhistorians'
    """
    for policy in iter_community_policies(store, community=community, options=options):
        return policy
    raise NotFoundError(
        f"community {community!r} has no imported rules",
        hint="`modgate policy import-community FILE` imports them",
    )


def export_community_policies(
    store: Store,
    folder: Path,
    *,
    community: str | None = None,
    options: CommunityPolicyOptions | None = None,
) -> list[Path]:
    """Write each community's current policy as `FOLDER/<policy id>.yaml` (a policy file).

    Raises:
        NotFoundError: Nothing to export.
        ValidationError: The folder cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"cannot create {folder}: {exc}") from exc
    written: list[Path] = []
    for policy in iter_community_policies(store, community=community, options=options):
        path = folder / f"{policy.id}.yaml"
        data = policy.model_dump(mode="json", exclude_defaults=False)
        text = "# Exported by `modgate policy export-community`.\n" + yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, width=100
        )
        try:
            path.write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise ValidationError(f"cannot write {path}: {exc}") from exc
        written.append(path)
    if not written:
        what = f"community {community!r}" if community else "any community"
        raise NotFoundError(f"no imported rules for {what}")
    return written
