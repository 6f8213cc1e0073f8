"""Prometheus series of the service and the worker, on a registry of their own (no globals)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from modgate.domain import Decision

_LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServeMetrics:
    """Every series `/metrics` exposes (names listed in docs/serve.md)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "modgate_http_requests_total", "HTTP requests by route, method and status.",
            ["route", "method", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "modgate_http_request_seconds", "HTTP request latency by route.", ["route"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.items = Counter(
            "modgate_items_decided_total", "Items decided (service and worker).", registry=r
        )
        self.actions = Counter(
            "modgate_policy_actions_total", "Per-policy actions by policy, arm and action.",
            ["policy", "arm", "action"], registry=r,
        )  # fmt: skip
        self.final_actions = Counter(
            "modgate_final_actions_total", "Final actions of decisions.", ["action"], registry=r
        )
        self.errors = Counter(
            "modgate_errors_total", "Errors by kind (enforcer, commit, shadow, internal).",
            ["kind"], registry=r,
        )  # fmt: skip
        self.enforcer_errors = Counter(
            "modgate_enforcer_errors_total", "Verdicts with an error (decided review).",
            ["policy"], registry=r,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "modgate_commit_seconds", "Decide + group commit of one batch.",
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.commit_items = Histogram(
            "modgate_commit_batch_items", "Items per group commit.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), registry=r,
        )  # fmt: skip
        self.shadow_depth = Gauge(
            "modgate_shadow_queue_depth", "Items waiting for shadow enforcers.", registry=r
        )
        self.shadow_dropped = Counter(
            "modgate_shadow_dropped_total", "Items whose shadow work was dropped (queue full).",
            registry=r,
        )  # fmt: skip
        self.shadow_done = Counter(
            "modgate_shadow_items_total", "Items judged by shadow enforcers.", registry=r
        )
        self.llm_calls = Counter(
            "modgate_llm_items_total", "Items sent to LLM-backed enforcers.", ["enforcer"],
            registry=r,
        )  # fmt: skip
        self.llm_timeouts = Counter(
            "modgate_llm_timeouts_total", "Items whose LLM judge missed the time budget (review).",
            ["enforcer"], registry=r,
        )  # fmt: skip
        self.llm_cost = Counter(
            "modgate_llm_cost_total", "Cost reported by LLM-backed enforcers.", ["enforcer"],
            registry=r,
        )  # fmt: skip
        self.deployment_switches = Counter(
            "modgate_deployment_switches_total", "Deployment changes picked up live.", registry=r
        )

    def count_decision(self, decision: Decision) -> None:
        """Count one decision: items, final action, each policy's action by arm, errors."""
        self.count_decisions([decision])

    def count_decisions(self, decisions: Iterable[Decision]) -> None:
        """Count decisions as `count_decision` does, one increment per series and batch."""
        finals: Tally[str] = Tally()
        actions: Tally[tuple[str, str, str]] = Tally()
        errors: Tally[str] = Tally()
        n = 0
        for decision in decisions:
            n += 1
            finals[decision.action.value] += 1
            arms = {a.policy: a.arm for a in decision.deployments}
            for reason in decision.reasons:
                pid = reason.policy.split("@", 1)[0]
                actions[(pid, arms.get(pid, "none"), reason.action.value)] += 1
                if reason.error is not None:
                    errors[pid] += 1
        if not n:
            return
        self.items.inc(n)
        for action, count in finals.items():
            self.final_actions.labels(action).inc(count)
        for labels, count in actions.items():
            self.actions.labels(*labels).inc(count)
        for pid, count in errors.items():
            self.enforcer_errors.labels(pid).inc(count)


__all__ = ["ServeMetrics"]
