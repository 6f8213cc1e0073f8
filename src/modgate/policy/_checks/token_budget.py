"""The compiled judge prompt is longer than the token budget."""

from __future__ import annotations

from collections.abc import Iterator

from modgate.policy._compile_prompt import compile_prompt
from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy
from modgate.policy._tokens import count_tokens


class TokenBudgetCheck:
    """Policy-following models do best with short policies (around 400–600 tokens)."""

    name = "token_budget"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield a warning when the compiled prompt exceeds `options.token_budget`."""
        prompt = compile_prompt(loaded.policy, options.template)
        count = count_tokens(prompt.text)
        if count.tokens > options.token_budget:
            yield loaded.source.finding(
                (),
                check=self.name,
                severity=FindingSeverity.WARNING,
                message=f"compiled prompt is {count.describe()}, over the budget of "
                f"{options.token_budget}",
                hint="tighten descriptions, drop redundant examples, or split the policy "
                "(raise the limit with --token-budget)",
            )
