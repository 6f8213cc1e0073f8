from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.errors import ValidationError
from modgate.store import (
    InputFormat,
    RejectReason,
    RejectsWriter,
    RowReject,
    SourceRow,
    detect_format,
    open_rows,
    read_rejects,
)


def _physical_lines(body: bytes) -> int:
    return body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)


def _read(path: Path, **kwargs: object) -> tuple[list[SourceRow], list[RowReject], int]:
    with open_rows(path, **kwargs) as stream:  # type: ignore[arg-type]
        results = list(stream)
        blank = stream.blank_lines
    rows = [r for r in results if isinstance(r, SourceRow)]
    rejects = [r for r in results if isinstance(r, RowReject)]
    return rows, rejects, blank


def test_csv_rows_keep_line_numbers_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbfid,text\r\n1,hello\r\n2,"two\r\nlines"\r\n3,bye\r\n')
    rows, rejects, _ = _read(path)
    assert rejects == []
    assert [(r.line, r.values) for r in rows] == [
        (2, {"id": "1", "text": "hello"}),
        (3, {"id": "2", "text": "two\r\nlines"}),
        (5, {"id": "3", "text": "bye"}),
    ]


def test_csv_bad_lines_are_rejected_with_reason_and_escaped_raw(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'id,text\n1,ok\n2,caf\xe9\n3,a\x00b\n4,x,extra\n\n5,fine\n6,"cut off')
    rows, rejects, blank = _read(path)
    assert [r.values["id"] for r in rows] == ["1", "5"]
    assert blank == 1
    assert [(r.line, r.reason) for r in rejects] == [
        (3, RejectReason.INVALID_UTF8),
        (4, RejectReason.NUL_BYTE),
        (5, RejectReason.WRONG_COLUMN_COUNT),
        (8, RejectReason.TRUNCATED_LAST_LINE),
    ]
    assert rejects[0].raw == "2,caf\\xe9\n"
    assert rejects[1].raw == "3,a\x00b\n"
    assert rejects[3].raw == '6,"cut off'


def test_csv_last_line_without_newline_is_kept_when_complete(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\n1,one\n2,two")
    rows, rejects, _ = _read(path)
    assert [r.values["text"] for r in rows] == ["one", "two"]
    assert rejects == []


def test_csv_field_over_the_cap_rejects_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\n1,short\n2," + b"x" * 5000 + b"\n3,after\n")
    rows, rejects, _ = _read(path, max_field_chars=1000)
    assert [r.values["id"] for r in rows] == ["1", "3"]
    assert [(r.line, r.reason) for r in rejects] == [(3, RejectReason.FIELD_TOO_LARGE)]
    assert len(rejects[0].raw) > 5000


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"id,,text\n", "empty column name"), (b"a,b,a\n", "duplicate")],
)
def test_csv_header_problems_fail_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        open_rows(path)


def test_jsonl_rejects_bad_lines_and_reports_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "text": "a"}\r\n'
        b"{not json\n"
        b"[1, 2]\n"
        b'{"id": 3, "text": "\\u0000"}\n'
        b'{"id": 4, "text": "\\ud800"}\n'
        b'{"id": 5, "score": NaN}\n'
        b"\n"
        b'{"id": 6, "other": "\xff"}\n'
        b'{"id": 7, "text": "b"}\n'
        b'{"id": 8, "text": "cut'
    )
    with open_rows(path) as stream:
        assert stream.columns == ["id", "text"]
        results = list(stream)
        assert stream.blank_lines == 1
    assert [(r.line, r.values["id"]) for r in results if isinstance(r, SourceRow)] == [
        (1, 1),
        (9, 7),
    ]
    assert [(r.line, r.reason) for r in results if isinstance(r, RowReject)] == [
        (2, RejectReason.MALFORMED_JSON),
        (3, RejectReason.NOT_AN_OBJECT),
        (4, RejectReason.NUL_BYTE),
        (5, RejectReason.INVALID_UTF8),
        (6, RejectReason.MALFORMED_JSON),
        (8, RejectReason.INVALID_UTF8),
        (10, RejectReason.TRUNCATED_LAST_LINE),
    ]


