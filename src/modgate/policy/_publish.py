"""Publish a policy as an immutable version (content hash, audit event); resolve `id@version`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modgate.domain import VersionRef
from modgate.errors import ConflictError, ValidationError
from modgate.policy._compile_prompt import compile_prompt
from modgate.policy._findings import FindingSeverity, PolicyLoadError, render_findings
from modgate.policy._lint import LintOptions, lint_policy
from modgate.policy._load import LoadedPolicy, load_policy_file, load_policy_text
from modgate.policy._repo import (
    get_policy_version,
    insert_policy_version,
    latest_version,
    stored_content_hash,
)
from modgate.policy._schema import policy_content_hash
from modgate.registry import Registry
from modgate.store import Store, record_audit_event

_POLICY_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class PublishResult(BaseModel):
    """What publishing one policy did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_ref: str
    """`id@version`."""
    status: Literal["published", "unchanged"]
    """`published` for a new version; `unchanged` when the same content was already there."""
    content_hash: str
    """sha256 of the policy's canonical JSON."""
    prompt_hash: str
    """sha256 of the default compiled prompt."""


def publish_policy(
    store: Store,
    loaded: LoadedPolicy,
    *,
    actor: str,
    registry: Registry | None = None,
    lint_options: LintOptions | None = None,
    now: datetime | None = None,
) -> PublishResult:
    """Publish a policy version; republishing identical content is a no-op.

    Args:
        store: The store.
        loaded: The policy (and the YAML it came from, stored alongside).
        actor: Who publishes, for the audit log.
        registry: When given, lint first and refuse a policy with lint errors.
        lint_options: Options for that lint run.
        now: Time to record (default: now).

    Returns:
        Whether a version was written, and its hashes.

    Raises:
        ValidationError: Lint found errors.
        ConflictError: The version is published with different content.
    """
    policy = loaded.policy
    if registry is not None:
        report = lint_policy(loaded, registry=registry, options=lint_options)
        errors = [f for f in report.findings if f.severity is FindingSeverity.ERROR]
        if errors:
            raise ValidationError(
                f"{policy.ref} has {len(errors)} lint error(s); not published\n"
                + render_findings(errors),
                hint="fix them (`modgate policy lint`), or publish with --no-lint",
            )
    content_hash = policy_content_hash(policy)
    prompt_hash = compile_prompt(policy).prompt_hash
    with store.begin() as conn:
        stored = stored_content_hash(conn, policy.id, policy.version)
        if stored == content_hash:
            return PublishResult(
                policy_ref=policy.ref,
                status="unchanged",
                content_hash=content_hash,
                prompt_hash=prompt_hash,
            )
        if stored is not None:
            newest = latest_version(conn, policy.id) or policy.version
            raise ConflictError(
                f"{policy.ref} is already published with different content "
                f"(stored {stored[:12]}, this file {content_hash[:12]})",
                hint=f"published versions are immutable: set `version: {newest + 1}` and "
                "publish again (`modgate policy diff` shows what changed)",
            )
        insert_policy_version(
            conn,
            policy,
            content_hash=content_hash,
            prompt_hash=prompt_hash,
            source_yaml=loaded.text,
            actor=actor,
            now=now or datetime.now(UTC),
        )
        record_audit_event(
            conn,
            actor=actor,
            action="policy.publish",
            object_type="policy",
            object_id=policy.ref,
            details={
                "content_hash": content_hash,
                "prompt_hash": prompt_hash,
                "scope": policy.scope,
                "file": loaded.source.file,
            },
        )
    return PublishResult(
        policy_ref=policy.ref,
        status="published",
        content_hash=content_hash,
        prompt_hash=prompt_hash,
    )


def parse_policy_ref(ref: str) -> tuple[str, int | None]:
    """Split `id@version` (or a bare `id`, meaning the newest version).

    Raises:
        ValidationError: The text is not a policy reference.
    """
    try:
        parsed = VersionRef.parse(ref, what="policy reference")
    except ValidationError:
        parsed = None
    if parsed is None or _POLICY_ID.match(parsed.name) is None:
        raise ValidationError(
            f"{ref!r} is neither a policy file nor a reference like 'harassment@2'",
            hint="pass a path to a .yaml file, or ID@VERSION of a published policy",
        )
    return parsed.name, parsed.version


def load_policy_ref(ref: str, *, store: Callable[[], Store] | None = None) -> LoadedPolicy:
    """Load a policy named by a file path or by `id[@version]` of a published version.

    Args:
        ref: A path to a policy file, or `id@version` / `id` (newest).
        store: Gives the store, called only when `ref` names a published version.

    Raises:
        ValidationError: `ref` is neither, or names a published version without a store.
        NotFoundError: No such file or published version.
        PolicyLoadError: The file is not a valid policy.
    """
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_policy_file(path)
    policy_id, version = parse_policy_ref(ref)
    if store is None:
        raise ValidationError(f"{ref!r} names a published policy, but there is no store here")
    published = get_policy_version(store(), policy_id, version)
    name = published.record.ref
    if published.source_yaml is not None:
        try:
            return load_policy_text(published.source_yaml, file=name)
        except PolicyLoadError:
            pass  # written under an older schema: keep the stored model, without line numbers
    return LoadedPolicy.from_policy(published.policy, file=name)
