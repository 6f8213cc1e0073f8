"""`import_community_rules`: a community-rules export → versioned community policies, linted.

One pass over the file in one transaction. The current rules' hashes are loaded first; each
rule read is hashed and compared: an unchanged rule writes nothing, a reworded one retires its
old version and adds the next, a new one adds version 1 (or the next after a removed one). A
community in the file that lost rules has them retired. Communities absent from the file are
left as they are (an export of some communities updates those only). Every community that
changed gets a new community policy version (scope `community:NAME`). Each rule is linted as
it is read; findings stream to a JSONL file, the result keeps counts and a few examples.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import ValidationError
from modgate.policy import _repo
from modgate.policy._community_lint import (
    COMMUNITY_CHECKS,
    CheckableBy,
    CommunityFinding,
    SitePolicyIndex,
    lint_community_rule,
)
from modgate.policy._community_read import (
    CommunityRuleMapping,
    read_community_rules,
    resolve_rule_mapping,
)
from modgate.policy._community_schema import (
    CommunityRule,
    community_content_hash,
    rule_content_hash,
)
from modgate.policy._findings import FindingSeverity
from modgate.policy._schema import Policy
from modgate.store import (
    InputFormat,
    RejectsWriter,
    Store,
    default_rejects_path,
    open_rows,
    record_audit_event,
)

_EXAMPLES_PER_CHECK = 3
_AUDITED = ("added", "reworded", "removed", "unchanged", "rejected")


class CommunityLintSummary(BaseModel):
    """Lint figures of an import (every finding is in `findings_path` when one was given)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: int
    """Rules linted."""
    site_policies: list[str]
    """Site policies the rules were compared with."""
    checkable_by: dict[str, int]
    """Rules by the enforcer kind that could check them (rules, model, none)."""
    findings: dict[str, int]
    """Findings by check."""
    errors: int
    """Findings of severity error (rules that relax a site policy)."""
    warnings: int
    """Findings of severity warning."""
    infos: int
    """Findings of severity info."""
    examples: list[CommunityFinding]
    """The first few findings of each check."""
    findings_path: str | None
    """JSONL file holding every finding, when asked for."""


