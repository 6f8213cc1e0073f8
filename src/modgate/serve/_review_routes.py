"""HTTP routes of the review queue, appeals and statements of reasons (`modgate.review`).

Built by `review_router(require)` and included by `create_app`; the reviewer is the API key
(`key:<id>`), so a request cannot act as someone else. Errors use the service's one envelope.
"""

# No `from __future__ import annotations`: the routes' dependency aliases are local to
# `review_router`, and FastAPI must see them as objects, not strings.

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import ConflictError, ModgateError, NotFoundError, ValidationError
from modgate.review import (
    Appeal,
    QueueKey,
    QueueSummary,
    ReviewDecision,
    ReviewTask,
    VerdictView,
    claim_next,
    decide,
    decide_appeal,
    list_appeals,
    list_queues,
    list_tasks,
    mask_text,
    open_appeal,
    record_reveal,
    review_config,
    review_context,
    statement_of_reasons,
    sync_from_decisions,
    undo_last,
)
from modgate.serve._errors import ApiError
from modgate.serve._schemas import ErrorResponse
from modgate.store import Store

Require = Callable[[Any], Callable[..., Awaitable[str]]]
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (401, "No API key, or an unknown or revoked one."),
        (403, "The key lacks the scope this route needs."),
        (404, "No such task, appeal or decision."),
        (409, "Not claimed by this key, already decided, or the first reviewer of an appeal."),
        (422, "The request does not match the schema, or a value is refused (message names it)."),
    )
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QueuesResponse(_Model):
    """Queues with undecided tasks."""

    queues: list[QueueSummary]
    """One row per policy × community."""


class TasksResponse(_Model):
    """Tasks, highest priority then oldest first."""

    tasks: list[ReviewTask]
    """The tasks."""


class ClaimRequest(_Model):
    """Which queues to claim from."""

    queues: list[QueueKey] | None = Field(default=None, max_length=200)
    """Only these queues (default: all)."""
    claim_timeout_s: int | None = Field(default=None, ge=10, le=86_400)
    """Claim timeout (default: the review config's)."""


class ClaimResponse(_Model):
    """The claimed task, or null when there is nothing to review."""

    task: ReviewTask | None
    """The task."""


class TaskContextResponse(_Model):
    """A task as the reviewer sees it: text masked unless revealed."""

    task: ReviewTask
    """The task."""
    text: str
    """Title and body; sensitive spans masked (█) unless `reveal=true`."""
    masked: bool
    """Whether `text` is masked."""
    sensitive_spans: list[tuple[int, int]]
    """Spans of `text` that are sensitive."""
    community: str | None
    """Community of the item."""
    kind: str
    """post, comment, message or other."""
    author: dict[str, Any] | None
    """Author signals at posting time."""
    parent_text: str | None
    """Text of the parent item."""
    verdicts: list[VerdictView]
    """Every enforcer's verdict."""
    policy_title: str
    """The policy's title."""
    policy_definition: str
    """Its definition."""
    criteria: list[tuple[str, str]]
    """(id, text) of what violates it."""
    allowed: list[tuple[str, str]]
    """(id, text) of allowed contexts."""
    first_review: ReviewDecision | None
    """For an appeal: the appealed review."""


class DecisionRequest(_Model):
    """A reviewer's decision."""

    label: Literal["violating", "non_violating"]
    """violating (remove) or non_violating (allow)."""
    criteria: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=50
    )
    """Criteria ids of the policy that apply."""
    note: str | None = Field(default=None, max_length=10_000)
    """Why."""


class UndoResponse(_Model):
    """The reopened task (claimed by the key again), or null."""

    task: ReviewTask | None
    """The task."""


class AppealRequest(_Model):
    """An appeal against a removal."""

    decision_id: str = Field(min_length=1, max_length=256)
    """The removal's decision id."""
    statement: str = Field(min_length=1, max_length=10_000)
    """Why the removal is wrong."""
    appellant: str | None = Field(default=None, max_length=256)
    """Who appeals (e.g. the author's id)."""


class AppealsResponse(_Model):
    """Appeals, newest first."""

    appeals: list[Appeal]
    """The appeals."""


class AppealDecisionRequest(_Model):
    """The outcome of an appeal."""

    outcome: Literal["upheld", "overturned"]
    """upheld (the removal stands) or overturned (restored)."""
    note: str | None = Field(default=None, max_length=10_000)
    """Why."""


class SyncResponse(_Model):
    """What a sync queued."""

    created: int
    """Tasks created."""


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from exc
    except ConflictError as exc:
        raise ApiError(409, str(exc)) from exc
    except ValidationError as exc:
        raise ApiError(422, str(exc)) from exc
    except ModgateError as exc:
        raise ApiError(422, str(exc)) from exc


def _store(request: Request) -> Store:
    state = getattr(request.app.state, "modgate", None)
    store = getattr(state, "store", None)
    if not isinstance(store, Store):
        raise ApiError(503, "the service is starting")
    return store


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    def run() -> Any:
        with _translated():
            return fn(*args, **kwargs)

    return await run_in_threadpool(run)


