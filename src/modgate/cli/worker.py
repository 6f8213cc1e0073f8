"""`modgate worker`: decide items from a Redis Stream (consumer group, at-least-once)."""

from __future__ import annotations

import os
import socket

import typer

from modgate.cli._context import get_context
from modgate.cli._output import err_console
from modgate.errors import ConfigError


def worker(
    ctx: typer.Context,
    redis_url: str = typer.Option("redis://127.0.0.1:6379/0", "--redis", help="Redis URL."),
    stream: str = typer.Option("modgate:items", "--stream", help="Stream of items."),
    group: str = typer.Option("modgate", "--group", help="Consumer group."),
    consumer: str | None = typer.Option(
        None, "--consumer", help="This worker's name (default: host-pid)."
    ),
    dead_letter: str = typer.Option(
        "modgate:items:dead", "--dead-letter", help="Dead-letter stream."
    ),
    output: str | None = typer.Option(None, "--output-stream", help="Stream of decisions."),
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Messages per commit."),
    claim_idle_ms: int = typer.Option(
        60_000, "--claim-idle-ms", min=1, help="Claim messages idle this long on dead workers."
    ),
    max_attempts: int = typer.Option(5, "--max-attempts", min=1, help="Then dead-letter."),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="Serve Prometheus metrics on this port."
    ),
) -> None:
    """Decide items from a Redis Stream under the current deployments; SIGTERM stops cleanly."""
    import signal
    import threading

    import redis

    from modgate.serve import ServeMetrics, StreamWorker, WorkerSettings

    context = get_context(ctx)
    settings = context.settings()
    if settings.workspace is None:
        raise ConfigError("worker needs a workspace (modgate init)")
    metrics = ServeMetrics()
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, registry=metrics.registry)
    config = WorkerSettings(
        redis_url=redis_url, stream=stream, group=group,
        consumer=consumer or f"{socket.gethostname()}-{os.getpid()}",
        dead_letter_stream=dead_letter, output_stream=output, batch_size=batch_size,
        claim_idle_ms=claim_idle_ms, max_attempts=max_attempts,
    )  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    from modgate.store import Store

    checked = context.store()  # checks the schema is current before consuming
    store = Store.from_url(checked.engine.url.render_as_string(hide_password=False), pooled=True)
    context.close()  # the worker keeps one pooled store (one connection per transaction costs)
    running = StreamWorker(store, settings.workspace, client, config, metrics)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    err_console().print(f"worker {config.consumer} reading {stream} (group {group})")
    try:
        running.run(stop)
    finally:
        store.close()
    err_console().print(f"worker {config.consumer} stopped after {running.processed} messages")


__all__ = ["worker"]
