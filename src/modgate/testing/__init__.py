"""Test kit shipped with modgate: the enforcer conformance battery and store fixtures.

Plugin authors run `check_enforcer(MyEnforcer(...))` in their own tests.
"""

from modgate.testing._backends import (
    postgres_admin_url,
    throwaway_postgres_database,
    truncate_all,
)
from modgate.testing._enforcer_checks import (
    ENFORCER_CHECKS,
    EnforcerCheckError,
    check_batch_independent,
    check_deterministic,
    check_empty_batch,
    check_enforcer,
    check_error_means_review,
    check_one_verdict_per_item,
    check_order_kept,
    check_verdicts_valid,
    enforcer_checks,
    probe_items,
)

__all__ = [
    "ENFORCER_CHECKS",
    "EnforcerCheckError",
    "check_batch_independent",
    "check_deterministic",
    "check_empty_batch",
    "check_enforcer",
    "check_error_means_review",
    "check_one_verdict_per_item",
    "check_order_kept",
    "check_verdicts_valid",
    "enforcer_checks",
    "postgres_admin_url",
    "probe_items",
    "throwaway_postgres_database",
    "truncate_all",
]
