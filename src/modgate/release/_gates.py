"""Release gates: `gates/NAME.yaml` → `GateConfig` (with file:line errors) → `GateResult`s. Pure.

Loading parses text that the caller read; evaluation reads figures and a comparison that the
caller computed. Nothing here touches the database, the clock or the environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modgate.authoring import compose_document, validate
from modgate.evaluate import (
    HIGHER_IS_BETTER,
    ComparisonReport,
    DeltaValue,
    EvalFigures,
    GroupFigures,
    MetricValue,
)

FigureName = Literal["precision", "recall", "f1", "fpr", "auprc", "roc_auc"]
ReliabilityName = Literal[
    "error_rate",
    "parse_failure_rate",
    "latency_ms_mean",
    "latency_ms_p50",
    "latency_ms_p95",
    "latency_ms_p99",
    "cost_per_item",
    "cost_total",
]


class _Criterion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None
    """Name of the criterion in the report (default: derived from kind, figure and slices)."""
    description: str | None = None
    """Why the criterion exists, for the report."""


class MinimumCriterion(_Criterion):
    """A figure must be at least `value` (overall, in an action band, or in each named slice)."""

    kind: Literal["minimum"]
    """Criterion kind."""
    metric: FigureName
    """Figure to check."""
    value: float = Field(ge=0.0, le=1.0)
    """Smallest acceptable value."""
    use: Literal["point", "lower_bound"] = "point"
    """Check the point estimate, or (stricter) the interval's lower bound."""
    band: Literal["remove", "review"] | None = None
    """Check the figure of an action band instead of the verdict label."""
    slices: tuple[str, ...] = ()
    """`dimension=value` slices that must each pass (empty: overall)."""
    per: str | None = None
    """Also check every slice of this dimension (e.g. `community`) the run has."""


class MaximumCriterion(_Criterion):
    """A figure must be at most `value`, e.g. the false-positive rate on protected slices."""

    kind: Literal["maximum"]
    """Criterion kind."""
    metric: FigureName
    """Figure to check."""
    value: float = Field(ge=0.0, le=1.0)
    """Largest acceptable value."""
    use: Literal["point", "upper_bound"] = "point"
    """Check the point estimate, or (stricter) the interval's upper bound."""
    band: Literal["remove", "review"] | None = None
    """Check the figure of an action band instead of the verdict label."""
    slices: tuple[str, ...] = ()
    """`dimension=value` slices that must each pass (empty: overall)."""
    per: str | None = None
    """Also check every slice of this dimension (e.g. `community`) the run has."""


class RegressionCriterion(_Criterion):
    """The candidate may not be worse than the baseline run by more than `max_drop`."""

    kind: Literal["regression"]
    """Criterion kind."""
    metric: Literal["precision", "recall", "f1", "fpr"]
    """Figure compared (paired, item by item)."""
    max_drop: float = Field(ge=0.0, le=1.0)
    """Largest acceptable worsening (a rise for the false-positive rate)."""
    use: Literal["point", "bound"] = "point"
    """Check the point delta, or (stricter) the pessimistic bound of its paired interval."""
    per: str | None = None
    """Also check each slice of this dimension (e.g. `community`) with enough support."""
    min_support: int | None = Field(default=None, ge=1)
    """Items a slice's figure needs to be checked (default: the gate file's `min_support`):
    its own support, e.g. violating items for recall, predicted-violating for precision."""


class BudgetCriterion(_Criterion):
    """A reliability figure (error or parse-failure rate, latency, cost) within a budget."""

    kind: Literal["budget"]
    """Criterion kind."""
    metric: ReliabilityName | str
    """Reliability figure, or a figure the enforcer reported for the run (`llm_…`)."""
    max: float | None = Field(default=None, ge=0.0)
    """Largest acceptable value."""
    min: float | None = Field(default=None, ge=0.0)
    """Smallest acceptable value (e.g. `llm_rerun_agreement`)."""
    use: Literal["point", "bound"] = "point"
    """For rates: the point estimate, or (stricter) the pessimistic Wilson bound."""

    @model_validator(mode="after")
    def _has_a_limit(self) -> BudgetCriterion:
        if self.max is None and self.min is None:
            raise ValueError("a budget needs `max`, `min` or both")
        return self


class ReviewLoadCriterion(_Criterion):
    """Reviewer capacity: a backfill's expected review load per day must fit within `max_per_day`.

    Checked against a launch-impact report (`modgate backfill … --gate FILE`); an eval run has
    no review load, so `evaluate_gates` leaves this criterion out.
    """

    kind: Literal["review_load"]
    """Criterion kind."""
    max_per_day: float = Field(gt=0.0)
    """Most items a day the candidate may send to review."""
    scope: Literal["total", "community"] = "total"
    """`total`: all communities together; `community`: each community on its own."""


