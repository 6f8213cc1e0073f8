"""Review queues and appeals, keyboard first (the review library's API).

A reviewer sees only the queues granted to them (admins: every queue). Sensitive spans of the
text are masked on the server: the masked characters are not in the page until the reviewer
reveals them, and each reveal is counted (`record_reveal`, exposure counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from modgate.errors import ConflictError, ValidationError
from modgate.review import (
    QueueKey,
    QueueSummary,
    ReviewContext,
    ReviewTask,
    claim_next,
    decide,
    decide_appeal,
    exposure_counts,
    get_appeal,
    list_appeals,
    list_queues,
    list_tasks,
    open_appeal,
    record_reveal,
    review_context,
    undo_last,
)
from modgate.ui._repo import Session
from modgate.ui._roles import sees_every_queue
from modgate.ui._security import Forbidden, need, need_post, ui_store
from modgate.ui._settings import UiSettings
from modgate.ui._templates import render

router = APIRouter()
Reviewer = Annotated[Session, Depends(need("review"))]
ReviewPost = Annotated[Session, Depends(need_post("review"))]
_MASK = "█"


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def may_see(session: Session, policy: str, community: str | None) -> bool:
    """Whether the session's account may work the queue of (policy, community)."""
    if sees_every_queue(session.role):
        return True
    return any(
        g.policy == policy and (g.community is None or g.community == community)
        for g in session.grants
    )


def may_see_policy(session: Session, policy: str) -> bool:
    """Whether any of the session's queues is of `policy` (appeals are per policy)."""
    return sees_every_queue(session.role) or any(g.policy == policy for g in session.grants)


def _queues(request: Request, session: Session) -> list[QueueSummary]:
    store = ui_store(request)
    if sees_every_queue(session.role):
        return list_queues(store)
    explicit = [QueueKey(policy=g.policy, community=g.community) for g in session.grants
                if g.community is not None]  # fmt: skip
    found = {q.key: q for q in list_queues(store, allowed=explicit)} if explicit else {}
    for q in list_queues(store):
        if may_see(session, q.key.policy, q.key.community):
            found[q.key] = q
    return sorted(found.values(), key=lambda q: (q.key.policy, q.key.community or ""))


def _keys(request: Request, session: Session) -> list[QueueKey] | None:
    if sees_every_queue(session.role):
        return None
    return [q.key for q in _queues(request, session)]


