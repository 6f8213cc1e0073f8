"""`run_server` hands its settings to Uvicorn worker processes intact (secrets included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate.serve import ServeSettings, _run


def test_worker_processes_rebuild_the_same_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:
        seen.update(kwargs)
        seen["target"] = app

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    settings = ServeSettings(
        database_url=f"sqlite:///{tmp_path}/m.db", workspace=tmp_path, port=8123, workers=3,
        author_hash_key="s3cret", max_text_chars=77,
    )  # fmt: skip
    for name in (_run._SETTINGS_ENV, _run._HASH_KEY_ENV):  # restored after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    _run.run_server(settings)
    assert seen["target"] == "modgate.serve._run:app_from_env"
    assert seen["factory"] is True and seen["workers"] == 3 and seen["port"] == 8123
    import os

    assert "s3cret" not in os.environ[_run._SETTINGS_ENV]  # the secret travels on its own
    captured: dict[str, ServeSettings] = {}
    monkeypatch.setattr(_run, "create_app", lambda s: captured.setdefault("s", s))
    _run.app_from_env()
    rebuilt = captured["s"]
    assert rebuilt.author_hash_key is not None
    assert rebuilt.author_hash_key.get_secret_value() == "s3cret"
    assert rebuilt.model_dump(exclude={"author_hash_key"}) == settings.model_dump(
        exclude={"author_hash_key"}
    )


def test_app_from_env_refuses_to_start_without_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_run._SETTINGS_ENV, raising=False)
    with pytest.raises(RuntimeError, match="run_server"):
        _run.app_from_env()
