from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from modgate.cli.main import main
from modgate.store import Store

from .conftest import Traffic, seed


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_monitor_alert_incident_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    store = Store.from_url(f"sqlite:///{ws / 'modgate.db'}")
    seed(store, Traffic(surge={"c0": 4.0}))
    store.close()
    (ws / "monitors" / "removals.yaml").write_text(
        yaml.safe_dump({"checks": [{"kind": "action_rate", "params": {"min_support": 20}}]})
    )
    code, out, err = _run(
        capsys, "-C", str(ws), "monitor", "run", "--at", "2026-11-20T00:00:00Z", "-f", "json"
    )
    assert code == 0, err
    [finding] = json.loads(out)
    assert finding["segment"] == "c0" and finding["new"] is True
    code, out, _ = _run(capsys, "-C", str(ws), "alert", "list", "-f", "json")
    [alert] = json.loads(out)
    assert alert["check"] == "action_rate" and alert["evidence"]["n_current"] == 30
    assert _run(capsys, "-C", str(ws), "alert", "ack", str(alert["id"]))[0] == 0
    code, out, _ = _run(capsys, "-C", str(ws), "incident", "open", "--from-alert", str(alert["id"]))
    assert code == 0 and "incident 1 opened" in out
    code, _, err = _run(
        capsys,
        "-C",
        str(ws),
        "incident",
        "note",
        "1",
        "lowered c0 threshold",
        "--action",
        "thresholds",
        "--details",
        '{"community": "c0", "remove": 0.9}',
    )
    assert code == 0, err
    assert _run(capsys, "-C", str(ws), "incident", "resolve", "1", "fixed")[0] == 0
    code, out, _ = _run(capsys, "-C", str(ws), "incident", "show", "1", "-f", "json")
    events = json.loads(out)
    assert [e["kind"] for e in events] == ["opened", "action", "resolved"]
    assert events[1]["details"]["remove"] == 0.9
    code, out, _ = _run(capsys, "-C", str(ws), "incident", "list", "-f", "csv")
    assert code == 0 and "resolved" in out
    # clear errors, not internal ones
    assert _run(capsys, "-C", str(ws), "alert", "ack", "999")[0] == 4
    assert _run(capsys, "-C", str(ws), "incident", "note", "1", "x", "--details", "[")[0] == 6
    assert _run(capsys, "-C", str(ws), "monitor", "run", "nope")[0] == 6
    assert _run(capsys, "-C", str(ws), "monitor", "run", "--at", "yesterday")[0] == 6
    assert _run(capsys, "-C", str(ws), "monitor", "run", "--every", "soon")[0] == 6


def test_rebuild_rollups_command_makes_runs_read_the_rollups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    store = Store.from_url(f"sqlite:///{ws / 'modgate.db'}")
    seed(store, Traffic(surge={"c0": 4.0}))  # loaded around the decide path
    store.close()
    (ws / "monitors" / "removals.yaml").write_text(
        yaml.safe_dump({"checks": [{"kind": "action_rate", "params": {"min_support": 20}}]})
    )
    run = ("-C", str(ws), "monitor", "run", "--at", "2026-11-20T00:00:00Z", "-f", "json")
    alerts = ("-C", str(ws), "alert", "list", "-f", "json")
    code, before, err = _run(capsys, *run)
    assert code == 0, err
    [alert] = json.loads(_run(capsys, *alerts)[1])
    assert alert["evidence"]["source"] == "raw"  # the roll-ups miss the loaded decisions
    code, _, err = _run(capsys, "-C", str(ws), "monitor", "rebuild-rollups")
    assert code == 0 and "roll-ups rebuilt from 9,000 decisions" in err, err
    code, after, err = _run(capsys, *run)
    assert code == 0, err
    [alert] = json.loads(_run(capsys, *alerts)[1])  # the same alert, evidence updated
    assert alert["evidence"]["source"] == "rollups"
    strip = [{k: v for k, v in f.items() if k not in ("alert", "new")} for f in json.loads(after)]
    assert strip == [
        {k: v for k, v in f.items() if k not in ("alert", "new")} for f in json.loads(before)
    ]
    assert _run(capsys, *run, "--source", "nope")[0] != 0
