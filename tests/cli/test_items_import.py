from __future__ import annotations

import json
from pathlib import Path

from modgate.config import Settings
from modgate.store import get_item, list_items, open_store, read_rejects

from .conftest import Run

FLAGS = ["--id", "comment_id", "--text", "body", "--community", "subreddit"]
FLAGS += ["--created-at", "created_utc"]


def _hostile_file(path: Path) -> dict[int, str]:
    """Write the hostile CSV of issue 3; return line number → expected reject reason."""
    big = b"x" * (10 * 1024 * 1024)
    lines = [
        b"\xef\xbb\xbfcomment_id,body,subreddit,created_utc\r\n",  # 1 header with a BOM
        b"g1,plain good row,news,1700000000\r\n",  # 2
        'g2,"multi\r\nline \u00fcn\u00efc\u00f6d\u00e9 \U0001f44b",news,2026-01-01\r\n'.encode(),
        b"b1,caf\xe9 in latin-1,news,1700000000\r\n",  # 5
        b"b2,\x93cp1252 quotes\x94,news,1700000000\r\n",  # 6
        b"b3,nul\x00byte,news,1700000000\r\n",  # 7
        b"b4," + big + b",news,1700000000\r\n",  # 8
        b"g1,duplicate of g1,news,1700000000\r\n",  # 9
        b"b5,,news,1700000000\r\n",  # 10
        b"b6,bad time,news,not-a-time\r\n",  # 11
        b"b7,too,many,columns,here\r\n",  # 12
        b"g3,last good,news,1700000000\r\n",  # 13
        b'b8,"truncated half a rec',  # 14, no final newline
    ]
    path.write_bytes(b"".join(lines))
    return {
        5: "invalid_utf8",
        6: "invalid_utf8",
        7: "nul_byte",
        8: "text_too_large",
        9: "duplicate_id",
        10: "missing_text",
        11: "bad_timestamp",
        12: "wrong_column_count",
        14: "truncated_last_line",
    }


def test_hostile_file_lands_good_rows_and_rejects_the_rest(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.csv"
    expected = _hostile_file(path)
    result = run_cli("items", "import", str(path), *FLAGS)
    assert result.exit_code == 7, result.stderr
    assert "9 of 12 rows rejected" in " ".join(result.stderr.split())
    for reason in set(expected.values()):
        assert reason in result.stdout
    store = open_store(workspace)
    try:
        assert sorted(i.id for i in list_items(store)) == ["g1", "g2", "g3"]
        assert get_item(store, "g1").body == "plain good row"  # the first g1 wins
        assert get_item(store, "g2").body == "multi\r\nline \u00fcn\u00efc\u00f6d\u00e9 \U0001f44b"
    finally:
        store.close()
    assert workspace.workspace is not None
    rejects = read_rejects(workspace.workspace / "rejects" / "hostile.csv.rejects.jsonl")
    assert {r.line: r.reason for r in rejects} == expected
    raw = {r.line: r.raw for r in rejects}
    assert raw[5] == "b1,caf\\xe9 in latin-1,news,1700000000\r\n"
    assert raw[6].startswith("b2,\\x93cp1252")
    assert raw[7] == "b3,nul\x00byte,news,1700000000\r\n"
    assert len(raw[8]) > 10 * 1024 * 1024
    assert raw[14] == 'b8,"truncated half a rec'


def test_reimport_reports_unchanged_and_json_report(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n', encoding="utf-8")
    assert workspace.workspace is not None
    stale = workspace.workspace / "rejects" / "ok.jsonl.rejects.jsonl"
    stale.parent.mkdir()
    stale.write_text('{"line": 9, "reason": "nul_byte", "detail": "", "raw": ""}\n')
    first = run_cli("items", "import", str(path))
    assert first.exit_code == 0, first.stderr
    assert "2 new" in first.stdout
    assert not stale.exists()
    again = run_cli("items", "import", str(path), "--json")
    report = json.loads(again.stdout)
    assert (report["inserted"], report["unchanged"], report["rejected"]) == (0, 2, 0)


def test_mapping_file_and_custom_rejects_path(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("cid,content,extra\n1,hello,e\n2,,e\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "columns: {id: cid, text: content}\ndefaults: {kind: post}\n", encoding="utf-8"
    )
    rejects = tmp_path / "rej" / "r.jsonl"
    result = run_cli(
        "items", "import", str(path), "--mapping", str(mapping), "--rejects", str(rejects)
    )
    assert result.exit_code == 7
    assert [r.reason for r in read_rejects(rejects)] == ["missing_text"]
    shown = json.loads(run_cli("items", "show", "1").stdout)[0]
    assert (shown["kind"], shown["meta"]) == ("post", {"extra": "e"})


def test_no_usable_mapping_lists_columns_and_suggests(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("comment_id,body,subreddit\n1,hello,a\n", encoding="utf-8")
    result = run_cli("items", "import", str(path))
    assert result.exit_code == 6
    stderr = " ".join(result.stderr.split())  # Rich wraps long lines
    assert "'comment_id', 'body', 'subreddit'" in stderr
    assert "--id comment_id" in stderr
    assert "--community subreddit" in stderr


def test_max_text_bytes_and_default_flags(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,short\n2,a much longer text\n", encoding="utf-8")
    result = run_cli(
        "items", "import", str(path), "--max-text-bytes", "10", "--default", "community=forum"
    )
    assert result.exit_code == 7
    assert "text_too_large" in result.stdout
    assert json.loads(run_cli("items", "show", "1").stdout)[0]["community"] == "forum"
    bad = run_cli("items", "import", str(path), "--default", "colour=red")
    assert bad.exit_code == 6
    assert "FIELD=VALUE" in bad.stderr


def test_items_list_table_is_compact_and_json_is_complete(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    long_text = "word " * 50
    path.write_text(
        json.dumps({"id": "a", "text": long_text, "community": "c", "score": 3}) + "\n",
        encoding="utf-8",
    )
    assert run_cli("items", "import", str(path)).exit_code == 0
    table = run_cli("items", "list").stdout
    assert "community" in table
    assert "meta" not in table
    assert "…" in table
    listed = json.loads(run_cli("items", "list", "--format", "json").stdout)
    assert listed[0]["meta"] == {"score": 3}
    assert listed[0]["body"] == long_text