class AttackSuccessCriterion(_Criterion):
    """Cap the attack success rate of one perturbation family (`modgate redteam run`).

    Read from the figures the red-team run reported with its clean eval run
    (`redteam_attack_success:<family>`); a run without them fails the criterion.
    """

    kind: Literal["attack_success"]
    """Criterion kind."""
    family: str
    """Perturbation family: `normalized`, `held_out`, `llm` or `all`."""
    max: float = Field(ge=0.0, le=1.0)
    """Largest acceptable share of caught violating items that an attack gets through."""
    use: Literal["point", "upper_bound"] = "point"
    """Check the point estimate, or (stricter) the Wilson upper bound."""


Criterion = Annotated[
    MinimumCriterion
    | MaximumCriterion
    | RegressionCriterion
    | BudgetCriterion
    | AttackSuccessCriterion
    | ReviewLoadCriterion,
    Field(discriminator="kind"),
]

_FigureCriterion = (
    MinimumCriterion
    | MaximumCriterion
    | RegressionCriterion
    | BudgetCriterion
    | AttackSuccessCriterion
)


class GateConfig(BaseModel):
    """A release gate file (`gates/NAME.yaml`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    """Gate name (default: the file stem)."""
    description: str | None = None
    """What the gate protects."""
    min_support: int = Field(default=30, ge=1)
    """Items a slice needs for its figures to count."""
    on_low_support: Literal["fail", "skip"] = "fail"
    """A slice whose figure rests on fewer than `min_support` items, or a named slice the run
    does not have: fail the criterion (default) or skip the slice."""
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    """The criteria; the gate is `go` only when every one passes."""


class SliceCheck(BaseModel):
    """One scope a criterion was checked on (overall, a slice)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str
    """`overall`, `band=remove` or `dimension=value`."""
    measured: float | None
    """Measured value (a delta for regressions)."""
    lower: float | None = None
    """Interval lower bound."""
    upper: float | None = None
    """Interval upper bound."""
    support: int | None = None
    """Items behind the value."""
    passed: bool | None
    """Pass, fail, or None when skipped."""
    note: str | None = None
    """Why it failed or was skipped."""


class GateResult(BaseModel):
    """The outcome of one criterion: measured value, interval, pass/fail and evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Criterion id."""
    kind: str
    """minimum, maximum, regression or budget."""
    requirement: str
    """The condition in words, e.g. `precision lower bound >= 0.85`."""
    passed: bool
    """Whether the criterion holds."""
    measured: float | None
    """The deciding value (worst scope)."""
    lower: float | None = None
    """Its interval's lower bound."""
    upper: float | None = None
    """Its interval's upper bound."""
    support: int | None = None
    """Items behind it."""
    evidence: str
    """Why it passed or failed."""
    checks: tuple[SliceCheck, ...] = ()
    """Every scope checked."""
    description: str | None = None
    """The criterion's description."""


