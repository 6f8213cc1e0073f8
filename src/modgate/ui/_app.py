"""`create_ui_app(settings, store)`: the web UI as an ASGI app (mounted at /ui by `serve`)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from modgate.errors import ModgateError, NotFoundError
from modgate.store import Store
from modgate.ui._security import Forbidden, LoginRequired
from modgate.ui._settings import UiSettings
from modgate.ui._templates import render

STATIC = Path(__file__).parent / "static"


def create_ui_app(settings: UiSettings, store: Store) -> FastAPI:
    """Build the web UI (server-rendered pages; no module-level state).

    Args:
        settings: Sessions, login limits, console limits.
        store: The open store the pages read and change (through the library APIs).

    Returns:
        The app; mount it (`app.mount("/ui", create_ui_app(...))`) or serve it alone.
    """
    from modgate.ui import _pages_auth, _pages_dash, _pages_data, _pages_ops, _pages_review

    app = FastAPI(title="modgate UI", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ui_store = store
    app.state.ui_settings = settings

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.method == "GET" and "hx-request" not in request.headers:
            base = request.scope.get("root_path", "").rstrip("/")
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"{base}/login?next={target}", status_code=303)
        return JSONResponse({"error": {"status": 401, "message": "log in first"}}, 401)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", getattr(request.state, "ui_session", None),
                      status_code=403, title="Forbidden", message=exc.message)  # fmt: skip

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return render(request, "error.html", getattr(request.state, "ui_session", None),
                      status_code=404, title="Not found", message=str(exc))  # fmt: skip

    @app.exception_handler(ModgateError)
    async def refused(request: Request, exc: ModgateError) -> Response:
        return render(request, "error.html", getattr(request.state, "ui_session", None),
                      status_code=400, title="Refused", message=str(exc))  # fmt: skip

    @app.middleware("http")
    async def headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        response: Response = await call_next(request)
        # the server's own time for the page (read by bench/ui_bench.py and browser dev tools)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-eval'; frame-ancestors 'none'",  # vega compiles expressions
        )
        if "/static/" not in request.url.path:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (_pages_auth, _pages_dash, _pages_data, _pages_ops, _pages_review):
        app.include_router(module.router)
    return app


__all__ = ["create_ui_app"]
