"""Example labels and citations agree: violating examples cite criteria, safe ones do not."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy


class ExampleLabelsCheck:
    """A model learns the line from what each example cites; the citations must fit the label."""

    name = "example_labels"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield errors for contradicting citations, warnings for missing ones."""
        for i, example in enumerate(loaded.policy.examples):
            if example.label == "safe" and example.criteria:
                yield loaded.source.finding(
                    ("examples", i, "criteria"),
                    check=self.name,
                    severity=FindingSeverity.ERROR,
                    message="a `safe` example cites violated criteria "
                    f"({', '.join(example.criteria)})",
                    hint="label it `violates`, or move the ids to `allowed` / `tags`",
                )
            if example.label == "violates" and example.allowed:
                yield loaded.source.finding(
                    ("examples", i, "allowed"),
                    check=self.name,
                    severity=FindingSeverity.ERROR,
                    message="a `violates` example cites allowed contexts "
                    f"({', '.join(example.allowed)})",
                    hint="label it `safe`, or explain the limit of the context in `note`",
                )
            if example.label == "violates" and not example.criteria:
                yield loaded.source.finding(
                    ("examples", i, "label"),
                    check=self.name,
                    severity=FindingSeverity.WARNING,
                    message="a `violates` example cites no criterion",
                    hint="add `criteria: [ID]` so the model learns which rule it breaks",
                )
