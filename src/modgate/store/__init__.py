"""Storage: engine, tables, migrations, batched writes, items, audit and read-only SQL.

`store` never imports a domain package; domain packages reach their own tables through one
persistence module (`_repo.py`) that receives a `Store`.
"""

from modgate.store._audit import AuditEvent, list_audit_events, record_audit_event
from modgate.store._bulk import IN_LIST_CHUNK, batched, bulk_insert, bulk_upsert
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
    InputFormat,
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

__all__ = [
    "api_keys",
    "ui_accounts",
    "ui_login_attempts",
    "ui_queue_grants",
    "ui_saved_queries",
    "ui_sessions",
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
    "appeals",
    "review_decisions",
    "review_exposures",
    "review_settings",
    "review_tasks",
    "community_families",
    "community_family_members",
    "community_imports",
    "community_policy_versions",
    "community_rules",
    "batched",
    "bulk_insert",
    "bulk_upsert",
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
    "save_items",
    "suggest_mapping",
    "translate_database_error",
    "upgrade_database",
    "write_item_rows",
    "verdicts",
    "write_items",
]