@pytest.mark.parametrize("name", ["a.csv.gz", "a.jsonl.gz"])
def test_gzip_files_are_read_transparently(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if ".csv" in name:
        body = b"id,text\n1,one\n2,two\n"
    else:
        body = b'{"id": "1", "text": "one"}\n{"id": "2", "text": "two"}\n'
    path.write_bytes(gzip.compress(body))
    with open_rows(path) as stream:
        rows = [r for r in stream if isinstance(r, SourceRow)]
        assert stream.done == stream.total == path.stat().st_size
    assert [str(r.values["id"]) for r in rows] == ["1", "2"]


def test_parquet_rows_are_json_native(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "text": ["one", "tw\x00o", "three"],
            "score": [1.5, float("nan"), 2.0],
            "raw": pa.array([b"ok", b"ok", b"\xff"], type=pa.binary()),
        }
    )
    pq.write_table(table, path)
    rows, rejects, _ = _read(path)
    assert [(r.line, r.values) for r in rows] == [
        (1, {"id": "a", "text": "one", "score": 1.5, "raw": "ok"})
    ]
    assert [(r.line, r.reason) for r in rejects] == [
        (2, RejectReason.NUL_BYTE),
        (3, RejectReason.INVALID_UTF8),
    ]


def test_detect_format_names_the_problem(tmp_path: Path) -> None:
    assert detect_format(Path("x.NDJSON.gz")) == (InputFormat.JSONL, True)
    assert detect_format(Path("x.tsv")) == (InputFormat.TSV, False)
    with pytest.raises(ValidationError, match="cannot tell the format"):
        detect_format(Path("x.txt"))


def test_rejects_writer_round_trips_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "out" / "rejects.jsonl"
    reject = RowReject(line=3, reason="nul_byte", detail="d", raw="a\x00\\xff")
    with RejectsWriter(path) as writer:
        assert writer.written is None
        writer.write(reject)
        writer.write(reject.model_copy(update={"reason": "invalid_utf8"}))
    assert writer.counts == {"nul_byte": 1, "invalid_utf8": 1}
    assert read_rejects(path)[0] == reject
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["line"] == 3


_LINE_BYTES = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"").replace(b'"', b""))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_LINE_BYTES, max_size=20), final_newline=st.booleans())
def test_every_csv_line_is_a_row_a_reject_or_blank(
    tmp_path: Path, lines: list[bytes], final_newline: bool
) -> None:
    path = tmp_path / "p.csv"
    body = b"\n".join([b"a,b", *lines]) + (b"\n" if final_newline else b"")
    path.write_bytes(body)
    rows, rejects, blank = _read(path)
    starts = sorted([r.line for r in rows] + [r.line for r in rejects])
    assert len(starts) + blank == _physical_lines(body) - 1
    assert len(set(starts)) == len(starts)
    assert all(2 <= s <= len(lines) + 1 for s in starts)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300), fmt=st.sampled_from(["csv", "jsonl"]))
def test_reader_never_raises_on_arbitrary_bytes(tmp_path: Path, data: bytes, fmt: str) -> None:
    path = tmp_path / f"p.{fmt}"
    path.write_bytes(b"a,b\n" + data if fmt == "csv" else data)
    rows, rejects, _ = _read(path)  # gzip magic included: a broken .gz is a reject too
    lines = [r.line for r in rows] + [r.line for r in rejects]
    assert len(lines) == len(set(lines))  # no line is both a row and a reject, or counted twice


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20))
def test_every_jsonl_line_is_a_row_a_reject_or_blank(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "p.jsonl"
    body = b"\n".join(lines)
    path.write_bytes(body)
    rows, rejects, blank = _read(path, compressed=False)
    numbers = sorted([r.line for r in rows] + [r.line for r in rejects])
    assert len(numbers) + blank == _physical_lines(body)
    assert numbers == sorted(set(numbers))


@pytest.mark.parametrize("name", ["cut.csv.gz", "cut.jsonl.gz"])
def test_damaged_gzip_keeps_what_was_read_and_rejects_the_rest(tmp_path: Path, name: str) -> None:
    if ".csv" in name:
        body = b"id,text\n" + b"".join(b"%d,row %d\n" % (n, n) for n in range(2000))
    else:
        body = b"".join(b'{"id": %d, "text": "row %d"}\n' % (n, n) for n in range(2000))
    packed = gzip.compress(body)
    path = tmp_path / name
    path.write_bytes(packed[: len(packed) - 20])
    rows, rejects, _ = _read(path)
    assert len(rows) > 1000
    assert [r.reason for r in rejects] == [RejectReason.TRUNCATED_LAST_LINE]
    assert "file ends early" in rejects[0].detail


def test_unreadable_parquet_fails_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(ValidationError, match="not a readable Parquet file"):
        open_rows(path)
