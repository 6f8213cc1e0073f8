from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modgate.scale import dask_client


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real local cluster: 2 single-threaded worker processes on loopback."""
    with dask_client(None, n_workers=2) as found:
        yield found
