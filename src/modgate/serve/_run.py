"""Run the service under Uvicorn."""

from __future__ import annotations

from typing import Any

from modgate.serve._app import create_app
from modgate.serve._settings import ServeSettings


def run_server(settings: ServeSettings, *, app: Any = None) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it cleanly, finishing queued requests).

    Args:
        settings: How to run.
        app: The app to serve (default: `create_app(settings)`); the CLI passes one with the
            web UI mounted.
    """
    import uvicorn

    uvicorn.run(
        app if app is not None else create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,  # the access log would carry item ids of every request; metrics count
        log_level="info",
    )


__all__ = ["run_server"]