def masked_segments(
    text: str, spans: Sequence[tuple[int, int]], revealed: bool
) -> list[tuple[str, bool]]:
    """The text cut at the sensitive spans: (piece, masked); masked pieces carry no content."""
    if revealed or not spans:
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append((text[at:start], False))
        out.append((_MASK * (end - start), True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def _task_page(request: Request, session: Session, context: ReviewContext, *,
               revealed: bool, message: str | None = None) -> Response:  # fmt: skip
    store = ui_store(request)
    task = context.task
    appeal = get_appeal(store, task.appeal_id) if task.appeal_id is not None else None
    return render(
        request, "review_task.html", session, ctx=context, task=task, appeal=appeal,
        segments=masked_segments(context.item.text, context.sensitive_spans, revealed),
        has_sensitive=bool(context.sensitive_spans), revealed=revealed,
        exposure=exposure_counts(store, session.username), message=message,
    )  # fmt: skip


def _own_task(request: Request, session: Session, task_id: int) -> ReviewContext:
    context = review_context(ui_store(request), task_id)
    task = context.task
    if not may_see(session, task.policy, task.community):
        raise Forbidden(f"the queue {task.policy}/{task.community or '*'} is not yours")
    if task.status != "claimed" or task.claimed_by != session.username:
        raise ConflictError(
            f"task {task_id} is not claimed by you ({task.status}); start from the queue"
        )
    return context


def _next(request: Request, session: Session) -> Response:
    settings: UiSettings = request.app.state.ui_settings
    task = claim_next(ui_store(request), session.username, queues=_keys(request, session),
                      claim_timeout=settings.claim_timeout)  # fmt: skip
    if task is None:
        return RedirectResponse(f"{_base(request)}/review?empty=1", status_code=303)
    return RedirectResponse(f"{_base(request)}/review/task/{task.id}", status_code=303)


@router.get("/review", summary="Your review queues.")
def review_home(request: Request, session: Reviewer, empty: bool = False) -> Response:
    """Queues you may work, with open and claimed counts and age; your exposure counts."""
    store = ui_store(request)
    queues = _queues(request, session)
    return render(request, "review.html", session, queues=queues, empty=empty,
                  exposure=exposure_counts(store, session.username))  # fmt: skip


@router.post("/review/next", summary="Claim the next task of your queues.")
def review_next(request: Request, session: ReviewPost) -> Response:
    """Claim the best open task (or get back the one you hold)."""
    return _next(request, session)


@router.get("/review/task/{task_id}", summary="A claimed task.")
def review_task(request: Request, session: Reviewer, task_id: int) -> Response:
    """The text (sensitive spans masked), context, verdicts and the policy's criteria."""
    return _task_page(request, session, _own_task(request, session, task_id), revealed=False)


@router.post("/review/task/{task_id}/reveal", summary="Reveal the masked text.")
def review_reveal(request: Request, session: ReviewPost, task_id: int) -> Response:
    """Show the masked spans (counted as an exposure)."""
    context = _own_task(request, session, task_id)
    record_reveal(ui_store(request), session.username, task_id)
    return _task_page(request, session, context, revealed=True)


@router.post("/review/task/{task_id}/decide", summary="Decide and take the next task.")
def review_decide(
    request: Request, session: ReviewPost, task_id: int,
    label: Annotated[str, Form()], criteria: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Record the decision, then claim the next task (decide & next)."""
    _own_task(request, session, task_id)
    if label not in ("violating", "non_violating"):
        raise ValidationError(f"label {label!r} is not violating or non_violating")
    decide(ui_store(request), task_id, session.username, label=label,  # type: ignore[arg-type]
           criteria=tuple(criteria or ()), note=note.strip() or None)  # fmt: skip
    return _next(request, session)


@router.post("/review/undo", summary="Undo your last decision.")
def review_undo(request: Request, session: ReviewPost) -> Response:
    """Reopen your last decided task, claimed by you again."""
    settings: UiSettings = request.app.state.ui_settings
    task = undo_last(ui_store(request), session.username, claim_timeout=settings.claim_timeout)
    if task is None:
        return RedirectResponse(f"{_base(request)}/review", status_code=303)
    return RedirectResponse(f"{_base(request)}/review/task/{task.id}", status_code=303)


# --- appeals -----------------------------------------------------------------------------------


def _decided(request: Request, session: Session) -> list[ReviewTask]:
    tasks = list_tasks(ui_store(request), status="decided", limit=200)
    return [t for t in tasks if t.decision_id and may_see(session, t.policy, t.community)
            and t.source != "appeal"]  # fmt: skip


@router.get("/appeals", summary="Appeals of your queues.")
def appeals(request: Request, session: Reviewer, status: str | None = None) -> Response:
    """Appeals (open first), reviewed removals to appeal from, and the form to open one."""
    chosen = status if status in ("open", "upheld", "overturned") else None
    found = [a for a in list_appeals(ui_store(request), status=chosen, limit=200)
             if may_see_policy(session, a.policy)]  # fmt: skip
    return render(request, "appeals.html", session, appeals=found, status=chosen or "",
                  decided=_decided(request, session)[:50], decision_id="")  # fmt: skip


@router.get("/appeals/new", summary="Open an appeal of a removal.")
def appeal_new(request: Request, session: Reviewer, decision_id: str = "") -> Response:
    """The appeal form for one decision."""
    return render(request, "appeal_new.html", session, decision_id=decision_id)


@router.post("/appeals", summary="Open an appeal.")
def appeal_open(
    request: Request, session: ReviewPost, decision_id: Annotated[str, Form()],
    statement: Annotated[str, Form()], appellant: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Record an appeal of a removal on the appellant's behalf; it goes to the policy's queue."""
    appeal = open_appeal(ui_store(request), decision_id.strip(),
                         appellant=appellant.strip() or None, statement=statement)  # fmt: skip
    if not may_see_policy(session, appeal.policy):
        return RedirectResponse(f"{_base(request)}/review", status_code=303)
    return RedirectResponse(f"{_base(request)}/appeals/{appeal.id}", status_code=303)


@router.get("/appeals/{appeal_id}", summary="One appeal.")
def appeal_page(request: Request, session: Reviewer, appeal_id: int) -> Response:
    """An appeal, its first review and its outcome."""
    appeal = get_appeal(ui_store(request), appeal_id)
    if not may_see_policy(session, appeal.policy):
        raise Forbidden(f"appeals of {appeal.policy} are not in your queues")
    return render(request, "appeal.html", session, appeal=appeal)


@router.post("/appeals/{appeal_id}/decide", summary="Decide an appeal.")
def appeal_decide(
    request: Request, session: ReviewPost, appeal_id: int,
    outcome: Annotated[str, Form()], note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Uphold or overturn (refused to the reviewer of the appealed decision)."""
    store = ui_store(request)
    appeal = get_appeal(store, appeal_id)
    if not may_see_policy(session, appeal.policy):
        raise Forbidden(f"appeals of {appeal.policy} are not in your queues")
    if outcome not in ("upheld", "overturned"):
        raise ValidationError(f"outcome {outcome!r} is not upheld or overturned")
    decide_appeal(store, appeal_id, session.username, outcome=outcome,  # type: ignore[arg-type]
                  note=note.strip() or None)  # fmt: skip
    return RedirectResponse(f"{_base(request)}/appeals/{appeal_id}", status_code=303)


__all__ = ["masked_segments", "may_see", "may_see_policy", "router"]
