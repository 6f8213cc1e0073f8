"""The revisions of the shipped migrations, as constants: read commands check the schema with them.

Every command that opens the store compares the database's revision with `HEADS`; reading the
migration files (alembic's script loader imports each one, even parsing them costs about 40 ms)
for that would be most of a read command's schema check. `tests/store/test_migrations.py`
checks both constants against alembic's own script loader, so a new migration that is not
listed here fails the tests.
"""

from __future__ import annotations

REVISIONS = frozenset(
    {
        "0001_core",
        "0005_policies",
        "0007_golden",
        "0008_verdicts",
        "0009_llm",
        "0010_eval",
        "0018_release",
        "0019_serve",
        "0020_monitor",
        "0022_redteam",
        "0023_community",
        "0025_golden_raters",
        "0026_rule_effects",
        "0027_monitor_links",
        "0028_review",
        "0029_accounts",
        "0030_monitor_rollups",
    }
)
"""Every revision in `migrations/versions/`."""

HEADS = (
    "0009_llm",
    "0010_eval",
    "0019_serve",
    "0022_redteam",
    "0023_community",
    "0025_golden_raters",
    "0026_rule_effects",
    "0028_review",
    "0029_accounts",
    "0030_monitor_rollups",
)
"""The revisions no migration builds on (sorted): a current database is at all of them."""
