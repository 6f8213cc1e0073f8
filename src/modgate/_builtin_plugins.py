"""Built-in kinds, registered through the same hooks as third-party plugins.

Listed in our own `modgate` entry-point group. Each later capability adds its `register_*`
implementation here, importing from the package that implements it.
"""

from __future__ import annotations

from modgate.hookspecs import Register, hookimpl


@hookimpl
def register_enforcers(register: Register) -> None:
    """Register the built-in enforcer kinds (their records; heavy parts load on first use)."""
    from modgate.enforce import CASCADE_KIND, RECORDED_KIND
    from modgate.enforce.classifier import CLASSIFIER_KIND
    from modgate.enforce.fewshot import FEWSHOT_KIND
    from modgate.enforce.llm import LLM_KIND
    from modgate.enforce.rules import RULES_KIND

    for kind in (RULES_KIND, CLASSIFIER_KIND, LLM_KIND, FEWSHOT_KIND, CASCADE_KIND, RECORDED_KIND):
        register(kind.name, kind)


@hookimpl
def register_lint_checks(register: Register) -> None:
    """Register the built-in policy lint checks."""
    from modgate.policy import builtin_lint_checks

    for name, factory in builtin_lint_checks().items():
        register(name, factory)


@hookimpl
def register_perturbations(register: Register) -> None:
    """Register the built-in red-team perturbations."""
    from modgate.redteam import builtin_perturbations

    for name, factory in builtin_perturbations().items():
        register(name, factory)


@hookimpl
def register_drift_tests(register: Register) -> None:
    """Register the built-in drift statistics (psi, ks, jensen_shannon, wasserstein)."""
    from modgate.monitor import builtin_drift_tests

    for name, factory in builtin_drift_tests().items():
        register(name, factory)


@hookimpl
def register_monitor_checks(register: Register) -> None:
    """Register the built-in monitor checks."""
    from modgate.monitor import builtin_monitor_checks

    for name, factory in builtin_monitor_checks().items():
        register(name, factory)
