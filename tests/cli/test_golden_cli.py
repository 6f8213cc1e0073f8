from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from modgate.config import Settings

from ..golden.conftest import annotation_rows, write_csv
from .conftest import Run


def _import(run_cli: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "labels.csv", annotation_rows())
    config = tmp_path / "g.yaml"
    config.write_text(
        "labels: [violating, non_violating]\n"
        "targets:\n  - {policy: hate_speech, allowed: counter_speech, min: 30}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "golden", "import", "g", str(path), "--policy", "hate_speech", "--config", str(config)
    )
    assert result.exit_code == 0, result.stderr
    assert "6 items, 16 annotations" in result.stdout


def test_import_list_show_and_every_read_format(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    _import(run_cli, tmp_path)
    listed = json.loads(run_cli("golden", "list", "--format", "json").stdout)
    assert listed[0]["name"] == "g" and listed[0]["items"] == 6 and listed[0]["unresolved"] == 2
    shown = json.loads(run_cli("golden", "show", "g", "--format", "json").stdout)
    assert shown["gold_labels"] == {"(unresolved)": 2, "non_violating": 2, "violating": 2}
    for command in (["agreement", "g"], ["coverage", "g"], ["check", "g"], ["adjudicate", "g"]):
        for fmt in ("table", "json", "csv"):
            result = run_cli("golden", *command, "--format", fmt)
            assert result.exit_code == 0, (command, fmt, result.stderr)
    rows = list(
        csv.DictReader(io.StringIO(run_cli("golden", "agreement", "g", "-f", "csv").stdout))
    )
    assert {r["statistic"] for r in rows} == {"fleiss_kappa", "krippendorff_alpha", "cohen_kappa"}
    gaps = run_cli("golden", "coverage", "g", "--gaps", "-f", "csv").stdout
    assert '"policy=hate_speech, allowed=counter_speech",30,2,28,False' in gaps


def test_bad_rows_exit_7_and_name_the_rejects_file(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        [{"id": "a", "text": "x", "label": "violating"}, {"id": "", "text": "y", "label": "v"}],
    )
    result = run_cli("golden", "import", "g", str(path), "--policy", "p")
    assert result.exit_code == 7
    assert "1 rows rejected" in result.stderr and "bad.csv.rejects.jsonl" in result.stderr
    bad_map = run_cli("golden", "import", "g", str(path), "--map", "oops")
    assert bad_map.exit_code == 6 and "--map" in bad_map.stderr


def test_adjudicate_label_freeze_and_export(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    _import(run_cli, tmp_path)
    queue = json.loads(run_cli("golden", "adjudicate", "g", "-f", "json").stdout)
    assert [q["item_id"] for q in queue] == ["i2", "i4"]
    no_reason = run_cli("golden", "adjudicate", "g", "--item", "i2", "--label", "violating")
    assert no_reason.exit_code == 6
    bad_label = run_cli(
        "golden", "adjudicate", "g", "--item", "i2", "--label", "maybe", "--reason", "x"
    )
    assert bad_label.exit_code == 6 and "maybe" in bad_label.stderr
    ok = run_cli(
        "golden", "adjudicate", "g", "--item", "i2", "--label", "violating", "--reason", "slur"
    )
    assert ok.exit_code == 0, ok.stderr
    auto = json.loads(
        run_cli("golden", "adjudicate", "g", "--method", "majority", "-f", "json").stdout
    )
    assert auto[0]["changed"] == 1
    history = run_cli("golden", "adjudicate", "g", "--history", "-f", "csv").stdout
    assert "slur" in history and "majority" in history
    assert run_cli("golden", "label", "g", "i1", "violating", "--annotator", "zoe").exit_code == 0

    frozen = json.loads(run_cli("golden", "freeze", "g", "-f", "json").stdout)
    assert frozen["created"] and frozen["version"]["item_count"] == 6
    again = json.loads(run_cli("golden", "freeze", "g", "-f", "json").stdout)
    assert not again["created"]
    assert again["version"]["content_hash"] == frozen["version"]["content_hash"]
    version = json.loads(run_cli("golden", "show", "g@1", "-f", "json").stdout)
    assert version["content_hash"] == frozen["version"]["content_hash"]
    rows = run_cli("golden", "show", "g@1", "--rows", "-f", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(rows)))) == 6

    out = tmp_path / "train.jsonl"
    assert run_cli("golden", "export", "g@1", str(out), "--split", "train").exit_code == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert exported and all(r["split"] == "train" for r in exported)
    votes = tmp_path / "votes.parquet"
    assert run_cli("golden", "export", "g", str(votes), "--shape", "votes").exit_code == 0
    assert votes.stat().st_size > 0


def test_check_against_a_training_file_lists_leaks(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    _import(run_cli, tmp_path)
    training = write_csv(
        tmp_path / "train.csv",
        [{"id": "t1", "text": "Text number 0 with enough distinct words i1"}],
    )
    report = json.loads(
        run_cli("golden", "check", "g", "--training-file", str(training), "-f", "json").stdout
    )
    assert [(leak["item_id"], leak["training_id"]) for leak in report["leaks"]] == [("i1", "t1")]
    assert report["training_rows"] == 1
    missing = run_cli("golden", "show", "nope")
    assert missing.exit_code == 4


def test_eval_sources_read_a_frozen_golden_split(
    workspace: Settings, run_cli: Run, tmp_path: Path
) -> None:
    from modgate.evaluate import StoreEvalSources
    from modgate.store import open_store

    _import(run_cli, tmp_path)
    assert run_cli("golden", "adjudicate", "g", "--method", "majority").exit_code == 0
    frozen = json.loads(run_cli("golden", "freeze", "g", "-f", "json").stdout)["version"]
    store = open_store(workspace)
    try:
        ref, examples = StoreEvalSources(store).golden("g@1", "train")
    finally:
        store.close()
    assert ref.content_hash == frozen["content_hash"] and ref.split == "train"
    assert examples and all(isinstance(e.gold, bool) for e in examples)
    assert all(e.item.body.startswith("text number") for e in examples)
