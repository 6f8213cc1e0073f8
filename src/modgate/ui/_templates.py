"""The Jinja2 environment of the UI's pages (autoescaped; templates ship in the package)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from modgate.ui._repo import Session
from modgate.ui._roles import role_allows


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _spec(value: Any) -> Markup:
    # JSON inside an HTML attribute: escape what could close it
    text = json.dumps(value, separators=(",", ":"), default=str)
    return Markup(text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;"))


@cache
def environment() -> Environment:
    """The environment (built once per process)."""
    env = Environment(
        loader=PackageLoader("modgate.ui", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["spec"] = _spec
    return env


def render(
    request: Request,
    name: str,
    session: Session | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the base context (base path, session, CSRF token, role checks)."""
    base = request.scope.get("root_path", "").rstrip("/")
    page = (
        environment()
        .get_template(name)
        .render(
            base=base,
            session=session,
            csrf=session.csrf_token if session else context.pop("login_csrf", ""),
            can=(lambda capability: session is not None and role_allows(session.role, capability)),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(page, status_code=status_code)


__all__ = ["environment", "render"]
