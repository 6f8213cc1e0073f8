"""Storage: engine, tables, migrations, batched writes, items, audit and read-only SQL.

`store` never imports a domain package; domain packages reach their own tables through one
persistence module (`_repo.py`) that receives a `Store`.
"""

import importlib
from typing import TYPE_CHECKING, Any

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.store._audit import AuditEvent, list_audit_events, record_audit_event
    from modgate.store._bulk import (
        IN_LIST_CHUNK,
        batched,
        bulk_insert,
        bulk_upsert,
        insert_new_rows,
    )
    from modgate.store._choices import InputFormat
    from modgate.store._engine import DEFAULT_SQL_TIMEOUT_S, Store, open_store
    from modgate.store._errors import translate_database_error
    from modgate.store._item_import import ImportReport, ProgressCallback, import_items
    from modgate.store._item_mapping import (
        ITEM_FIELDS,
        ItemMapping,
        load_mapping_file,
        resolve_mapping,
        suggest_mapping,
    )
    from modgate.store._items import (
        UpsertResult,
        count_items,
        get_item,
        get_items,
        item_content_hash,
        item_to_row,
        list_items,
        row_content_hash,
        row_to_item,
        save_items,
        write_item_rows,
        write_items,
    )
    from modgate.store._migrate import (
        current_revision,
        ensure_current,
        head_revision,
        is_known_revision,
        modgate_version,
        newer_database_error,
        upgrade_database,
    )
    from modgate.store._query import QueryResult, run_readonly_query
    from modgate.store._reader_role import (
        DANGEROUS_ROLES,
        ReaderRole,
        check_reader_session,
        create_reader_role,
    )
    from modgate.store._readers import (
        RejectReason,
        RowReject,
        RowStream,
        SourceRow,
        detect_format,
        escape_raw,
        open_rows,
    )
    from modgate.store._readonly import (
        SQLITE_FUNCTIONS,
        ReadonlyConnection,
        open_readonly,
        readonly_dbapi_connection,
    )
    from modgate.store._rejects import RejectsWriter, default_rejects_path, read_rejects
    from modgate.store._rollups import (
        ROLLUP_ACTIONS,
        ROLLUP_BINS,
        ROLLUP_SECONDS,
        apply_rollups,
        bin_expression,
        day_expression,
        rebuild_rollups,
    )
    from modgate.store._sqlite_files import SqliteFile, current_sqlite_file
    from modgate.store._tables import audit_events, enforcer_versions, items, metadata
    from modgate.store._tables_enforce import decisions, verdicts
    from modgate.store._tables_eval import eval_predictions, eval_runs, gate_reports
    from modgate.store._tables_golden import (
        golden_adjudications,
        golden_annotations,
        golden_items,
        golden_sets,
        golden_version_items,
        golden_versions,
    )
    from modgate.store._tables_llm import llm_cache, llm_runs
    from modgate.store._tables_monitor import (
        alert_deliveries,
        alerts,
        decision_features,
        incident_events,
        incidents,
        monitor_findings,
        review_outcomes,
    )
    from modgate.store._tables_policy import (
        community_families,
        community_family_members,
        community_imports,
        community_policy_versions,
        community_rules,
        policy_versions,
    )
    from modgate.store._tables_redteam import redteam_runs
    from modgate.store._tables_release import decision_arms, deployments, reversals
    from modgate.store._tables_review import (
        appeals,
        review_decisions,
        review_exposures,
        review_settings,
        review_tasks,
    )
    from modgate.store._tables_rollups import (
        monitor_rollup_counts,
        monitor_rollup_pairs,
        monitor_rollup_scores,
    )
    from modgate.store._tables_serve import api_keys
    from modgate.store._tables_ui import (
        ui_accounts,
        ui_login_attempts,
        ui_queue_grants,
        ui_saved_queries,
        ui_sessions,
    )
    from modgate.store._timestamps import format_timestamp, parse_timestamp
    from modgate.store._workspace import init_workspace

