"""Duplicate ids: two criteria (or allowed contexts, or one of each) share an id."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy


class DuplicateIdsCheck:
    """Every criterion and allowed context needs its own id: judges answer with them."""

    name = "duplicate_ids"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield one error per id used a second time."""
        first: dict[str, str] = {}
        entries = [("violates", i, c.id) for i, c in enumerate(loaded.policy.violates)]
        entries += [("allowed", i, a.id) for i, a in enumerate(loaded.policy.allowed)]
        for section, index, rule_id in entries:
            where = f"{section}[{index}]"
            if rule_id in first:
                yield loaded.source.finding(
                    (section, index, "id"),
                    check=self.name,
                    severity=FindingSeverity.ERROR,
                    message=f"id {rule_id!r} is already used by {first[rule_id]}",
                    hint="give each criterion and allowed context a unique id",
                )
            else:
                first[rule_id] = where
