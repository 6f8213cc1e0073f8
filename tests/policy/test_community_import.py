from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modgate.errors import NotFoundError, ValidationError
from modgate.policy import (
    CommunityRuleMapping,
    community_policy,
    diff_community_imports,
    example_policy_files,
    export_community_policies,
    import_community_rules,
    iter_community_rules,
    lint_stored_community_rules,
    list_community_imports,
    load_policy_file,
)
from modgate.store import Store, list_audit_events, read_rejects

COLUMNS = ["subreddit", "short_name", "description", "kind", "violation_reason"]
RULES = [
    ["pics", "No self-promotion", "Don't post your own channel.", "link", "Self-promotion"],
    ["pics", "Be nice", "", "all", "Be nice"],
    ["pics", "No links", "Comments with links are removed.", "comment", "Links"],
    ["art", "No self promotion", "", "all", "Spam"],
    ["art", "Credit the artist", "Name the artist in the title.", "link", ""],
]
SITE = [load_policy_file(p).policy for p in example_policy_files()]


def _write(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def _current(store: Store) -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (r.rule.community, r.key): (r.version, r.rule.description)
        for r in iter_community_rules(store)
    }


def test_first_import_versions_every_rule_and_lints_it(store: Store, tmp_path: Path) -> None:
    findings = tmp_path / "findings.jsonl"
    result = import_community_rules(
        store,
        _write(tmp_path / "r.csv", RULES),
        actor="t",
        site_policies=SITE,
        findings_path=findings,
    )
    assert (result.rules, result.communities, result.added, result.rejected) == (5, 2, 5, 0)
    assert result.communities_changed == 2
    assert set(_current(store)) == {
        ("pics", "no-self-promotion"),
        ("pics", "be-nice"),
        ("pics", "no-links"),
        ("art", "no-self-promotion"),
        ("art", "credit-the-artist"),
    }
    assert result.lint.checkable_by == {"rules": 2, "model": 2, "none": 1}
    lines = [json.loads(line) for line in findings.read_text().splitlines()]
    assert {(f["rule_key"], f["check"]) for f in lines} == {
        ("be-nice", "vague_term"),
        ("be-nice", "uncheckable"),
    }
    assert sum(result.lint.findings.values()) == len(lines)
    assert list_audit_events(store, action="policy.import_community")


def test_reimport_makes_versions_only_for_changed_rules_and_diff_shows_them(
    store: Store, tmp_path: Path
) -> None:
    first = import_community_rules(
        store, _write(tmp_path / "a.csv", RULES), actor="t", site_policies=SITE
    )
    changed = [list(r) for r in RULES if r[1] != "Be nice"]
    changed[0][2] = "Never post   your own channel or blog."  # reworded
    changed[3][2] = changed[3][2] + " "  # whitespace only: no change
    changed.append(["pics", "No memes", "Memes are removed.", "link", ""])
    second = import_community_rules(
        store, _write(tmp_path / "b.csv", changed), actor="t", site_policies=SITE
    )
    assert (second.added, second.reworded, second.removed, second.unchanged) == (1, 1, 1, 3)
    assert second.communities_changed == 1  # art did not change
    current = _current(store)
    assert current[("pics", "no-self-promotion")] == (2, "Never post   your own channel or blog.")
    assert current[("art", "no-self-promotion")][0] == 1
    assert ("pics", "be-nice") not in current
    diff = diff_community_imports(store)
    assert (diff.before_import, diff.after_import) == (first.import_id, second.import_id)
    assert {(c.community, c.rule_key, c.change) for c in diff.changes} == {
        ("pics", "no-self-promotion", "reworded"),
        ("pics", "be-nice", "removed"),
        ("pics", "no-memes", "added"),
    }
    reworded = next(c for c in diff.changes if c.change == "reworded")
    assert "[-Don't-]{+Never+}" in reworded.detail
    everything = diff_community_imports(store, before=0)
    assert (everything.added, everything.removed) == (5, 0)  # every rule live at the newer one
    assert diff_community_imports(store, community="art").changes == []
    # the state at the first import is still readable
    at_first = {
        (r.rule.community, r.key): r.version
        for r in iter_community_rules(store, at_import=first.import_id)
    }
    assert at_first[("pics", "no-self-promotion")] == 1 and ("pics", "be-nice") in at_first
    # a rule removed and added again continues its version numbers
    third = import_community_rules(
        store, _write(tmp_path / "c.csv", RULES), actor="t", site_policies=SITE
    )
    assert _current(store)[("pics", "be-nice")][0] == 2
    assert third.removed == 1  # no-memes
    assert [i.id for i in list_community_imports(store)] == [
        first.import_id,
        second.import_id,
        third.import_id,
    ]


