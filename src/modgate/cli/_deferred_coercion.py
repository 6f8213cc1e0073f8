"""Typer's value coercion, built only for a value that needs it (not for an absent one).

Typer 0.29 coerces each parameter's value through a pydantic `TypeAdapter`, which it builds the
first time the parameter is processed, even when the value is absent (None) and is returned
unchanged without it. The first adapter imports pydantic (about a third of the CPU of
`modgate NOUN --help`), for the root's `--workspace` and each `--help` option that was not
given. `defer_coercion` gives a command tree's parameters a stand-in that answers absent values
the way Typer does and builds Typer's own coercion on the first real value, so results and
errors are Typer's; `tests/cli/test_deferred_coercion.py` checks both, and
`tests/test_startup_imports.py` that no `--help` imports pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperGroup, _TyperParameter


@dataclass(frozen=True)
class _DeferredRuntimeParam(RuntimeParam):
    """Typer's `RuntimeParam` contract; the real one is built on the first non-absent value.

    `RuntimeParam.coerce` itself answers None (and the multiple-value checks) before calling
    `_coerce_value`, exactly as it does for the real one.
    """

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Any) -> Any:
        real = build_runtime_param(param.type_descriptor)
        param._runtime_param = real
        return real._coerce_value(value, param=param, ctx=ctx)


def defer_parameter(param: Any) -> None:
    """Give one Typer parameter the deferred coercion (no-op for others or once built)."""
    if isinstance(param, _TyperParameter) and param._runtime_param is None:
        descriptor = param.type_descriptor
        param._runtime_param = _DeferredRuntimeParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
        )


def defer_coercion(command: Any, ctx: Any) -> None:
    """Defer the coercion of every parameter of `command` and its subcommands.

    Args:
        command: A click command or group built by Typer.
        ctx: The context the command will run under (or its parent): its help option names
            create each command's `--help` option now, so that option is deferred too.
    """
    for param in command.params:
        defer_parameter(param)
    defer_parameter(command.get_help_option(ctx))
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            defer_coercion(sub, ctx)
