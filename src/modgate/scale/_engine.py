"""The Dask engine: connect to a scheduler, or start a local cluster (loaded on first use)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from modgate.errors import ConfigError

_INSTALL_HINT = "install it: pip install 'dask[distributed]'"


def distributed_module() -> Any:
    """`distributed`, imported now (untyped: its API is used dynamically)."""
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise ConfigError("the dask engine needs dask.distributed", hint=_INSTALL_HINT) from exc
    return distributed


@contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client`: on `scheduler`, or on a local cluster started for the run.

    Args:
        scheduler: Scheduler address (`tcp://host:8786`); None starts a `LocalCluster` of
            processes on loopback, one single-threaded worker per core (or `n_workers`).
        n_workers: Workers of the local cluster (ignored with `scheduler`).

    Yields:
        The client; the local cluster, if any, is closed on exit.

    Raises:
        ConfigError: The scheduler cannot be reached.
    """
    distributed = distributed_module()
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = distributed.LocalCluster(
        processes=True,
        n_workers=n_workers,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",
    )
    try:
        with distributed.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


__all__ = ["dask_client", "distributed_module"]
