"""The web UI: server-rendered pages over the library APIs, local accounts, sessions, CSRF.

`create_ui_app(settings, store)` builds the ASGI app that `modgate serve` mounts at `/ui`;
accounts are managed with `create_account`, `set_role`, `grant_queue` (and `modgate users`).
Names load on first use, so `modgate users list` does not import FastAPI or Jinja2.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.ui._app import create_ui_app
    from modgate.ui._charts import action_rates, actions_over_time_chart, drift_chart
    from modgate.ui._passwords import hash_password, verify_password
    from modgate.ui._repo import (
        Account,
        LoginRefusedError,
        NewSession,
        QueueGrant,
        SavedQuery,
        Session,
        create_account,
        get_account,
        get_session,
        grant_queue,
        list_accounts,
        list_saved_queries,
        login,
        logout,
        save_query,
        set_disabled,
        set_password,
        set_role,
    )
    from modgate.ui._roles import ROLES, Capability, Role, role_allows
    from modgate.ui._settings import UiSettings

__all__ = [
    "ROLES",
    "Account",
    "Capability",
    "LoginRefusedError",
    "NewSession",
    "QueueGrant",
    "Role",
    "SavedQuery",
    "Session",
    "UiSettings",
    "action_rates",
    "actions_over_time_chart",
    "create_account",
    "create_ui_app",
    "drift_chart",
    "get_account",
    "get_session",
    "grant_queue",
    "hash_password",
    "list_accounts",
    "list_saved_queries",
    "login",
    "logout",
    "role_allows",
    "save_query",
    "set_disabled",
    "set_password",
    "set_role",
    "verify_password",
]

_EXPORTS = {
    "create_ui_app": "._app",
    **dict.fromkeys(["action_rates", "actions_over_time_chart", "drift_chart"], "._charts"),
    **dict.fromkeys(["hash_password", "verify_password"], "._passwords"),
    **dict.fromkeys(
        [
            "Account",
            "LoginRefusedError",
            "NewSession",
            "QueueGrant",
            "SavedQuery",
            "Session",
            "create_account",
            "get_account",
            "get_session",
            "grant_queue",
            "list_accounts",
            "list_saved_queries",
            "login",
            "logout",
            "save_query",
            "set_disabled",
            "set_password",
            "set_role",
        ],
        "._repo",
    ),  # fmt: skip
    **dict.fromkeys(["ROLES", "Capability", "Role", "role_allows"], "._roles"),
    "UiSettings": "._settings",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