class CommunityImportResult(BaseModel):
    """What `import_community_rules` did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    import_id: int
    """Id of this import (pass it to `diff_community_imports`)."""
    source: str
    """The file imported."""
    rows: int
    """Rows read (rules accepted + rejected)."""
    communities: int
    """Communities in the file."""
    rules: int
    """Rules accepted."""
    added: int
    """Rules new to their community."""
    reworded: int
    """Rules whose content changed (a new version each)."""
    removed: int
    """Rules of communities in the file that the file no longer has."""
    unchanged: int
    """Rules identical to their current version (nothing written)."""
    communities_changed: int
    """Communities that got a new community policy version."""
    rejected: int
    """Rows rejected."""
    reject_reasons: dict[str, int] = Field(default_factory=dict)
    """Rejected rows by reason."""
    rejects_path: str | None = None
    """Where the rejected rows are (None when there were none)."""
    blank_lines: int = 0
    """Blank lines skipped."""
    lint: CommunityLintSummary
    """Lint of the rules read."""


class _Lint:
    def __init__(self, site: SitePolicyIndex, path: Path | None) -> None:
        self.site = site
        self.path = path
        self.rules = 0
        self.checkable: Counter[str] = Counter()
        self.checks: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.examples: dict[str, list[CommunityFinding]] = defaultdict(list)
        self._handle: IO[str] | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = path.open("w", encoding="utf-8")
            except OSError as exc:
                raise ValidationError(f"cannot write the findings file {path}: {exc}") from exc

    def add(self, rule: CommunityRule, key: str | None = None) -> None:
        result = lint_community_rule(rule, self.site, key=key)
        self.rules += 1
        self.checkable[result.checkable_by] += 1
        for finding in result.findings:
            self.checks[finding.check] += 1
            self.severities[finding.severity] += 1
            if len(self.examples[finding.check]) < _EXAMPLES_PER_CHECK:
                self.examples[finding.check].append(finding)
            if self._handle is not None:
                self._handle.write(finding.model_dump_json())
                self._handle.write("\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    def summary(self) -> CommunityLintSummary:
        return CommunityLintSummary(
            rules=self.rules,
            site_policies=self.site.policy_ids,
            checkable_by={k: self.checkable.get(k, 0) for k in CheckableBy},
            findings={c: self.checks.get(c, 0) for c in COMMUNITY_CHECKS},
            errors=self.severities.get(FindingSeverity.ERROR, 0),
            warnings=self.severities.get(FindingSeverity.WARNING, 0),
            infos=self.severities.get(FindingSeverity.INFO, 0),
            examples=[f for c in COMMUNITY_CHECKS for f in self.examples.get(c, [])],
            findings_path=str(self.path) if self.path is not None else None,
        )


def published_site_policies(store: Store) -> list[Policy]:
    """The newest published version of every site policy in the store."""
    newest: dict[str, int] = {}
    for record in _repo.list_policy_versions(store, scope="site"):
        newest[record.id] = max(record.version, newest.get(record.id, 0))
    return [_repo.get_policy_version(store, pid, v).policy for pid, v in sorted(newest.items())]


def _row(
    rule: CommunityRule, key: str, version: int, digest: str, import_id: int
) -> dict[str, Any]:
    return {
        "community": rule.community,
        "rule_key": key,
        "version": version,
        "content_hash": digest,
        "name": rule.name,
        "description": rule.description,
        "applies_to": str(rule.applies_to),
        "reason": rule.reason,
        "examples": list(rule.examples),
        "position": rule.position,
        "imported_in": import_id,
        "retired_in": None,
    }


def import_community_rules(
    store: Store,
    path: Path,
    *,
    actor: str,
    mapping: CommunityRuleMapping | None = None,
    fmt: InputFormat | None = None,
    rejects_path: Path | None = None,
    site_policies: Sequence[Policy] | None = None,
    findings_path: Path | None = None,
    batch_size: int = 5000,
) -> CommunityImportResult:
    """Import a community-rules export as versioned community policies, linting every rule.

    Args:
        store: The store.
        path: CSV, TSV, JSONL (optionally gzipped) or Parquet file, one row per rule.
        actor: Who runs the import (audit log).
        mapping: Columns of the rule fields (default: found by the names platforms use).
        fmt: Input format (default: from the file name).
        rejects_path: Where rejected rows go (default: `FILE.rejects.jsonl`).
        site_policies: Site policies to lint against (default: those published in the store).
        findings_path: Write every lint finding here as JSONL.
        batch_size: Rule versions per bulk insert.

    Returns:
        Counts of what changed, rejects and the lint summary.

    Raises:
        ValidationError: The file cannot be read or has no community or rule-name column.

    Example:
        >>> result = import_community_rules(store, Path("rules.csv"), actor="me")  # doctest: +SKIP
        >>> result.added, result.reworded, result.lint.findings  # doctest: +SKIP
    """
    site = SitePolicyIndex(
        published_site_policies(store) if site_policies is None else site_policies
    )
    lint = _Lint(site, findings_path)
    now = datetime.now(UTC)
    counts: Counter[str] = Counter()
    rows_read = 0
    try:
        with (
            store.begin() as conn,
            open_rows(path, fmt) as stream,
            RejectsWriter(rejects_path or default_rejects_path(path)) as rejects,
        ):
            resolved = resolve_rule_mapping(
                mapping or CommunityRuleMapping(),
                stream.columns,
                complete=stream.columns_complete,
                source=str(path),
            )
            current = _repo.current_rule_hashes(conn)
            highest = _repo.max_rule_versions(conn)
            policy_versions = _repo.current_community_versions(conn)
            import_id = _repo.insert_community_import(
                conn, source=str(path), actor=actor, now=now, stats={}
            )
            seen: dict[str, dict[str, str]] = {}
            changed: set[str] = set()
            pending: list[dict[str, Any]] = []
            retire: list[tuple[str, str, int]] = []
            for rule, key in read_community_rules(stream, resolved, rejects):
                lint.add(rule, key)
                digest = rule_content_hash(rule)
                seen.setdefault(rule.community, {})[key] = digest
                old = current.get((rule.community, key))
                if old is not None and old[1] == digest:
                    counts["unchanged"] += 1
                    continue
                if old is None:
                    counts["added"] += 1
                    version = highest.get((rule.community, key), 0) + 1
                else:
                    counts["reworded"] += 1
                    version = old[0] + 1
                    retire.append((rule.community, key, old[0]))
                changed.add(rule.community)
                pending.append(_row(rule, key, version, digest, import_id))
                if len(pending) >= batch_size:
                    _repo.insert_rule_versions(conn, pending)
                    pending = []
            _repo.insert_rule_versions(conn, pending)
            for (community, key), (version, _digest) in current.items():
                kept = seen.get(community)
                if kept is not None and key not in kept:
                    retire.append((community, key, version))
                    counts["removed"] += 1
                    changed.add(community)
            _repo.retire_rule_versions(conn, retire, import_id)
            policy_rows = []
            for community in sorted(changed):
                before = policy_versions.get(community, (0, ""))[0]
                policy_rows.append(
                    {
                        "community": community,
                        "version": before + 1,
                        "content_hash": community_content_hash(seen[community]),
                        "rules": len(seen[community]),
                        "import_id": import_id,
                    }
                )
            for start in range(0, len(policy_rows), batch_size):
                _repo.insert_community_policy_versions(
                    conn, policy_rows[start : start + batch_size]
                )
            rows_read = lint.rules + rejects.total
            result = CommunityImportResult(
                import_id=import_id,
                source=str(path),
                rows=rows_read,
                communities=len(seen),
                rules=lint.rules,
                added=counts["added"],
                reworded=counts["reworded"],
                removed=counts["removed"],
                unchanged=counts["unchanged"],
                communities_changed=len(changed),
                rejected=rejects.total,
                reject_reasons=dict(rejects.counts),
                rejects_path=str(rejects.written) if rejects.written else None,
                blank_lines=stream.blank_lines,
                lint=lint.summary(),
            )
            stats = result.model_dump(mode="json", exclude={"lint"})
            stats["lint"] = result.lint.model_dump(mode="json", exclude={"examples"})
            _repo.update_community_import_stats(conn, import_id, stats)
            record_audit_event(
                conn,
                actor=actor,
                action="policy.import_community",
                object_type="community_import",
                object_id=str(import_id),
                details={"file": str(path), **{k: stats[k] for k in _AUDITED}},
            )
    finally:
        lint.close()
    return result


def lint_stored_community_rules(
    store: Store,
    *,
    community: str | None = None,
    site_policies: Sequence[Policy] | None = None,
    findings_path: Path | None = None,
) -> CommunityLintSummary:
    """Lint the current community rules in the store (e.g. after a site policy changed).

    Args:
        store: The store.
        community: Only this community.
        site_policies: Site policies to lint against (default: those published in the store).
        findings_path: Write every finding here as JSONL.

    Returns:
        The lint summary.
    """
    site = SitePolicyIndex(
        published_site_policies(store) if site_policies is None else site_policies
    )
    lint = _Lint(site, findings_path)
    try:
        for stored in _repo.iter_community_rules(store, community=community):
            lint.add(stored.rule, stored.key)
    finally:
        lint.close()
    return lint.summary()