def review_router(require: Require) -> APIRouter:
    """The review routes, guarded by the app's key dependency (`require(scope)`)."""
    router = APIRouter(prefix="/v1", responses=_ERRORS)
    StoreDep = Annotated[Store, Depends(_store)]
    ReadKey = Annotated[str, Depends(require("read"))]
    ModerateKey = Annotated[str, Depends(require("moderate"))]
    ReviewKey = Annotated[str, Depends(require("review"))]
    AdminKey = Annotated[str, Depends(require("admin"))]

    def reviewer(key_id: str) -> str:
        return f"key:{key_id}"

    @router.get("/review/queues", response_model=QueuesResponse, summary="Review queues.")
    async def queues(store: StoreDep, _key: ReadKey) -> QueuesResponse:
        return QueuesResponse(queues=await _call(list_queues, store))

    @router.get("/review/tasks", response_model=TasksResponse, summary="Tasks of a queue.")
    async def tasks(
        store: StoreDep,
        _key: ReadKey,
        policy: Annotated[str | None, Query(max_length=256)] = None,
        community: Annotated[str | None, Query(max_length=256)] = None,
        status: Literal["open", "claimed", "decided"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> TasksResponse:
        queue = None if policy is None else QueueKey(policy=policy, community=community)
        found = await _call(list_tasks, store, queue=queue, status=status, limit=limit)
        return TasksResponse(tasks=found)

    @router.post("/review/claim", response_model=ClaimResponse, summary="Claim the next task.")
    async def claim(body: ClaimRequest, store: StoreDep, key: ReviewKey) -> ClaimResponse:
        seconds = body.claim_timeout_s or (await _call(review_config, store)).claim_timeout_s
        task = await _call(
            claim_next, store, reviewer(key), queues=body.queues,
            claim_timeout=timedelta(seconds=seconds),
        )  # fmt: skip
        return ClaimResponse(task=task)

    @router.get(
        "/review/tasks/{task_id}",
        response_model=TaskContextResponse,
        summary="A task with its text (masked unless revealed), verdicts and policy.",
    )
    async def task_context(
        task_id: int,
        store: StoreDep,
        key: ReadKey,
        reveal: bool = False,
    ) -> TaskContextResponse:
        if not 1 <= task_id <= 2**53:
            raise ApiError(404, f"no review task {task_id}", field="task_id")
        ctx = await _call(review_context, store, task_id)
        if reveal:
            await _call(record_reveal, store, reviewer(key), task_id)
        text = ctx.item.text
        return TaskContextResponse(
            task=ctx.task,
            text=text if reveal else mask_text(text, ctx.sensitive_spans),
            masked=not reveal,
            sensitive_spans=list(ctx.sensitive_spans),
            community=ctx.item.community,
            kind=ctx.item.kind,
            author=None if ctx.item.author is None else ctx.item.author.model_dump(),
            parent_text=ctx.parent_text,
            verdicts=list(ctx.verdicts),
            policy_title=ctx.policy_title,
            policy_definition=ctx.policy_definition,
            criteria=list(ctx.criteria),
            allowed=list(ctx.allowed),
            first_review=ctx.first_review,
        )

    @router.post(
        "/review/tasks/{task_id}/decision",
        response_model=ReviewDecision,
        summary="Decide a task claimed by this key.",
    )
    async def decision(
        task_id: int, body: DecisionRequest, store: StoreDep, key: ReviewKey
    ) -> ReviewDecision:
        if not 1 <= task_id <= 2**53:
            raise ApiError(404, f"no review task {task_id}", field="task_id")
        result: ReviewDecision = await _call(
            decide, store, task_id, reviewer(key), label=body.label, criteria=body.criteria,
            note=body.note,
        )  # fmt: skip
        return result

    @router.post(
        "/review/undo", response_model=UndoResponse, summary="Undo this key's last decision."
    )
    async def undo(store: StoreDep, key: ReviewKey) -> UndoResponse:
        return UndoResponse(task=await _call(undo_last, store, reviewer(key)))

    @router.post("/review/sync", response_model=SyncResponse, summary="Queue routed decisions.")
    async def sync(store: StoreDep, _key: AdminKey) -> SyncResponse:
        return SyncResponse(created=await _call(sync_from_decisions, store))

    @router.post("/appeals", response_model=Appeal, status_code=201, summary="Appeal a removal.")
    async def appeal(body: AppealRequest, store: StoreDep, _key: ModerateKey) -> Appeal:
        result: Appeal = await _call(
            open_appeal, store, body.decision_id, appellant=body.appellant,
            statement=body.statement,
        )  # fmt: skip
        return result

    @router.get("/appeals", response_model=AppealsResponse, summary="Appeals, newest first.")
    async def appeals(
        store: StoreDep,
        _key: ReadKey,
        status: Literal["open", "upheld", "overturned"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> AppealsResponse:
        return AppealsResponse(appeals=await _call(list_appeals, store, status=status, limit=limit))

    @router.post(
        "/appeals/{appeal_id}/decision",
        response_model=Appeal,
        summary="Decide an appeal (not by the appealed decision's reviewer).",
    )
    async def appeal_decision(
        appeal_id: int, body: AppealDecisionRequest, store: StoreDep, key: ReviewKey
    ) -> Appeal:
        if not 1 <= appeal_id <= 2**53:
            raise ApiError(404, f"no appeal {appeal_id}", field="appeal_id")
        result: Appeal = await _call(
            decide_appeal, store, appeal_id, reviewer(key), outcome=body.outcome, note=body.note
        )
        return result

    @router.get(
        "/decisions/{decision_id}/sor",
        response_model=dict[str, Any],
        summary="The statement of reasons of a removal (DSA Transparency Database fields).",
    )
    async def sor(decision_id: str, store: StoreDep, _key: ReadKey) -> dict[str, Any]:
        if len(decision_id) > 256:
            raise ApiError(404, "no such decision", field="decision_id")
        result: dict[str, Any] = await _call(statement_of_reasons, store, decision_id)
        return result

    return router


__all__ = ["review_router"]
