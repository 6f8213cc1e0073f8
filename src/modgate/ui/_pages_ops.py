"""Deployments and rollback, the read-only SQL console, and account administration."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from modgate.errors import ModgateError, ValidationError
from modgate.release import deployment_history, get_deployment, load_deployment_snapshot, rollback
from modgate.store import record_audit_event, run_readonly_query
from modgate.ui._pages_dash import Reader
from modgate.ui._repo import (
    Session,
    create_account,
    grant_queue,
    list_accounts,
    list_saved_queries,
    save_query,
    set_disabled,
    set_role,
)
from modgate.ui._roles import ROLES
from modgate.ui._security import need, need_post, ui_store
from modgate.ui._settings import UiSettings
from modgate.ui._templates import render

router = APIRouter()
Deployer = Annotated[Session, Depends(need_post("deploy"))]
SqlReader = Annotated[Session, Depends(need("sql"))]
SqlPoster = Annotated[Session, Depends(need_post("sql"))]
Admin = Annotated[Session, Depends(need("admin"))]
AdminPost = Annotated[Session, Depends(need_post("admin"))]


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/deployments", summary="Current deployments.")
def deployments(request: Request, session: Reader) -> Response:
    """Every policy's current deployment."""
    snapshot = load_deployment_snapshot(ui_store(request))
    found = sorted(snapshot.deployments.values(), key=lambda d: d.policy)
    return render(request, "deployments.html", session, deployments=found)


@router.get("/deployments/{policy}", summary="A policy's deployment history.")
def deployment(request: Request, session: Reader, policy: str) -> Response:
    """History, newest first, with the rollback form (confirmation and reason)."""
    history = list(reversed(deployment_history(ui_store(request), policy)))
    return render(request, "deployment.html", session, policy=policy, history=history)


@router.post("/deployments/{policy}/rollback", summary="Roll a policy back.")
def deployment_rollback(
    request: Request, session: Deployer, policy: str,
    reason: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Roll back to the previous (or a chosen) state; needs a reason and the policy typed."""
    if not reason.strip():
        raise ValidationError("a rollback needs a reason")
    if confirm.strip() != policy:
        raise ValidationError(f"type the policy id {policy!r} to confirm the rollback")
    if to:
        get_deployment(ui_store(request), to)
    rollback(ui_store(request), policy, actor=session.username, reason=reason.strip(),
             to=to or None)  # fmt: skip
    return RedirectResponse(f"{_base(request)}/deployments/{policy}", status_code=303)


# --- SQL console -------------------------------------------------------------------------------


@router.get("/sql", summary="Read-only SQL console.")
def sql_page(request: Request, session: SqlReader, q: str | None = None) -> Response:
    """The console with the saved queries (a saved query's id fills the editor)."""
    saved = list_saved_queries(ui_store(request))
    chosen = next((s.sql for s in saved if str(s.id) == q), "")
    return render(request, "sql.html", session, saved=saved, sql=chosen, result=None, error=None)


@router.post("/sql", summary="Run read-only SQL.")
async def sql_run(request: Request, session: SqlPoster,
                  sql: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Run one statement on the read-only path of `modgate sql` (the database refuses writes)."""
    settings: UiSettings = request.app.state.ui_settings
    store = ui_store(request)
    result, error = None, None
    try:
        result = await run_in_threadpool(
            run_readonly_query, store, sql, max_rows=settings.sql_max_rows
        )
    except ModgateError as exc:
        error = str(exc)

    def audit() -> None:
        with store.begin() as conn:
            record_audit_event(conn, actor=session.username, action="ui.sql.run",
                               object_type="sql", object_id="console",
                               details={"sql": sql, "error": error})  # fmt: skip

    await run_in_threadpool(audit)
    saved = await run_in_threadpool(list_saved_queries, store)
    template = "sql_result.html" if "hx-request" in request.headers else "sql.html"
    return render(request, template, session, saved=saved, sql=sql, result=result, error=error,
                  status_code=200 if error is None else 400)  # fmt: skip


@router.post("/sql/csv", summary="Download a read-only query's rows as CSV.")
async def sql_csv(request: Request, session: SqlPoster,
                  sql: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """The rows as CSV (up to `sql_csv_max_rows`)."""
    settings: UiSettings = request.app.state.ui_settings
    result = await run_in_threadpool(
        run_readonly_query, ui_store(request), sql, max_rows=settings.sql_csv_max_rows
    )

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(result.columns)
        for i, row in enumerate(result.rows):
            writer.writerow(row)
            if i % 1000 == 999:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(rows(), media_type="text/csv", headers={
        "Content-Disposition": 'attachment; filename="query.csv"'})  # fmt: skip


@router.post("/sql/save", summary="Save a query of the console.")
def sql_save(request: Request, session: SqlPoster, name: Annotated[str, Form()] = "",
             sql: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Save (or replace) a named query."""
    saved = save_query(ui_store(request), name.strip(), sql, actor=session.username)
    return RedirectResponse(f"{_base(request)}/sql?q={saved.id}", status_code=303)


# --- accounts ----------------------------------------------------------------------------------


@router.get("/admin/users", summary="Accounts.")
def users(request: Request, session: Admin) -> Response:
    """Accounts, roles and review queues."""
    return render(request, "users.html", session, accounts=list_accounts(ui_store(request)),
                  roles=ROLES)  # fmt: skip


@router.post("/admin/users", summary="Create an account.")
def users_create(request: Request, session: AdminPost, username: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "viewer") -> Response:  # fmt: skip
    """Create an account."""
    create_account(ui_store(request), username, password, role, actor=session.username)
    return RedirectResponse(f"{_base(request)}/admin/users", status_code=303)


@router.post("/admin/users/{username}/role", summary="Change an account's role.")
def users_role(request: Request, session: AdminPost, username: str,
               role: Annotated[str, Form()]) -> Response:  # fmt: skip
    """Change the role (the account's sessions end)."""
    set_role(ui_store(request), username, role, actor=session.username)
    return RedirectResponse(f"{_base(request)}/admin/users", status_code=303)


@router.post("/admin/users/{username}/queue", summary="Grant or revoke a review queue.")
def users_queue(request: Request, session: AdminPost, username: str,
                policy: Annotated[str, Form()], community: Annotated[str, Form()] = "",
                revoke: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Grant (or revoke) a policy's queue, or one community of it."""
    grant_queue(ui_store(request), username, policy.strip(), community.strip() or None,
                revoke=bool(revoke), actor=session.username)  # fmt: skip
    return RedirectResponse(f"{_base(request)}/admin/users", status_code=303)


@router.post("/admin/users/{username}/disabled", summary="Disable or enable an account.")
def users_disabled(request: Request, session: AdminPost, username: str,
                   disabled: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Disable (ending its sessions) or enable."""
    if username == session.username and disabled:
        raise ValidationError("you cannot disable your own account")
    set_disabled(ui_store(request), username, bool(disabled), actor=session.username)
    return RedirectResponse(f"{_base(request)}/admin/users", status_code=303)


__all__ = ["router"]
