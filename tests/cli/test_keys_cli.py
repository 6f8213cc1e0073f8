from __future__ import annotations

import json

from modgate.config import Settings
from modgate.serve._keys import split_key

from .conftest import Run


def test_keys_create_list_revoke_through_the_cli(workspace: Settings, run_cli: Run) -> None:
    folder = str(workspace.workspace)
    made = run_cli("-C", folder, "keys", "create", "ingest", "--scope", "moderate", "-s", "read")
    assert made.exit_code == 0, made.stderr
    key = made.stdout.strip()
    parts = split_key(key)
    assert parts is not None and "cannot be shown again" in made.stderr
    listed = run_cli("-C", folder, "keys", "list", "--format", "json")
    [row] = json.loads(listed.stdout)
    assert row["id"] == parts[0] and row["scopes"] == ["moderate", "read"]
    assert key not in listed.stdout and parts[1] not in listed.stdout
    assert run_cli("-C", folder, "keys", "revoke", parts[0]).exit_code == 0
    assert json.loads(run_cli("-C", folder, "keys", "list", "--active", "-f", "json").stdout) == []
    assert run_cli("-C", folder, "keys", "revoke", "nope").exit_code == 4
    bad = run_cli("-C", folder, "keys", "create", "x", "--scope", "root")
    assert bad.exit_code == 6 and "unknown scope root" in bad.stderr
