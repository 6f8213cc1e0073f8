"""Who is asking: session cookies, capabilities per role, and the CSRF check of every POST.

Sessions are server-side rows (`ui_sessions`): the cookie holds a random token, the server
checks it and its expiry on every request. Every state-changing request is a POST that must
carry the session's CSRF token, as the `csrf_token` form field or the `X-CSRF-Token` header
(HTMX sends the header); the comparison is constant-time.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import Request

from modgate.store import Store
from modgate.ui._repo import Session, get_session
from modgate.ui._roles import Capability, role_allows

SESSION_COOKIE = "modgate_session"
LOGIN_CSRF_COOKIE = "modgate_login_csrf"


class LoginRequired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """No live session: GET pages redirect to the login page, other requests get 401."""


class Forbidden(Exception):  # noqa: N818
    """The session's role lacks what the page needs, or the CSRF token is missing or wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ui_store(request: Request) -> Store:
    """The store of the UI app."""
    store: Store = request.app.state.ui_store
    return store


def current_session(request: Request) -> Session:
    """The request's live session (cached on the request).

    Raises:
        LoginRequired: No cookie, or an unknown or expired session.
    """
    cached = getattr(request.state, "ui_session", None)
    if isinstance(cached, Session):
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    found = get_session(ui_store(request), token) if token else None
    if found is None:
        raise LoginRequired()
    request.state.ui_session = found
    return found


def tokens_match(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison of CSRF tokens (False when either is missing)."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


async def presented_csrf(request: Request) -> str | None:
    """The CSRF token a POST carries (header first, then the form field)."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if "form" in content_type:
        form = await request.form()  # Starlette caches it for the route's Form parameters
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def need(capability: Capability) -> Callable[[Request], Any]:
    """Dependency for GET pages: a live session whose role has `capability`."""

    def check(request: Request) -> Session:
        session = current_session(request)
        if not role_allows(session.role, capability):
            raise Forbidden(f"the {session.role} role may not open this page")
        return session

    return check


def need_post(capability: Capability | None) -> Callable[[Request], Any]:
    """Dependency for forms: a live session with `capability` and the session's CSRF token.

    `None`: any role (logging out).
    """

    async def check(request: Request) -> Session:
        session = current_session(request)
        if not tokens_match(session.csrf_token, await presented_csrf(request)):
            raise Forbidden("the form's CSRF token is missing or wrong; reload the page")
        if capability is not None and not role_allows(session.role, capability):
            raise Forbidden(f"the {session.role} role may not do this")
        return session

    return check


__all__ = [
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "Forbidden",
    "LoginRequired",
    "current_session",
    "need",
    "need_post",
    "presented_csrf",
    "tokens_match",
    "ui_store",
]
