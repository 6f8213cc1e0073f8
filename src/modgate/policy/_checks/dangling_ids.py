"""Dangling ids: an example cites a criterion or allowed context that does not exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy


class DanglingIdsCheck:
    """Examples may only cite ids defined in `violates` (criteria) and `allowed`."""

    name = "dangling_ids"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield one error per unknown id cited by an example."""
        policy = loaded.policy
        sections = {
            "criteria": ("violates", list(dict.fromkeys(c.id for c in policy.violates))),
            "allowed": ("allowed", list(dict.fromkeys(a.id for a in policy.allowed))),
        }
        for i, example in enumerate(policy.examples):
            for field, cited in (("criteria", example.criteria), ("allowed", example.allowed)):
                section, known = sections[field]
                for j, rule_id in enumerate(cited):
                    if rule_id in known:
                        continue
                    close = difflib.get_close_matches(rule_id, known, n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    hint += f"ids defined in `{section}`: {', '.join(known) or 'none'}"
                    yield loaded.source.finding(
                        ("examples", i, field, j),
                        check=self.name,
                        severity=FindingSeverity.ERROR,
                        message=f"example cites {rule_id!r}, which `{section}` does not define",
                        hint=hint,
                    )
