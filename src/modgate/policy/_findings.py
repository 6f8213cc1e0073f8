"""Findings: one problem in a policy file, with where it is and how to fix it.

Loading and linting both report findings, so a policy writer reads one format
(`file:line:col: severity [check] field: message` and a `hint:` line) whatever found the problem.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from modgate.authoring import AuthoringError, Diagnostic
from modgate.authoring import format_field_path as _format_field_path

FieldPath = tuple[str | int, ...]
"""Path of a field inside a policy, e.g. `("examples", 3, "criteria", 0)`."""


class FindingSeverity(enum.StrEnum):
    """How bad a finding is: errors fail `policy lint` (warnings too with `--strict`)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_RANK = {FindingSeverity.ERROR: 0, FindingSeverity.WARNING: 1, FindingSeverity.INFO: 2}


class Finding(BaseModel):
    """One problem found in a policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: str
    """Name of the check that found it (`schema` and `yaml` for load errors)."""
    severity: FindingSeverity
    """error, warning or info."""
    file: str | None
    """Policy file, when the policy came from one."""
    line: int | None
    """1-based line of the offending node, when known."""
    col: int | None
    """1-based column of the offending node, when known."""
    field: str
    """Field path, e.g. `examples[3].criteria[0]` (empty for the whole file)."""
    message: str
    """What is wrong, naming the offending value."""
    hint: str | None = None
    """How to fix it."""

    @property
    def location(self) -> str:
        """`file:line:col` (as much of it as is known)."""
        parts = [self.file or "<policy>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def render(self) -> str:
        """The finding as text: location, severity, check, field and message; hint below."""
        field = f"{self.field}: " if self.field else ""
        text = f"{self.location}: {self.severity} [{self.check}] {field}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def format_field_path(path: FieldPath) -> str:
    """Render a field path as `violates[2].id` (the authoring loader's one style)."""
    return _format_field_path(path)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in reading order: by file, line, column, then severity and check."""
    return sorted(
        findings,
        key=lambda f: (
            f.file or "",
            f.line if f.line is not None else 0,
            f.col if f.col is not None else 0,
            _SEVERITY_RANK[f.severity],
            f.check,
            f.field,
            f.message,
        ),
    )


def render_findings(findings: Sequence[Finding]) -> str:
    """Findings as text, one block each, in reading order."""
    return "\n".join(f.render() for f in sort_findings(findings))


class PolicyLoadError(AuthoringError):
    """A policy file could not be loaded; `findings` lists every problem found.

    The message is the authoring loader's one format; `findings` holds the same problems as
    lint findings (check `yaml` or `schema`), so `policy lint` reports them with its own.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(
            diagnostics,
            what="policy file",
            hint="fix every problem listed; `modgate policy lint FILE` shows them again",
        )
        self.findings = [
            Finding(
                check="yaml" if d.code == "yaml" else "schema",
                severity=FindingSeverity.ERROR,
                file=None if d.file == "<policy>" else d.file,
                line=d.line,
                col=d.col,
                field=d.path,
                message=d.message,
                hint=d.hint,
            )
            for d in self.diagnostics
        ]
