"""`modgate serve`: the HTTP moderation service (FastAPI + Uvicorn)."""

from __future__ import annotations

import os
from typing import Any

import typer

from modgate.cli._context import get_context
from modgate.errors import ConfigError


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to bind."),
    max_body_bytes: int = typer.Option(1_000_000, "--max-body-bytes", help="Largest body."),
    max_text_chars: int = typer.Option(100_000, "--max-text-chars", help="Largest text field."),
    max_batch_items: int = typer.Option(1_000, "--max-batch-items", help="Most items a request."),
    rate: float = typer.Option(1_000.0, "--rate", help="Requests per second per key."),
    burst: int = typer.Option(2_000, "--burst", help="Requests a key may send at once."),
    shadow_queue: int = typer.Option(10_000, "--shadow-queue", help="Shadow queue bound."),
    refresh_seconds: float = typer.Option(1.0, "--refresh-seconds", help="Deployment checks."),
    author_hash_key_env: str | None = typer.Option(
        None,
        "--author-hash-key-env",
        help="Name of an environment variable holding the key that hashes author ids.",
    ),
    log_content: bool = typer.Option(False, "--log-content", help="Log item text (off)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Uvicorn processes."),
    ui: bool = typer.Option(True, "--ui/--no-ui", help="Serve the web UI at /ui."),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Web UI cookies over HTTPS only (behind TLS)."
    ),
) -> None:
    """Serve the moderation HTTP API under the current deployments (OpenAPI at /openapi.json)."""
    from modgate.serve import ServeSettings, run_server

    context = get_context(ctx)
    settings = context.settings()
    if settings.workspace is None:
        raise ConfigError("serve needs a workspace (modgate init)")
    store = context.store()  # checks the schema is current before serving
    url = store.engine.url.render_as_string(hide_password=False)
    context.close()
    hash_key = None
    if author_hash_key_env is not None:
        hash_key = os.environ.get(author_hash_key_env)
        if not hash_key:
            raise ConfigError(f"environment variable {author_hash_key_env} is not set or empty")
    serve_settings = ServeSettings(
            database_url=url,
            workspace=settings.workspace,
            host=host,
            port=port,
            max_body_bytes=max_body_bytes,
            max_text_chars=max_text_chars,
            max_batch_items=max_batch_items,
            rate_per_second=rate,
            rate_burst=burst,
            shadow_queue_size=shadow_queue,
            refresh_seconds=refresh_seconds,
            author_hash_key=hash_key,
            log_content=log_content,
            workers=workers,
        )  # fmt: skip
    if ui:
        from modgate.ui import UiSettings

        ui_settings = UiSettings(workspace=settings.workspace, secure_cookies=secure_cookies)
        os.environ[_UI_SETTINGS_ENV] = ui_settings.model_dump_json()
        # every Uvicorn process builds the same app: the API with the web UI mounted at /ui
        run_server(serve_settings, factory="modgate.cli.serve:app_with_ui")
        return
    run_server(serve_settings)


_UI_SETTINGS_ENV = "MODGATE_UI_SETTINGS_JSON"


def app_with_ui() -> Any:
    """The app of one service process with the web UI mounted (an ASGI factory for Uvicorn).

    Raises:
        RuntimeError: Not started by `modgate serve` (no settings in the environment).
    """
    from modgate.serve import create_app, settings_from_env
    from modgate.store import Store
    from modgate.ui import UiSettings, create_ui_app

    raw = os.environ.get(_UI_SETTINGS_ENV)
    if raw is None:
        raise RuntimeError(f"{_UI_SETTINGS_ENV} is not set: start it with modgate serve")
    settings = settings_from_env()
    app = create_app(settings)
    store = Store.from_url(settings.database_url)
    app.mount("/ui", create_ui_app(UiSettings.model_validate_json(raw), store))
    return app


__all__ = ["app_with_ui", "serve"]