_EXPORTS = {
    "ui_accounts": "modgate.store._tables_ui",
    "ui_login_attempts": "modgate.store._tables_ui",
    "ui_queue_grants": "modgate.store._tables_ui",
    "ui_saved_queries": "modgate.store._tables_ui",
    "ui_sessions": "modgate.store._tables_ui",
    "appeals": "modgate.store._tables_review",
    "review_decisions": "modgate.store._tables_review",
    "review_exposures": "modgate.store._tables_review",
    "review_settings": "modgate.store._tables_review",
    "review_tasks": "modgate.store._tables_review",
    "AuditEvent": "modgate.store._audit",
    "list_audit_events": "modgate.store._audit",
    "record_audit_event": "modgate.store._audit",
    "IN_LIST_CHUNK": "modgate.store._bulk",
    "batched": "modgate.store._bulk",
    "bulk_insert": "modgate.store._bulk",
    "bulk_upsert": "modgate.store._bulk",
    "insert_new_rows": "modgate.store._bulk",
    "ROLLUP_ACTIONS": "modgate.store._rollups",
    "ROLLUP_BINS": "modgate.store._rollups",
    "ROLLUP_SECONDS": "modgate.store._rollups",
    "apply_rollups": "modgate.store._rollups",
    "bin_expression": "modgate.store._rollups",
    "day_expression": "modgate.store._rollups",
    "rebuild_rollups": "modgate.store._rollups",
    "monitor_rollup_counts": "modgate.store._tables_rollups",
    "monitor_rollup_pairs": "modgate.store._tables_rollups",
    "monitor_rollup_scores": "modgate.store._tables_rollups",
    "DEFAULT_SQL_TIMEOUT_S": "modgate.store._engine",
    "Store": "modgate.store._engine",
    "open_store": "modgate.store._engine",
    "translate_database_error": "modgate.store._errors",
    "ImportReport": "modgate.store._item_import",
    "ProgressCallback": "modgate.store._item_import",
    "import_items": "modgate.store._item_import",
    "ITEM_FIELDS": "modgate.store._item_mapping",
    "ItemMapping": "modgate.store._item_mapping",
    "load_mapping_file": "modgate.store._item_mapping",
    "resolve_mapping": "modgate.store._item_mapping",
    "suggest_mapping": "modgate.store._item_mapping",
    "UpsertResult": "modgate.store._items",
    "count_items": "modgate.store._items",
    "get_item": "modgate.store._items",
    "get_items": "modgate.store._items",
    "item_content_hash": "modgate.store._items",
    "item_to_row": "modgate.store._items",
    "list_items": "modgate.store._items",
    "row_content_hash": "modgate.store._items",
    "row_to_item": "modgate.store._items",
    "save_items": "modgate.store._items",
    "write_item_rows": "modgate.store._items",
    "write_items": "modgate.store._items",
    "current_revision": "modgate.store._migrate",
    "ensure_current": "modgate.store._migrate",
    "head_revision": "modgate.store._migrate",
    "is_known_revision": "modgate.store._migrate",
    "modgate_version": "modgate.store._migrate",
    "newer_database_error": "modgate.store._migrate",
    "upgrade_database": "modgate.store._migrate",
    "QueryResult": "modgate.store._query",
    "run_readonly_query": "modgate.store._query",
    "SqliteFile": "modgate.store._sqlite_files",
    "current_sqlite_file": "modgate.store._sqlite_files",
    "DANGEROUS_ROLES": "modgate.store._reader_role",
    "ReaderRole": "modgate.store._reader_role",
    "check_reader_session": "modgate.store._reader_role",
    "create_reader_role": "modgate.store._reader_role",
    "InputFormat": "modgate.store._choices",
    "RejectReason": "modgate.store._readers",
    "RowReject": "modgate.store._readers",
    "RowStream": "modgate.store._readers",
    "SourceRow": "modgate.store._readers",
    "detect_format": "modgate.store._readers",
    "escape_raw": "modgate.store._readers",
    "open_rows": "modgate.store._readers",
    "SQLITE_FUNCTIONS": "modgate.store._readonly",
    "ReadonlyConnection": "modgate.store._readonly",
    "open_readonly": "modgate.store._readonly",
    "readonly_dbapi_connection": "modgate.store._readonly",
    "RejectsWriter": "modgate.store._rejects",
    "default_rejects_path": "modgate.store._rejects",
    "read_rejects": "modgate.store._rejects",
    "audit_events": "modgate.store._tables",
    "enforcer_versions": "modgate.store._tables",
    "items": "modgate.store._tables",
    "metadata": "modgate.store._tables",
    "decisions": "modgate.store._tables_enforce",
    "verdicts": "modgate.store._tables_enforce",
    "eval_predictions": "modgate.store._tables_eval",
    "eval_runs": "modgate.store._tables_eval",
    "gate_reports": "modgate.store._tables_eval",
    "golden_adjudications": "modgate.store._tables_golden",
    "golden_annotations": "modgate.store._tables_golden",
    "golden_items": "modgate.store._tables_golden",
    "golden_sets": "modgate.store._tables_golden",
    "golden_version_items": "modgate.store._tables_golden",
    "golden_versions": "modgate.store._tables_golden",
    "llm_cache": "modgate.store._tables_llm",
    "llm_runs": "modgate.store._tables_llm",
    "alert_deliveries": "modgate.store._tables_monitor",
    "alerts": "modgate.store._tables_monitor",
    "decision_features": "modgate.store._tables_monitor",
    "incident_events": "modgate.store._tables_monitor",
    "incidents": "modgate.store._tables_monitor",
    "monitor_findings": "modgate.store._tables_monitor",
    "review_outcomes": "modgate.store._tables_monitor",
    "community_families": "modgate.store._tables_policy",
    "community_family_members": "modgate.store._tables_policy",
    "community_imports": "modgate.store._tables_policy",
    "community_policy_versions": "modgate.store._tables_policy",
    "community_rules": "modgate.store._tables_policy",
    "policy_versions": "modgate.store._tables_policy",
    "redteam_runs": "modgate.store._tables_redteam",
    "decision_arms": "modgate.store._tables_release",
    "deployments": "modgate.store._tables_release",
    "reversals": "modgate.store._tables_release",
    "api_keys": "modgate.store._tables_serve",
    "format_timestamp": "modgate.store._timestamps",
    "parse_timestamp": "modgate.store._timestamps",
    "init_workspace": "modgate.store._workspace",
}
"""Public name → the module that defines it."""

