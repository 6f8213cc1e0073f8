"""The lint runner: every registered `LintCheck` over a policy; findings, never a first-error stop.

Checks are plugins: built-ins register through the `register_lint_checks` hook exactly as third
parties do, and the runner builds each from the registry by name.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, computed_field

from modgate.errors import RegistryError
from modgate.policy._choices import DEFAULT_TOKEN_BUDGET as DEFAULT_TOKEN_BUDGET
from modgate.policy._compile_prompt import PromptTemplate
from modgate.policy._findings import Finding, FindingSeverity, PolicyLoadError, sort_findings
from modgate.policy._load import LoadedPolicy, load_policy_file
from modgate.registry import Registry, Spec

LINT_CHECK_KIND = "lint_check"
"""Registry kind of lint checks."""


class LintOptions(BaseModel):
    """What the checks are configured with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token_budget: int = Field(default=DEFAULT_TOKEN_BUDGET, ge=1)
    """Warn when the compiled prompt has more tokens than this."""
    template: PromptTemplate | None = None
    """Template the prompt is compiled with (default: the shipped one)."""
    ignore: frozenset[str] = frozenset()
    """Names of checks to skip."""


@runtime_checkable
class LintCheck(Protocol):
    """One lint check: looks at a loaded policy and yields findings."""

    name: str
    """Registered name, shown in every finding."""

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterable[Finding]:
        """Yield the problems found (none when the policy is fine)."""
        ...


class LintReport(BaseModel):
    """Findings of all checks on one policy file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str | None
    """The policy file (None for a policy built in code)."""
    policy_ref: str | None
    """`id@version`, or None when the file did not load."""
    checks: list[str]
    """Checks that ran (empty when the file did not load)."""
    findings: list[Finding]
    """Findings in reading order."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(f.severity is FindingSeverity.ERROR for f in self.findings)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return sum(f.severity is FindingSeverity.WARNING for f in self.findings)

    def failed(self, *, strict: bool = False) -> bool:
        """Whether the report fails lint: any error, or with `strict` any warning."""
        return self.errors > 0 or (strict and self.warnings > 0)


def lint_checks(registry: Registry, *, ignore: Iterable[str] = ()) -> list[LintCheck]:
    """Build every registered lint check, minus those named in `ignore`.

    Raises:
        RegistryError: A name in `ignore` is not a registered check, or a factory does not
            build a `LintCheck`.
    """
    names = registry.names(LINT_CHECK_KIND)
    unknown = sorted(set(ignore) - set(names))
    if unknown:
        raise RegistryError(
            f"unknown lint check {', '.join(map(repr, unknown))} (known: {', '.join(names)})"
        )
    checks: list[LintCheck] = []
    for name in names:
        if name in ignore:
            continue
        check = registry.create(Spec(kind=LINT_CHECK_KIND, name=name), object)
        if not isinstance(check, LintCheck):
            raise RegistryError(f"lint check {name!r} does not implement LintCheck")
        checks.append(check)
    return checks


def lint_policy(
    loaded: LoadedPolicy, *, registry: Registry, options: LintOptions | None = None
) -> LintReport:
    """Run every registered lint check on a loaded policy.

    A check that crashes becomes an error finding naming it; the other checks still run.

    Args:
        loaded: The policy and its source map.
        registry: Registry holding the lint checks.
        options: Budget, template and checks to skip.

    Returns:
        All findings, in reading order.
    """
    options = options or LintOptions()
    checks = lint_checks(registry, ignore=options.ignore)
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check.check(loaded, options))
        except Exception as exc:  # a broken (plugin) check must not hide the others' findings
            where = traceback.extract_tb(exc.__traceback__)[-1]
            findings.append(
                Finding(
                    check=check.name,
                    severity=FindingSeverity.ERROR,
                    file=loaded.source.file,
                    line=None,
                    col=None,
                    field="",
                    message=f"check crashed: {type(exc).__name__}: {exc} "
                    f"({Path(where.filename).name}:{where.lineno})",
                    hint="report this to the check's author; run with --ignore to skip it",
                )
            )
    return LintReport(
        file=loaded.source.file,
        policy_ref=loaded.policy.ref,
        checks=[c.name for c in checks],
        findings=sort_findings(findings),
    )


def lint_policy_files(
    paths: Sequence[Path], *, registry: Registry, options: LintOptions | None = None
) -> list[LintReport]:
    """Load and lint each file; a file that does not load reports its load findings.

    Args:
        paths: Policy files.
        registry: Registry holding the lint checks.
        options: Budget, template and checks to skip.

    Returns:
        One report per file, in the order given.
    """
    reports: list[LintReport] = []
    for path in paths:
        try:
            loaded = load_policy_file(path)
        except PolicyLoadError as exc:
            reports.append(
                LintReport(file=str(path), policy_ref=None, checks=[], findings=exc.findings)
            )
            continue
        reports.append(lint_policy(loaded, registry=registry, options=options))
    return reports


def policy_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders to the `*.yaml` / `*.yml` files in them (sorted); files pass through."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found
