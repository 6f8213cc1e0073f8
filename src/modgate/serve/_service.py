"""The moderation engine behind the HTTP routes: live deployments, group commit, shadow queue.

Durability choice: **the response waits for the group commit.** Requests put their items on
one queue; a committer thread takes what is waiting (up to `commit_batch_items`), decides it
under the current deployments and stores every decision in one transaction, then answers each
request. A response is therefore only sent for decisions already committed (SQLite in WAL mode
and PostgreSQL both keep a committed transaction through a kill -9 of the process), and under
load many requests share one commit.

Shadow enforcers are taken off the request path: the live path decides under a snapshot
without shadows, and each decided item is offered to a bounded queue that a shadow thread
drains (its verdicts stored like any other); a full queue drops the item's shadow work and
counts it.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from modgate.domain import Decision, Item
from modgate.enforce import list_decisions
from modgate.registry import Registry
from modgate.release import (
    DeploymentSnapshot,
    EnforcerPool,
    decide_with_deployments,
    load_deployment_snapshot,
    refresh_snapshot,
)
from modgate.serve._budget import BudgetedPool
from modgate.serve._gc import freeze_loaded_objects
from modgate.serve._metrics import ServeMetrics
from modgate.serve._shadow import ShadowQueue
from modgate.store import Store

log = logging.getLogger("modgate.serve")


def live_snapshot(snapshot: DeploymentSnapshot) -> DeploymentSnapshot:
    """The snapshot the request path decides under: the same deployments without shadows."""
    deployments = {
        policy: d.model_copy(update={"state": d.state.model_copy(update={"shadow": ()})})
        for policy, d in snapshot.deployments.items()
    }
    return snapshot.model_copy(update={"deployments": deployments})


def acting_refs(snapshot: DeploymentSnapshot) -> list[str]:
    """Enforcers that may act (active and canary) under a snapshot."""
    refs: set[str] = set()
    for deployment in snapshot.deployments.values():
        if deployment.state.active is not None:
            refs.add(deployment.state.active.enforcer)
        if deployment.state.canary is not None:
            refs.add(deployment.state.canary.enforcer)
    return sorted(refs)


@dataclass
class _Job:
    items: list[Item]
    decision_ids: dict[str, str]
    future: Future[list[Decision]] = field(default_factory=Future)
    waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[list[Decision]]] | None = None
    """Set for a job from an event loop: resolved there, with the rest of its group commit."""


def _settle(
    outcomes: list[tuple[asyncio.Future[list[Decision]], list[Decision] | BaseException]],
) -> None:
    for waiter, outcome in outcomes:
        if waiter.done():  # the request went away (cancelled)
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


def _resolve(jobs: list[_Job], outcomes: list[list[Decision] | BaseException]) -> None:
    """Answer each job of a group commit.

    Jobs from an event loop are answered with one call into their loop for the whole group
    commit, not one wake-up of the loop per request.
    """
    by_loop: dict[
        asyncio.AbstractEventLoop,
        list[tuple[asyncio.Future[list[Decision]], list[Decision] | BaseException]],
    ] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if job.waiter is not None:
            by_loop.setdefault(job.waiter[0], []).append((job.waiter[1], outcome))
        elif job.future.done():
            continue
        elif isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # that loop is closed: nobody waits any more
            log.warning("%d answers for a closed event loop dropped", len(settled))


class ModerationService:
    """Decides items under the deployments current in the store, kept fresh in the background.

    Args:
        store: The store (decision log, catalog, deployments).
        workspace: Workspace root.
        metrics: Where to count.
        refresh_seconds: Deployment check interval.
        commit_batch_items: Most items per group commit.
        shadow_queue_size: Bound of the shadow queue.
        llm_budget_ms: Per-request time budget of LLM-backed enforcers.
        registry: Enforcer kinds (default: installed plugins).
    """

    def __init__(
        self,
        store: Store,
        workspace: object,
        metrics: ServeMetrics,
        *,
        refresh_seconds: float = 1.0,
        commit_batch_items: int = 512,
        shadow_queue_size: int = 10_000,
        llm_budget_ms: int = 2_000,
        registry: Registry | None = None,
    ) -> None:
        from pathlib import Path

        self.store = store
        self.metrics = metrics
        self.pool: EnforcerPool = BudgetedPool(
            store, Path(str(workspace)), registry, budget_seconds=llm_budget_ms / 1000,
            metrics=metrics,
        )  # fmt: skip
        self._refresh_seconds = refresh_seconds
        self._commit_batch = commit_batch_items
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loaded: set[str] = set()
        self._load_errors: dict[str, str] = {}
        self.snapshot = load_deployment_snapshot(store)
        self._live = live_snapshot(self.snapshot)
        self.shadow = ShadowQueue(
            store, self.pool, metrics, lambda: self.snapshot, shadow_queue_size,
            judge=lambda items: self._judge_shadow(items),
        )  # fmt: skip

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the committer, shadow and refresh threads and load the deployed enforcers."""
        for target, name in (
            (self._commit_loop, "modgate-commit"),
            (self._refresh_loop, "modgate-refresh"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.shadow.start()
        threading.Thread(
            target=self._preload, args=(self.snapshot,), name="modgate-load", daemon=True
        ).start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish queued requests, then stop the threads."""
        self._stop.set()
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self.shadow.stop(timeout)

    # readiness -------------------------------------------------------------------------------
    def missing_enforcers(self) -> list[str]:
        """Active or canary enforcers of the current deployments not loaded yet."""
        return [r for r in acting_refs(self.snapshot) if r not in self._loaded]

    def _preload(self, snapshot: DeploymentSnapshot) -> None:
        refs = acting_refs(snapshot) + sorted(
            {s.enforcer for d in snapshot.deployments.values() for s in d.state.shadow}
        )
        fresh = [r for r in refs if r not in self._loaded]
        for ref in refs:
            try:
                self.pool.get(ref)
            except Exception as exc:  # a broken artifact keeps the service unready, not down
                self._load_errors[ref] = f"{type(exc).__name__}: {exc}"
                self.metrics.errors.labels("load").inc()
                log.error("enforcer %s failed to load: %s", ref, exc)
            else:
                self._loaded.add(ref)
        # what was just loaded lives as long as the service: out of the GC's full passes (no
        # collection first: it would stall the requests of a running service for its length)
        if fresh:
            freeze_loaded_objects(collect=False)

    # live deployments ------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Reload the deployments if they changed; True when they did (the switch is logged)."""
        fresh = refresh_snapshot(self.store, self.snapshot)
        if fresh is self.snapshot:
            return False
        self._preload(fresh)
        before, after = self.snapshot.deployment_ids, fresh.deployment_ids
        self.snapshot, self._live = fresh, live_snapshot(fresh)
        self.metrics.deployment_switches.inc()
        log.warning("deployments switched: %s -> %s", ",".join(before), ",".join(after))
        return True

    def _refresh_loop(self) -> None:
        while not self._stop.wait(self._refresh_seconds):
            try:
                self.refresh()
            except Exception as exc:
                self.metrics.errors.labels("refresh").inc()
                log.error("deployment refresh failed: %s", exc)

    # the request path ------------------------------------------------------------------------
    def moderate(self, items: Sequence[Item], decision_ids: Mapping[str, str]) -> list[Decision]:
        """Decide items (blocking until their decisions are committed), in order.

        Args:
            items: Items to decide.
            decision_ids: Client-supplied idempotency keys by item id; an id already stored
                returns the stored decision.

        Returns:
            One decision per item, in the order given.
        """
        return self.submit(items, decision_ids).result()

    def submit(
        self, items: Sequence[Item], decision_ids: Mapping[str, str]
    ) -> Future[list[Decision]]:
        """Queue items for the next group commit without blocking (for an event loop).

        Returns:
            A future resolved with one decision per item, in order, once they are committed.
        """
        job = _Job(list(items), dict(decision_ids))
        self._jobs.put(job)
        return job.future

    def submit_async(
        self, items: Sequence[Item], decision_ids: Mapping[str, str]
    ) -> asyncio.Future[list[Decision]]:
        """Queue items for the next group commit from a running event loop.

        Returns:
            An asyncio future of that loop, resolved with one decision per item, in order,
            once they are committed (the whole group commit's futures in one loop callback).
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[list[Decision]] = loop.create_future()
        self._jobs.put(_Job(list(items), dict(decision_ids), waiter=(loop, waiter)))
        return waiter

    def get_decision(self, decision_id: str) -> Decision | None:
        """A stored decision by id."""
        found = list_decisions(self.store, decision_ids=[decision_id])
        return found[0] if found else None

    def _take_batch(self, first: _Job) -> list[_Job]:
        jobs, size = [first], len(first.items)
        while size < self._commit_batch:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._jobs.put(None)
                break
            jobs.append(job)
            size += len(job.items)
        return jobs

    def _commit_loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            jobs = self._take_batch(first)
            try:
                self._decide_jobs(jobs)
            except Exception as exc:
                self.metrics.errors.labels("commit").inc()
                log.error("deciding a batch of %d requests failed: %s", len(jobs), exc)
                _resolve(jobs, [exc] * len(jobs))

    def _decide_jobs(self, jobs: list[_Job]) -> None:
        keyed = [k for job in jobs for k in job.decision_ids.values()]
        stored = (
            {d.decision_id: d for d in list_decisions(self.store, decision_ids=keyed)}
            if keyed
            else {}
        )
        # rounds in which no item id repeats: one decision per distinct item per call
        rounds: list[list[tuple[_Job, int, Item]]] = []
        in_round: list[set[str]] = []
        for job in jobs:
            for index, item in enumerate(job.items):
                if job.decision_ids.get(item.id) in stored:
                    continue
                for slot, taken in zip(rounds, in_round, strict=True):
                    if item.id not in taken:
                        slot.append((job, index, item))
                        taken.add(item.id)
                        break
                else:
                    rounds.append([(job, index, item)])
                    in_round.append({item.id})
        made: dict[tuple[int, int], Decision] = {}
        with self.metrics.commit_seconds.time():
            live = self._live
            for slot in rounds:
                ids = {item.id: job.decision_ids[item.id] for job, _, item in slot
                       if item.id in job.decision_ids}  # fmt: skip
                decided = decide_with_deployments(
                    self.store, live, [item for _, _, item in slot], enforcers=self.pool,
                    decision_ids=ids,
                )  # fmt: skip
                self.metrics.commit_items.observe(len(slot))
                for (job, index, _), decision in zip(slot, decided, strict=True):
                    made[(id(job), index)] = decision
        fresh: list[Item] = []
        answers: list[list[Decision] | BaseException] = []
        for job in jobs:
            out: list[Decision] = []
            for index, item in enumerate(job.items):
                key = job.decision_ids.get(item.id)
                if key in stored:
                    out.append(stored[key])
                    continue
                decision = made[(id(job), index)]
                out.append(decision)
                fresh.append(item)
            answers.append(out)
        self.metrics.count_decisions(made.values())  # counted before anyone is answered
        _resolve(jobs, answers)
        self.shadow.offer(fresh)

    # shadow ----------------------------------------------------------------------------------
    def _judge_shadow(self, items: list[Item]) -> None:
        self.shadow.judge(items)  # a seam for tests (a deliberately slow shadow)


__all__ = ["ModerationService", "acting_refs", "live_snapshot"]
