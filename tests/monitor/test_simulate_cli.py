"""`modgate simulate run`: a simulation file, the real decide path, SIMULATED output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from modgate.cli.main import main
from modgate.enforce import EnforcerSpec, EnforcerThresholds, register_enforcer
from modgate.monitor import load_simulation_file, prepare_plan
from modgate.release import deploy
from modgate.store import Store, decisions

from .test_simulate import ETHOS, pytestmark  # noqa: F401  (skip without the shared data)

SIM = f"""\
source: {ETHOS}
model: {{communities: 30, items: 400, days: 2, authors: 50, seed: 3, start: 2026-11-01}}
scenarios:
  - kind: evasion_wave
    start: 2026-11-02T00:00:00
    communities: [sim-c00020]
    extra_items: 10
    perturbation: leetspeak
"""


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


def test_simulate_run_decides_through_the_deployments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    sim = tmp_path / "week.yaml"
    sim.write_text(SIM, "utf-8")
    truth = tmp_path / "truth.json"
    # nothing deployed yet: a named error, not a traceback
    code, _, err = _run(capsys, "-C", str(ws), "simulate", "run", str(sim))
    assert code != 0 and "nothing is deployed" in err
    plan = prepare_plan(load_simulation_file(sim))
    (ws / "scores.csv").write_text(
        "item_id,score\n"
        + "".join(f"{p.item.id},{0.9 if p.violating else 0.1}\n" for p in plan.items),
        "utf-8",
    )
    store = Store.from_url(f"sqlite:///{ws / 'modgate.db'}")
    spec = EnforcerSpec(
        name="base", kind="recorded", policy="hate@1", params={"path": "scores.csv"},
        thresholds=EnforcerThresholds(remove=0.8, review=0.5),
    )  # fmt: skip
    register_enforcer(store, spec, workspace=ws, actor="t")
    deploy(store, "base@1", "active", actor="t", force=True, reason="test")
    code, out, err = _run(
        capsys, "-C", str(ws), "simulate", "run", str(sim), "--ground-truth", str(truth),
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = {r["figure"]: r["value"] for r in json.loads(out)}
    assert all(r["simulated"] == "SIMULATED" for r in json.loads(out))
    assert rows["items"] == rows["decisions"] == len(plan.items)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == len(plan.items)
    store.close()
    written = json.loads(truth.read_text("utf-8"))
    assert written["simulated"] == "SIMULATED"
    assert written["scenarios"][0]["item_ids"] == [
        p.item.id for p in plan.items if p.scenario == "0:evasion_wave"
    ]


def test_a_bad_simulation_file_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    sim = tmp_path / "bad.yaml"
    sim.write_text(SIM.replace("evasion_wave", "alien_invasion"), "utf-8")
    code, _, err = _run(capsys, "-C", str(ws), "simulate", "run", str(sim))
    assert code != 0 and "bad.yaml:4" in "".join(err.split()) and "Traceback" not in err


def test_blast_radius_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert _run(capsys, "init", str(ws))[0] == 0
    code, _, err = _run(capsys, "-C", str(ws), "incident", "blast-radius", "dep-nope")
    assert code != 0 and "made no decision" in err and "Traceback" not in err
    code, _, err = _run(
        capsys, "-C", str(ws), "incident", "blast-radius", "dep-x", "--since", "yesterday"
    )
    assert code != 0 and "--since" in err
