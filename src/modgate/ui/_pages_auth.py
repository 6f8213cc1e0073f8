"""Login, logout and the landing page.

The login form is protected by a double-submit token: the page sets a random cookie and puts the
same value in the form; a POST whose field does not match the cookie is refused (a cross-site
page can neither read nor set the cookie, which is SameSite=Strict).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from modgate.errors import ValidationError
from modgate.ui._repo import LoginRefusedError, Session, login, logout
from modgate.ui._roles import role_allows
from modgate.ui._security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    current_session,
    need_post,
    tokens_match,
    ui_store,
)
from modgate.ui._settings import UiSettings
from modgate.ui._templates import render

router = APIRouter()


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _safe_next(request: Request, target: str | None) -> str:
    base = _base(request)
    if target and target.startswith(base + "/") and not target.startswith("//"):
        return target
    return base + "/"


def _login_page(request: Request, *, error: str | None = None, status_code: int = 200,
                next_: str | None = None) -> Response:  # fmt: skip
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", None, status_code=status_code, login_csrf=token,
                      error=error, next=next_ or "")  # fmt: skip
    settings: UiSettings = request.app.state.ui_settings
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=settings.secure_cookies, path=_base(request) + "/login",
    )  # fmt: skip
    return response


@router.get("/login", summary="The login page.")
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """Show the login form."""
    return _login_page(request, next_=next)


@router.post("/login", summary="Log in.")
async def login_post(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",  # noqa: A002
) -> Response:
    """Check the password (rate-limited per username and client) and open a session."""
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, error="the form expired; try again", status_code=403,
                           next_=next)  # fmt: skip
    settings: UiSettings = request.app.state.ui_settings
    client = request.client.host if request.client else "unknown"
    try:
        opened = await run_in_threadpool(
            login, ui_store(request), username, password, client=client,
            session_ttl=settings.session_ttl, max_failures=settings.login_max_failures,
            window=settings.login_window,
        )  # fmt: skip
    except LoginRefusedError as exc:
        response = _login_page(request, error=str(exc), status_code=429, next_=next)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except ValidationError as exc:
        return _login_page(request, error=str(exc), status_code=401, next_=next)
    response = RedirectResponse(_safe_next(request, next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, opened.token, httponly=True, samesite="strict",
        secure=settings.secure_cookies, path=_base(request) + "/",
        max_age=int(settings.session_ttl.total_seconds()),
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=_base(request) + "/login")
    return response


@router.post("/logout", summary="Log out.")
async def logout_post(
    request: Request, _session: Annotated[Session, Depends(need_post(None))]
) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(logout, ui_store(request), token)
    response = RedirectResponse(_base(request) + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_base(request) + "/")
    return response


@router.get("/", summary="Landing page.")
def home(request: Request) -> Response:
    """Dashboards for roles that read them, the review queues for reviewers."""
    session = current_session(request)
    target = "/overview" if role_allows(session.role, "read") else "/review"
    return RedirectResponse(_base(request) + target, status_code=303)


__all__ = ["router"]
