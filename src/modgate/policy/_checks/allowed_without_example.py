"""An allowed context that no safe example cites."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy


class AllowedWithoutExampleCheck:
    """Each allowed context needs a `safe` example citing it, ideally a hard negative."""

    name = "allowed_without_example"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield a warning per allowed context no safe example cites."""
        cited = {
            rule_id
            for example in loaded.policy.examples
            if example.label == "safe"
            for rule_id in example.allowed
        }
        for i, context in enumerate(loaded.policy.allowed):
            if context.id not in cited:
                yield loaded.source.finding(
                    ("allowed", i, "id"),
                    check=self.name,
                    severity=FindingSeverity.WARNING,
                    message=f"allowed context {context.id!r} has no example",
                    hint="add a `safe` example that looks like a violation, with "
                    f"`allowed: [{context.id}]`",
                )
