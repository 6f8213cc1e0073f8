"""Run the service under Uvicorn (one process, or several behind one port)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from modgate.serve._app import create_app
from modgate.serve._settings import ServeSettings

_SETTINGS_ENV = "MODGATE_SERVE_SETTINGS_JSON"
_HASH_KEY_ENV = "MODGATE_SERVE_AUTHOR_HASH_KEY"


def settings_from_env() -> ServeSettings:
    """The settings `run_server` passed down to its Uvicorn processes.

    Raises:
        RuntimeError: Not started by `run_server` (no settings in the environment).
    """
    raw = os.environ.get(_SETTINGS_ENV)
    if raw is None:
        raise RuntimeError(f"{_SETTINGS_ENV} is not set: start workers with run_server")
    settings = ServeSettings.model_validate_json(raw)
    key = os.environ.get(_HASH_KEY_ENV)
    if key:  # a secret is masked in JSON, so it travels on its own
        settings = settings.model_copy(update={"author_hash_key": key})
    return ServeSettings.model_validate(settings.model_dump())


def app_from_env() -> FastAPI:
    """The app of one Uvicorn worker process, from the settings `run_server` passed down.

    Raises:
        RuntimeError: Not started by `run_server` (no settings in the environment).
    """
    return create_app(settings_from_env())


def run_server(settings: ServeSettings, *, factory: str | None = None) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it cleanly, finishing queued requests).

    With `settings.workers` above 1, Uvicorn runs that many processes on one socket, each with
    its own engine, group commit and shadow queue (see docs/serve.md for what is per process).

    Args:
        settings: How to run.
        factory: Import string of an app factory each process calls instead of building
            `create_app(settings)` (`modgate serve` passes one that mounts the web UI); it
            reads the settings through `app_from_env`.
    """
    import uvicorn

    common = {
        "host": settings.host,
        "port": settings.port,
        "access_log": False,  # it would carry item ids of every request; metrics count
        "log_level": "info",
    }
    if settings.workers == 1 and factory is None:
        uvicorn.run(create_app(settings), **common)  # type: ignore[arg-type]
        return
    os.environ[_SETTINGS_ENV] = settings.model_copy(
        update={"author_hash_key": None}
    ).model_dump_json()
    if settings.author_hash_key is not None:
        os.environ[_HASH_KEY_ENV] = settings.author_hash_key.get_secret_value()
    uvicorn.run(
        factory or "modgate.serve._run:app_from_env",
        factory=True,
        workers=settings.workers,
        # a worker loading scikit-learn on a busy machine answers the supervisor's ping late;
        # with Uvicorn's 5 s default it is killed and restarted again and again
        timeout_worker_healthcheck=60,
        **common,  # type: ignore[arg-type]
    )


__all__ = ["app_from_env", "run_server", "settings_from_env"]