_getattr, __dir__ = attach(__name__, _EXPORTS)


def __getattr__(name: str) -> Any:
    """A public name, imported on first use.

    The `_tables_*` modules define their tables on the shared `metadata` of `_tables`, which
    imports every one of them at its end (so the metadata is complete) and is imported by each;
    entering that cycle at `_tables` first is what lets each module find its neighbours' tables
    defined (a table module entered first would be half-defined when a neighbour imports it).
    """
    if _EXPORTS.get(name, "").startswith("modgate.store._tables_"):
        importlib.import_module("modgate.store._tables")
    return _getattr(name)


__all__ = [
    "ui_accounts",
    "ui_login_attempts",
    "ui_queue_grants",
    "ui_saved_queries",
    "ui_sessions",
    "appeals",
    "review_decisions",
    "review_exposures",
    "review_settings",
    "review_tasks",
    "api_keys",
    "IN_LIST_CHUNK",
    "AuditEvent",
    "DANGEROUS_ROLES",
    "DEFAULT_SQL_TIMEOUT_S",
    "ReaderRole",
    "ReadonlyConnection",
    "SQLITE_FUNCTIONS",
    "check_reader_session",
    "create_reader_role",
    "open_readonly",
    "ITEM_FIELDS",
    "ImportReport",
    "InputFormat",
    "ItemMapping",
    "ProgressCallback",
    "QueryResult",
    "RejectReason",
    "RejectsWriter",
    "RowReject",
    "RowStream",
    "SourceRow",
    "Store",
    "UpsertResult",
    "alert_deliveries",
    "alerts",
    "audit_events",
    "decision_features",
    "incident_events",
    "incidents",
    "monitor_findings",
    "review_outcomes",
    "community_families",
    "community_family_members",
    "community_imports",
    "community_policy_versions",
    "community_rules",
    "batched",
    "bulk_insert",
    "bulk_upsert",
    "insert_new_rows",
    "ROLLUP_ACTIONS",
    "ROLLUP_BINS",
    "ROLLUP_SECONDS",
    "apply_rollups",
    "bin_expression",
    "day_expression",
    "rebuild_rollups",
    "monitor_rollup_counts",
    "monitor_rollup_pairs",
    "monitor_rollup_scores",
    "count_items",
    "current_revision",
    "default_rejects_path",
    "detect_format",
    "decision_arms",
    "decisions",
    "deployments",
    "enforcer_versions",
    "eval_predictions",
    "eval_runs",
    "redteam_runs",
    "gate_reports",
    "ensure_current",
    "escape_raw",
    "format_timestamp",
    "get_item",
    "get_items",
    "golden_adjudications",
    "golden_annotations",
    "golden_items",
    "golden_sets",
    "golden_version_items",
    "golden_versions",
    "head_revision",
    "is_known_revision",
    "modgate_version",
    "newer_database_error",
    "import_items",
    "init_workspace",
    "item_content_hash",
    "item_to_row",
    "items",
    "list_audit_events",
    "list_items",
    "load_mapping_file",
    "llm_cache",
    "llm_runs",
    "metadata",
    "open_rows",
    "open_store",
    "policy_versions",
    "parse_timestamp",
    "read_rejects",
    "readonly_dbapi_connection",
    "record_audit_event",
    "reversals",
    "resolve_mapping",
    "row_content_hash",
    "row_to_item",
    "run_readonly_query",
    "SqliteFile",
    "current_sqlite_file",
    "save_items",
    "suggest_mapping",
    "translate_database_error",
    "upgrade_database",
    "write_item_rows",
    "verdicts",
    "write_items",
]