def test_bad_rows_are_rejected_with_their_line_and_the_rest_lands(
    store: Store, tmp_path: Path
) -> None:
    rows = [
        *RULES,
        ["", "x", "y", "all", ""],
        ["pics", "NO LINKS", "dup", "all", ""],
        ["pics", "Odd", "", "threads", ""],
        ["bad name", "R", "", "all", ""],
    ]
    result = import_community_rules(
        store, _write(tmp_path / "r.csv", rows), actor="t", site_policies=SITE
    )
    assert (result.rules, result.rejected) == (5, 4)
    assert result.reject_reasons == {"missing_id": 1, "duplicate_id": 1, "invalid_value": 2}
    assert result.rejects_path is not None
    rejects = read_rejects(Path(result.rejects_path))
    assert [r.line for r in rejects] == [7, 8, 9, 10]
    assert "already on line 4" in rejects[1].detail
    assert "'threads'" in rejects[2].detail


def test_named_columns_jsonl_and_parquet_read_the_same_rules(store: Store, tmp_path: Path) -> None:
    records = [dict(zip(["grp", "title", "body", "where", "why"], r, strict=True)) for r in RULES]
    records[0]["ex"] = ["check out my channel", "subscribe to me"]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    mapping = CommunityRuleMapping(
        columns={
            "community": "grp",
            "name": "title",
            "description": "body",
            "applies_to": "where",
            "reason": "why",
            "examples": "ex",
        }
    )
    result = import_community_rules(store, jsonl, actor="t", mapping=mapping, site_policies=[])
    assert result.added == 5
    parquet = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    again = import_community_rules(store, parquet, actor="t", mapping=mapping, site_policies=[])
    assert (again.unchanged, again.added, again.reworded) == (5, 0, 0)
    policy = community_policy(store, "pics")
    assert policy.scope == "community:pics" and policy.version == 1
    assert [e.text for e in policy.examples] == ["check out my channel", "subscribe to me"]
    assert "Applies to posts." in policy.violates[0].description


def test_a_file_without_a_community_column_names_its_columns(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", [["a", "b"]], ["rule", "text"])
    with pytest.raises(
        ValidationError, match="no column for the rule's community; the file has rule, text"
    ):
        import_community_rules(store, path, actor="t", site_policies=[])
    with pytest.raises(ValidationError, match="no column 'nope'"):
        import_community_rules(
            store, path, actor="t", mapping=CommunityRuleMapping(columns={"community": "nope"})
        )
    assert list_community_imports(store) == []  # nothing half-written


def test_export_writes_policy_files_that_load_and_lint_reads_the_store(
    store: Store, tmp_path: Path
) -> None:
    import_community_rules(store, _write(tmp_path / "r.csv", RULES), actor="t", site_policies=SITE)
    written = export_community_policies(store, tmp_path / "out")
    assert sorted(p.name for p in written) == ["community-art.yaml", "community-pics.yaml"]
    loaded = load_policy_file(tmp_path / "out" / "community-pics.yaml").policy
    assert loaded == community_policy(store, "pics")
    assert [c.title for c in loaded.violates] == ["No self-promotion", "Be nice", "No links"]
    summary = lint_stored_community_rules(store, site_policies=SITE, community="pics")
    assert summary.rules == 3 and summary.findings["uncheckable"] == 1
    with pytest.raises(NotFoundError):
        community_policy(store, "nowhere")
