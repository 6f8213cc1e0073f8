"""Fuzz the item readers (CSV, TSV, JSONL, gzip): hostile bytes never make an internal error.

Bounded for CI: derandomized (the same examples every run, so never flaky) and a fixed budget of
examples per test — well under 60 s together on a loaded 2-core machine.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.errors import ValidationError
from modgate.store import (
    InputFormat,
    RowReject,
    SourceRow,
    Store,
    import_items,
    open_rows,
    upgrade_database,
)

_FUZZ = settings(
    derandomize=True,
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_PIECES = [
    b",",
    b"\t",
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"id",
    b"text",
    b"1",
    b"a1",
    b"NaN",
    b"null",
    b" ",
    b"\xf0\x9f\x91\x8b",
]
_LINE = st.lists(st.sampled_from(_PIECES) | st.binary(max_size=4), max_size=12).map(b"".join)
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=12,
)
_RECORD = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=6), st.integers(), st.none())},
    optional={"text": _JSON_VALUE, "created_at": _JSON_VALUE, "kind": _JSON_VALUE},
).map(lambda d: json.dumps(d).encode())


def _csv_file(delimiter: bytes) -> st.SearchStrategy[bytes]:
    header = st.sampled_from(
        [b"id" + delimiter + b"text", b"id" + delimiter + b"text" + delimiter + b"x"]
    )
    return st.tuples(header, st.lists(_LINE, max_size=12), st.booleans()).map(
        lambda t: t[0] + b"\n" + b"\n".join(t[1]) + (b"\n" if t[2] else b"")
    )


_JSONL_FILE = st.lists(_RECORD | _LINE, max_size=12).map(lambda lines: b"\n".join(lines))
_FILES = {
    InputFormat.CSV: _csv_file(b","),
    InputFormat.TSV: _csv_file(b"\t"),
    InputFormat.JSONL: _JSONL_FILE,
}


def _read_everything(path: Path, fmt: InputFormat) -> tuple[int, int]:
    """Read the file; return (records, rejects). File-level problems are ValidationErrors."""
    records = rejects = 0
    try:
        with open_rows(path, fmt) as stream:
            for found in stream:
                if isinstance(found, SourceRow):
                    records += 1
                    assert isinstance(found.values, dict)
                else:
                    assert isinstance(found, RowReject)
                    assert found.reason and found.line >= 1
                    rejects += 1
    except ValidationError:
        pass
    return records, rejects


@pytest.mark.parametrize("fmt", list(_FILES))
@_FUZZ
@given(data=st.data())
def test_readers_never_raise_an_internal_error(
    tmp_path: Path, fmt: InputFormat, data: st.DataObject
) -> None:
    raw = data.draw(_FILES[fmt])
    path = tmp_path / f"fuzz.{fmt.value}"
    path.write_bytes(raw)
    records, rejects = _read_everything(path, fmt)
    lines = raw.count(b"\n") + 1
    assert records + rejects <= lines  # every record starts on its own line


@pytest.mark.parametrize("fmt", [InputFormat.CSV, InputFormat.JSONL])
@_FUZZ
@given(data=st.data(), cut=st.integers(min_value=0, max_value=64))
def test_gzip_and_damaged_gzip_never_raise_an_internal_error(
    tmp_path: Path, fmt: InputFormat, data: st.DataObject, cut: int
) -> None:
    raw = data.draw(_FILES[fmt])
    packed = gzip.compress(raw)
    path = tmp_path / f"fuzz.{fmt.value}.gz"
    path.write_bytes(packed[: len(packed) - cut] if cut else packed)
    _read_everything(path, fmt)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = Store.from_url(f"sqlite:///{tmp_path_factory.mktemp('fuzzdb') / 'm.db'}")
    upgrade_database(store)
    yield store
    store.close()


@pytest.mark.parametrize("fmt", list(_FILES))
@settings(_FUZZ, max_examples=40)
@given(data=st.data())
def test_import_accounts_for_every_record(
    fuzz_store: Store, tmp_path: Path, fmt: InputFormat, data: st.DataObject
) -> None:
    raw = data.draw(_FILES[fmt])
    path = tmp_path / f"fuzz.{fmt.value}"
    path.write_bytes(raw)
    try:
        report = import_items(fuzz_store, path, actor="fuzz", rejects_path=tmp_path / "r.jsonl")
    except ValidationError:
        return  # a file-level problem (no header, no id/text column), named
    assert report.accepted + report.rejected == report.rows_read
