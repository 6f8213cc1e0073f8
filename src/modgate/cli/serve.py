"""`modgate serve`: the HTTP moderation service (FastAPI + Uvicorn)."""

from __future__ import annotations

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
    ui: bool = typer.Option(True, "--ui/--no-ui", help="Serve the web UI at /ui."),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Web UI cookies over HTTPS only (behind TLS)."
    ),
) -> None:
    """Serve the moderation HTTP API under the current deployments (OpenAPI at /openapi.json)."""
    import os

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
        )  # fmt: skip
    app = None
    if ui:
        from modgate.serve import create_app
        from modgate.store import Store
        from modgate.ui import UiSettings, create_ui_app

        app = create_app(serve_settings)
        ui_settings = UiSettings(workspace=settings.workspace, secure_cookies=secure_cookies)
        app.mount("/ui", create_ui_app(ui_settings, Store.from_url(url)))
    run_server(serve_settings, app=app)


__all__ = ["serve"]
