"""Property-based requests from the OpenAPI spec: the service never answers 500."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from modgate.serve import create_app
from modgate.store import Store
from tests.release.deploy_helpers import add_report, build_world

from .conftest import bearer, deploy_ref, serve_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def running(sqlite_store: Store, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    import uvicorn

    world = build_world(sqlite_store, tmp_path, n=12)
    add_report(sqlite_store, world.lenient, world.golden)
    deploy_ref(world, world.lenient.ref, "active")
    port = _free_port()
    app = create_app(serve_settings(world, max_batch_items=20), store=sqlite_store)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", bearer(sqlite_store, "admin")
    finally:
        server.should_exit = True
        thread.join(10)


def test_no_request_from_the_spec_gets_a_500(running: tuple[str, dict[str, str]]) -> None:
    base, headers = running
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(base_url=base, headers=headers, checks=[not_a_server_error])

        check()
