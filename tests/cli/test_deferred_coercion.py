"""Deferred coercion (`cli/_deferred_coercion.py`) gives exactly Typer's values and errors.

Each command is built twice: once as `modgate` runs it (through the root group, coercion
deferred) and once by Typer alone; every parameter then processes the same values on both.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer

from modgate.cli._deferred_coercion import _DeferredRuntimeParam
from modgate.cli.main import COMMANDS, app, load_command


def _root_context() -> Any:
    root = typer.main.get_command(app)
    return root, root.context_class(root, info_name="modgate")


def _walk(command: Any, ctx: Any) -> list[tuple[str, Any]]:
    found = [(f"{command.name}:{p.name}", p) for p in command.params]
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        found.append((f"{command.name}:--help", help_option))
    for sub in getattr(command, "commands", {}).values():
        found += _walk(sub, ctx)
    return found


def _outcome(param: Any, ctx: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", param.process_value(ctx, value)
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return type(exc).__name__, str(exc)


SAMPLES: tuple[Any, ...] = (None, "1", "-1", "x", "0.5", "table", "json", "true", str(2**60))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_deferred_parameters_coerce_exactly_as_typer_does(name: str) -> None:
    root, ctx = _root_context()
    deferred = _walk(root.get_command(ctx, name), ctx)
    plain = _walk(load_command(name), ctx)
    assert [key for key, _ in deferred] == [key for key, _ in plain]
    assert deferred, "every command has at least its --help option"
    for (key, ours), (_, theirs) in zip(deferred, plain, strict=True):
        assert isinstance(ours._runtime_param, _DeferredRuntimeParam), key
        values = (*SAMPLES, theirs.default) if ours.nargs == 1 else (None, ("1",), ("x",))
        if theirs.is_eager or theirs.callback is not None or theirs.type_descriptor.is_file:
            values = (None,)  # --help, --show-completion print and exit; files would be opened
        for value in values:
            assert _outcome(ours, ctx, value) == _outcome(theirs, ctx, value), (key, value)


def test_an_absent_value_builds_no_coercion_and_a_given_one_builds_typers() -> None:
    root, ctx = _root_context()
    command = root.get_command(ctx, "sql")
    limit = next(p for p in command.params if p.name == "limit")
    assert limit.process_value(ctx, None) is None
    assert isinstance(limit._runtime_param, _DeferredRuntimeParam)
    assert limit.process_value(ctx, "7") == 7
    assert not isinstance(limit._runtime_param, _DeferredRuntimeParam)
    with pytest.raises(typer.BadParameter, match="less than or equal"):
        limit.process_value(ctx, str(2**60))


def test_the_root_options_are_deferred_and_still_parse(tmp_path: Any) -> None:
    root, ctx = _root_context()
    params = {p.name: p for p in root.get_params(ctx)}
    assert {"directory", "help"} <= set(params)
    assert all(isinstance(p._runtime_param, _DeferredRuntimeParam) for p in params.values())
    assert params["directory"].process_value(ctx, str(tmp_path)) == tmp_path
