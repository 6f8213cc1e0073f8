"""Contradictory examples: the same text (after normalisation) labelled both ways."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy
from modgate.policy._normalize import normalize_example_text


class ContradictoryExamplesCheck:
    """Two examples with the same text and different labels teach the model nothing."""

    name = "contradictory_examples"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield one error per example contradicting an earlier one, one warning per repeat."""
        first: dict[str, int] = {}
        for i, example in enumerate(loaded.policy.examples):
            key = normalize_example_text(example.text)
            if key not in first:
                first[key] = i
                continue
            j = first[key]
            other = loaded.policy.examples[j]
            line, _ = loaded.source.position(("examples", j))
            at = f"examples[{j}]" + (f" (line {line})" if line is not None else "")
            if other.label != example.label:
                yield loaded.source.finding(
                    ("examples", i, "text"),
                    check=self.name,
                    severity=FindingSeverity.ERROR,
                    message=f"labelled {example.label!r}, but {at} has the same text "
                    f"labelled {other.label!r}",
                    hint="keep one label; if context decides, put the context in the text",
                )
            else:
                yield loaded.source.finding(
                    ("examples", i, "text"),
                    check=self.name,
                    severity=FindingSeverity.WARNING,
                    message=f"repeats the text of {at}",
                    hint="remove the duplicate; it spends tokens and teaches nothing new",
                )