def gate_file_hash(text: str) -> str:
    """sha256 of a gate file's text: what a readiness report is bound to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_gate_config(text: str, source: str = "<gate>") -> GateConfig:
    """Parse and validate a gate file, reporting every problem with `file:line:col`.

    Args:
        text: The file's text.
        source: File name for the messages.

    Returns:
        The validated gate config (its `name` defaults to the file stem).

    Raises:
        AuthoringError: Invalid YAML or invalid content (a `ValidationError`); one
            `file:line:col: field: message` line per problem.
    """
    document = compose_document(text, source=source, what="gate file")
    config: GateConfig | None = None
    if isinstance(document.data, dict):
        config = validate(document, GateConfig)
    else:
        document.add((), "a gate file must be a mapping with `criteria:`")
    document.raise_for_problems(
        "gate file", hint="see docs/gates.md for the criteria kinds and their fields"
    )
    assert config is not None
    if config.name is None:
        stem = source.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
        config = config.model_copy(update={"name": stem})
    return config


def _criterion_id(criterion: _FigureCriterion) -> str:
    if criterion.id:
        return criterion.id
    if isinstance(criterion, AttackSuccessCriterion):
        return f"attack_success:{criterion.family}"
    parts = [criterion.kind, criterion.metric]
    if isinstance(criterion, MinimumCriterion | MaximumCriterion):
        if criterion.band:
            parts.append(f"band={criterion.band}")
        parts.extend(criterion.slices)
    if not isinstance(criterion, BudgetCriterion) and criterion.per:
        parts.append(f"per {criterion.per}")
    return ":".join(parts)


def _group(figures: EvalFigures, scope: str) -> GroupFigures | None:
    if scope == "overall":
        return figures.overall
    pool = figures.bands if scope.startswith("band=") else figures.slices
    return next((g for g in pool if g.name == scope), None)


def _bound_check(
    criterion: MinimumCriterion | MaximumCriterion,
    scope: str,
    group: GroupFigures | None,
    config: GateConfig,
) -> SliceCheck:
    if group is None:
        skip = config.on_low_support == "skip"
        return SliceCheck(
            scope=scope, measured=None, passed=None if skip else False, note="not in this run"
        )
    metric: MetricValue = group.metric(criterion.metric)
    if metric.value is None:
        return SliceCheck(
            scope=scope, measured=None, support=metric.support, passed=False,
            note=f"undefined: {metric.note}",
        )  # fmt: skip
    if scope != "overall" and metric.support < config.min_support:
        skip = config.on_low_support == "skip"
        return SliceCheck(
            scope=scope, measured=metric.value, lower=metric.lower, upper=metric.upper,
            support=metric.support, passed=None if skip else False,
            note=f"only {metric.support} items (< {config.min_support})",
        )  # fmt: skip
    minimum = isinstance(criterion, MinimumCriterion)
    label = criterion.metric if criterion.use == "point" else criterion.use.replace("_", " ")
    if isinstance(criterion, MinimumCriterion):
        deciding = metric.lower if criterion.use == "lower_bound" else metric.value
        ok = deciding is not None and deciding >= criterion.value
    else:
        deciding = metric.upper if criterion.use == "upper_bound" else metric.value
        ok = deciding is not None and deciding <= criterion.value
    return SliceCheck(
        scope=scope,
        measured=metric.value,
        lower=metric.lower,
        upper=metric.upper,
        support=metric.support,
        passed=ok,
        note=None
        if ok
        else f"{label} {_fmt(deciding)} {'<' if minimum else '>'} {criterion.value:g}",
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _summarize(
    criterion: _FigureCriterion,
    requirement: str,
    checks: list[SliceCheck],
    worst: SliceCheck | None,
) -> GateResult:
    failed = [c for c in checks if c.passed is False]
    passed = not failed and any(c.passed for c in checks)
    if failed:
        evidence = "; ".join(f"{c.scope}: {c.note or _fmt(c.measured)}" for c in failed[:5])
        if len(failed) > 5:
            evidence += f"; and {len(failed) - 5} more"
    elif not checks or all(c.passed is None for c in checks):
        evidence = "nothing could be checked: " + "; ".join(f"{c.scope}: {c.note}" for c in checks)
    else:
        evidence = f"{sum(bool(c.passed) for c in checks)} scope(s) pass"
        skipped = [c for c in checks if c.passed is None]
        if skipped:
            evidence += f", {len(skipped)} skipped for low support"
    deciding = worst or (failed[0] if failed else (checks[0] if checks else None))
    return GateResult(
        id=_criterion_id(criterion),
        kind=criterion.kind,
        requirement=requirement,
        passed=passed,
        measured=deciding.measured if deciding else None,
        lower=deciding.lower if deciding else None,
        upper=deciding.upper if deciding else None,
        support=deciding.support if deciding else None,
        evidence=evidence,
        checks=tuple(checks),
        description=criterion.description,
    )


def _worst(checks: list[SliceCheck], higher_is_better: bool) -> SliceCheck | None:
    measured = [c for c in checks if c.measured is not None and c.passed is not None]
    if not measured:
        return None
    key = (lambda c: c.measured) if higher_is_better else (lambda c: -(c.measured or 0.0))
    return min(measured, key=key)


def _evaluate_bound(
    criterion: MinimumCriterion | MaximumCriterion, figures: EvalFigures, config: GateConfig
) -> GateResult:
    base = f"band={criterion.band}" if criterion.band else "overall"
    scopes = list(criterion.slices) or [base]
    if criterion.per:
        per_slices = [g.name for g in figures.slices if g.dimension == criterion.per]
        scopes += [name for name in per_slices if name not in scopes]
    checks = [_bound_check(criterion, s, _group(figures, s), config) for s in scopes]
    if criterion.per and not any(c.scope.startswith(f"{criterion.per}=") for c in checks):
        checks.append(
            SliceCheck(
                scope=f"{criterion.per}=*",
                measured=None,
                passed=None if config.on_low_support == "skip" else False,
                note=f"no {criterion.per} slice in this run",
            )  # fmt: skip
        )
    op = ">=" if isinstance(criterion, MinimumCriterion) else "<="
    what = criterion.use.replace("_", " ") if criterion.use != "point" else ""
    where = f" on {', '.join(criterion.slices)}" if criterion.slices else f" ({base})"
    if criterion.per:
        where += f", and per {criterion.per}"
    requirement = f"{criterion.metric}{' ' + what if what else ''} {op} {criterion.value:g}{where}"
    worst = _worst(checks, isinstance(criterion, MinimumCriterion))
    return _summarize(criterion, requirement, checks, worst)


def _evaluate_regression(
    criterion: RegressionCriterion,
    comparison: ComparisonReport | None,
    config: GateConfig,
) -> GateResult:
    better_up = HIGHER_IS_BETTER[criterion.metric]
    word = "drop" if better_up else "rise"
    requirement = f"{criterion.metric} {word} vs baseline <= {criterion.max_drop:g}"
    if criterion.per:
        requirement += f", overall and per {criterion.per}"
    if comparison is None:
        missing = SliceCheck(
            scope="overall", measured=None, passed=False, note="no baseline run given"
        )
        return _summarize(criterion, requirement, [missing], None)
    min_support = criterion.min_support or config.min_support

    def check(scope: str, delta: DeltaValue, support: int | None) -> SliceCheck:
        if delta.delta is None:
            return SliceCheck(
                scope=scope, measured=None, support=support, passed=None,
                note="undefined in one of the runs",
            )  # fmt: skip
        if criterion.use == "bound":
            pessimistic = delta.lower if better_up else delta.upper
            value = delta.delta if pessimistic is None else pessimistic
        else:
            value = delta.delta
        worsening = -value if better_up else value
        ok = worsening <= criterion.max_drop + 1e-12
        return SliceCheck(
            scope=scope, measured=delta.delta, lower=delta.lower, upper=delta.upper,
            support=support, passed=ok,
            note=None if ok else f"{word} of {_fmt(worsening)}",
        )  # fmt: skip

    checks = [check("overall", comparison.delta(criterion.metric), comparison.n_items)]
    if criterion.per:
        prefix = f"{criterion.per}="
        for row in comparison.slices:
            if not row.name.startswith(prefix):
                continue
            delta = next(d for d in row.deltas if d.name == criterion.metric)
            support = delta.support if delta.support is not None else row.n
            if support < min_support:
                checks.append(
                    SliceCheck(
                        scope=row.name,
                        measured=delta.delta,
                        support=support,
                        passed=None,
                        note=f"{criterion.metric} rests on {support} items (< {min_support})",
                    )  # fmt: skip
                )
                continue
            checks.append(check(row.name, delta, support))
    worst = _worst(checks, better_up)
    return _summarize(criterion, requirement, checks, worst)


def _evaluate_budget(criterion: BudgetCriterion, figures: EvalFigures) -> GateResult:
    reliability = figures.reliability
    limits = []
    if criterion.min is not None:
        limits.append(f">= {criterion.min:g}")
    if criterion.max is not None:
        limits.append(f"<= {criterion.max:g}")
    bound = " pessimistic bound" if criterion.use == "bound" else ""
    requirement = f"{criterion.metric}{bound} {' and '.join(limits)}"
    lower = upper = None
    support: int | None = reliability.n_items
    if criterion.metric in ("error_rate", "parse_failure_rate"):
        rate = getattr(reliability, criterion.metric)
        measured, lower, upper = rate.value, rate.lower, rate.upper
    else:
        measured = reliability.figure(criterion.metric)
    if measured is None:
        check = SliceCheck(
            scope="overall", measured=None, passed=False,
            note=f"{criterion.metric} was not measured in this run",
        )  # fmt: skip
        return _summarize(criterion, requirement, [check], check)
    strict = criterion.use == "bound"
    high = upper if strict and upper is not None else measured
    low = lower if strict and lower is not None else measured
    problems = []
    if criterion.max is not None and high > criterion.max:
        problems.append(f"{_fmt(high)} > {criterion.max:g}")
    if criterion.min is not None and low < criterion.min:
        problems.append(f"{_fmt(low)} < {criterion.min:g}")
    check = SliceCheck(
        scope="overall", measured=measured, lower=lower, upper=upper, support=support,
        passed=not problems, note="; ".join(problems) or None,
    )  # fmt: skip
    return _summarize(criterion, requirement, [check], check)


def _evaluate_attack_success(criterion: AttackSuccessCriterion, figures: EvalFigures) -> GateResult:
    reported = figures.reliability.reported
    name = f"redteam_attack_success:{criterion.family}"
    bound = " upper bound" if criterion.use == "upper_bound" else ""
    requirement = f"attack success ({criterion.family}){bound} <= {criterion.max:g}"
    measured = reported.get(name)
    if measured is None:
        check = SliceCheck(
            scope="overall", measured=None, passed=False,
            note=f"no red-team figures for family {criterion.family!r} in this run "
            "(`modgate redteam run` stores them with its eval run)",
        )  # fmt: skip
        return _summarize(criterion, requirement, [check], check)
    lower, upper = reported.get(f"{name}:lower"), reported.get(f"{name}:upper")
    n = reported.get(f"{name}:n")
    deciding = upper if criterion.use == "upper_bound" and upper is not None else measured
    ok = deciding <= criterion.max + 1e-12
    check = SliceCheck(
        scope=f"family={criterion.family}", measured=measured, lower=lower, upper=upper,
        support=None if n is None else int(n), passed=ok,
        note=None if ok else f"{_fmt(deciding)} > {criterion.max:g}",
    )  # fmt: skip
    return _summarize(criterion, requirement, [check], check)


def evaluate_gates(
    config: GateConfig,
    figures: EvalFigures,
    *,
    comparison: ComparisonReport | None = None,
) -> tuple[GateResult, ...]:
    """Check every criterion of a gate against a run's figures.

    Args:
        config: The gate.
        figures: The candidate run's figures.
        comparison: The candidate compared with the baseline run (needed by regression
            criteria; without it they fail with "no baseline run").

    Returns:
        One result per criterion, in the file's order (review-load criteria excepted).
    """
    results: list[GateResult] = []
    for criterion in config.criteria:
        if isinstance(criterion, ReviewLoadCriterion):
            continue  # checked on a backfill's launch impact (evaluate_review_load)
        if isinstance(criterion, MinimumCriterion | MaximumCriterion):
            results.append(_evaluate_bound(criterion, figures, config))
        elif isinstance(criterion, RegressionCriterion):
            results.append(_evaluate_regression(criterion, comparison, config))
        elif isinstance(criterion, AttackSuccessCriterion):
            results.append(_evaluate_attack_success(criterion, figures))
        else:
            results.append(_evaluate_budget(criterion, figures))
    return tuple(results)


def evaluate_review_load(
    config: GateConfig, review_per_day: Mapping[str, float]
) -> tuple[GateResult, ...]:
    """Check a gate's review-load criteria against a backfill's review load per day.

    Args:
        config: The gate.
        review_per_day: Expected review items per day by community (from a launch-impact
            report over a window of known length).

    Returns:
        One result per review-load criterion, in the file's order (empty if it has none).
    """
    results: list[GateResult] = []
    for criterion in config.criteria:
        if not isinstance(criterion, ReviewLoadCriterion):
            continue
        limit = criterion.max_per_day
        if criterion.scope == "total":
            loads = {"overall": sum(review_per_day.values())}
        else:
            loads = {f"community={c or '(none)'}": v for c, v in sorted(review_per_day.items())}
        checks = [
            SliceCheck(
                scope=scope,
                measured=value,
                passed=value <= limit,
                note=None if value <= limit else f"{value:.1f}/day > {limit:g}/day",
            )  # fmt: skip
            for scope, value in loads.items()
        ]
        worst = max(checks, key=lambda c: c.measured or 0.0, default=None)
        requirement = f"review load ({criterion.scope}) <= {limit:g} items/day"
        failed = [c for c in checks if not c.passed]
        results.append(
            GateResult(
                id=criterion.id or f"review_load_{criterion.scope}",
                kind="review_load",
                requirement=requirement,
                passed=not failed,
                measured=worst.measured if worst is not None else 0.0,
                evidence=(
                    f"{len(failed)} of {len(checks)} over capacity: "
                    + "; ".join(f"{c.scope} {c.note}" for c in failed[:5])
                    if failed
                    else f"highest {worst.measured if worst else 0.0:.1f}/day within capacity"
                ),
                checks=tuple(checks),
                description=criterion.description,
            )
        )
    return tuple(results)


def needs_baseline(config: GateConfig) -> bool:
    """Whether any criterion compares with a baseline run."""
    return any(isinstance(c, RegressionCriterion) for c in config.criteria)


__all__ = [
    "AttackSuccessCriterion",
    "BudgetCriterion",
    "Criterion",
    "GateConfig",
    "GateResult",
    "MaximumCriterion",
    "MinimumCriterion",
    "RegressionCriterion",
    "ReviewLoadCriterion",
    "SliceCheck",
    "evaluate_gates",
    "evaluate_review_load",
    "gate_file_hash",
    "load_gate_config",
    "needs_baseline",
]
