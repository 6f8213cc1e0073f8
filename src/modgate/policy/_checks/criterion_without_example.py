"""A criterion that no violating example cites."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy


class CriterionWithoutExampleCheck:
    """Each criterion needs at least one `violates` example citing it to show where it bites."""

    name = "criterion_without_example"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield a warning per criterion no violating example cites."""
        cited = {
            rule_id
            for example in loaded.policy.examples
            if example.label == "violates"
            for rule_id in example.criteria
        }
        for i, criterion in enumerate(loaded.policy.violates):
            if criterion.id not in cited:
                yield loaded.source.finding(
                    ("violates", i, "id"),
                    check=self.name,
                    severity=FindingSeverity.WARNING,
                    message=f"criterion {criterion.id!r} has no violating example",
                    hint=f"add an example with `label: violates` and `criteria: [{criterion.id}]`",
                )
