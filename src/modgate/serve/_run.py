"""Run the service under Uvicorn."""

from __future__ import annotations

from modgate.serve._app import create_app
from modgate.serve._settings import ServeSettings


def run_server(settings: ServeSettings) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it cleanly, finishing queued requests).

    Args:
        settings: How to run.
    """
    import uvicorn

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,  # the access log would carry item ids of every request; metrics count
        log_level="info",
    )


__all__ = ["run_server"]
