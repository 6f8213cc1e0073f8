"""Reliability figures of a run: error and parse-failure rates, latency, cost. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from modgate.evaluate._intervals import wilson_interval
from modgate.evaluate._records import RateValue, ReliabilityFigures

_PARSE_FAILURE = re.compile(
    r"^llm reply |pars|malformed|schema|json|empty (reply|content|response)", re.I
)


def is_parse_failure(error: str | None) -> bool:
    """Whether a verdict's error says the enforcer's reply could not be parsed.

    The LLM judge writes `llm reply <kind>: …` for a reply that gave no judgement (malformed,
    out of schema, refusal, truncated, empty…) and `llm call <kind>: …` for a call that got no
    reply; other enforcers' errors count as parse failures when they mention parsing,
    `malformed`, `schema`, `JSON` or an empty reply. Timeouts and HTTP errors are not.
    """
    return error is not None and _PARSE_FAILURE.search(error) is not None


def _rate(count: int, total: int, confidence: float) -> RateValue:
    lower, upper = wilson_interval([count], [total], confidence)
    return RateValue(
        count=count,
        total=total,
        value=count / total if total else None,
        lower=None if np.isnan(lower[0]) else float(lower[0]),
        upper=None if np.isnan(upper[0]) else float(upper[0]),
    )


def latency_basis(
    latency_ms: npt.NDArray[np.float64],
) -> Literal["per_item", "batch", "not_measured"]:
    """Whether latencies are per item, copies of batch means, or not measured.

    Timed one by one, two verdicts practically never take the very same float milliseconds;
    an enforcer that times a whole batch and gives each verdict the batch mean makes whole
    runs of identical values. So: no (or only zero) latencies → `not_measured`; at least half
    of the items sharing their exact latency with another item → `batch`; else `per_item`.
    """
    if latency_ms.size == 0 or not np.any(latency_ms > 0):
        return "not_measured"
    if latency_ms.size < 2:
        return "per_item"
    _, counts = np.unique(latency_ms, return_counts=True)
    shared = int(counts[counts > 1].sum())
    return "batch" if shared * 2 >= latency_ms.size else "per_item"


def compute_reliability(
    errors: Sequence[str | None],
    latency_ms: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    *,
    confidence: float = 0.95,
    reported: Mapping[str, float] | None = None,
) -> ReliabilityFigures:
    """Reliability figures from per-item errors, latencies and costs.

    Args:
        errors: Error of each verdict (None: no error).
        latency_ms: Latency of each verdict.
        cost: Cost of each verdict.
        confidence: Confidence level of the rate intervals.
        reported: Figures the enforcer reported for the run, kept as they are.
    """
    n = len(errors)
    failed = sum(e is not None for e in errors)
    parse = sum(is_parse_failure(e) for e in errors)
    basis = latency_basis(latency_ms)
    has_latency = basis != "not_measured"
    p50, p95, p99 = (
        (float(v) for v in np.percentile(latency_ms, [50, 95, 99]))
        if basis == "per_item"
        else (None, None, None)
    )
    return ReliabilityFigures(
        n_items=n,
        error_rate=_rate(failed, n, confidence),
        parse_failure_rate=_rate(parse, n, confidence),
        latency_basis=basis,
        latency_ms_mean=float(latency_ms.mean()) if has_latency else None,
        latency_ms_p50=p50,
        latency_ms_p95=p95,
        latency_ms_p99=p99,
        cost_total=float(cost.sum()) if cost.size else 0.0,
        cost_per_item=float(cost.mean()) if cost.size else None,
        reported=dict(reported or {}),
    )


__all__ = [
    "RateValue",
    "ReliabilityFigures",
    "compute_reliability",
    "is_parse_failure",
    "latency_basis",
]
