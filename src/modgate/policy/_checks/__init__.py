"""Built-in lint checks, one module each; registered through the `register_lint_checks` hook."""

from __future__ import annotations

from collections.abc import Callable

from modgate.policy._checks.allowed_without_example import AllowedWithoutExampleCheck
from modgate.policy._checks.contradictory_examples import ContradictoryExamplesCheck
from modgate.policy._checks.criterion_without_example import CriterionWithoutExampleCheck
from modgate.policy._checks.dangling_ids import DanglingIdsCheck
from modgate.policy._checks.duplicate_ids import DuplicateIdsCheck
from modgate.policy._checks.example_labels import ExampleLabelsCheck
from modgate.policy._checks.token_budget import TokenBudgetCheck
from modgate.policy._checks.vague_terms import VagueTermsCheck


def builtin_lint_checks() -> dict[str, Callable[[], object]]:
    """Factories of the built-in lint checks by registered name."""
    return {
        AllowedWithoutExampleCheck.name: AllowedWithoutExampleCheck,
        ContradictoryExamplesCheck.name: ContradictoryExamplesCheck,
        CriterionWithoutExampleCheck.name: CriterionWithoutExampleCheck,
        DanglingIdsCheck.name: DanglingIdsCheck,
        DuplicateIdsCheck.name: DuplicateIdsCheck,
        ExampleLabelsCheck.name: ExampleLabelsCheck,
        TokenBudgetCheck.name: TokenBudgetCheck,
        VagueTermsCheck.name: VagueTermsCheck,
    }
