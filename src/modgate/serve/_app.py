"""`create_app(settings)`: the FastAPI app of `modgate serve` (no module-level state)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from starlette.types import Scope as AsgiScope

from modgate.domain import AuthorInfo, Item
from modgate.registry import Registry
from modgate.serve._auth import KeyVerifier
from modgate.serve._errors import ApiError, install_error_handlers
from modgate.serve._keys import Scope, hash_author_id
from modgate.serve._limits import BodySizeLimit
from modgate.serve._measure import RequestMetrics
from modgate.serve._metrics import ServeMetrics
from modgate.serve._ratelimit import RateLimiter
from modgate.serve._review_routes import review_router
from modgate.serve._schemas import (
    DecisionResponse,
    ErrorResponse,
    HealthResponse,
    ItemRequest,
    ModerateRequest,
    ModerateResponse,
    PoliciesResponse,
    PolicyResponse,
    ReadyResponse,
)
from modgate.serve._service import ModerationService
from modgate.serve._settings import ServeSettings
from modgate.store import Store

log = logging.getLogger("modgate.serve")

_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (401, "No API key, or an unknown or revoked one."),
        (403, "The key lacks the scope this route needs."),
        (413, "Body, batch or a text field over its limit (the message names it)."),
        (422, "The request does not match the schema (the message names the field)."),
        (429, "Rate limit of the key exceeded (see Retry-After)."),
        (503, "Deciding or storing failed; nothing was decided (see Retry-After)."),
    )
}


@dataclass
class ServeState:
    """What the routes need, built once per app by its lifespan."""

    settings: ServeSettings
    store: Store
    service: ModerationService
    metrics: ServeMetrics
    keys: KeyVerifier
    limiter: RateLimiter


async def _state(request: Request) -> ServeState:
    state = getattr(request.app.state, "modgate", None)
    if not isinstance(state, ServeState):
        raise ApiError(503, "the service is starting")
    return state


def _metrics_of(scope: AsgiScope) -> ServeMetrics | None:
    state = getattr(getattr(scope.get("app"), "state", None), "modgate", None)
    return state.metrics if isinstance(state, ServeState) else None


StateDep = Annotated[ServeState, Depends(_state)]


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


async def authorize(request: Request, state: ServeState, scope: Scope) -> str:
    """The key id of a request whose key has `scope` (or `admin`), within its rate limit.

    Raises:
        ApiError: 401 without a known, unrevoked key; 403 without the scope; 429 over the
            key's rate limit (with Retry-After).
    """
    presented = _presented_key(request)
    if not presented:
        raise ApiError(
            401,
            "an API key is required: send 'Authorization: Bearer <key>' "
            "(create one with 'modgate keys create')",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = state.keys.cached(presented) or await run_in_threadpool(state.keys.verify, presented)
    if found is None:
        raise ApiError(
            401, "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    key_id, scopes = found
    if scope not in scopes and "admin" not in scopes:
        raise ApiError(403, f"this key lacks the '{scope}' scope (it has: {', '.join(scopes)})")
    wait = state.limiter.acquire(key_id, time.monotonic())
    if wait > 0:
        raise ApiError(
            429,
            f"rate limit of {state.settings.rate_per_second:g} requests/s for this key "
            f"exceeded; retry after {wait:g} s",
            headers={"Retry-After": str(int(wait))},
        )
    return key_id


def require(scope: Scope) -> Callable[[Request, ServeState], Awaitable[str]]:
    """A dependency admitting keys with `scope` (or `admin`), rate-limited per key."""

    async def check(request: Request, state: StateDep) -> str:
        return await authorize(request, state, scope)

    return check


_MODERATE_BODY = TypeAdapter(ModerateRequest)
_JSON_TYPES = ("application/json", "application/merge-patch+json")


async def _moderate_body(request: Request) -> ModerateRequest:
    """The request body, parsed and validated in one pass from its bytes.

    Raises:
        RequestValidationError: Not JSON, or not the schema (rendered as a 422 naming the
            field, exactly as FastAPI's own body validation is).
    """
    kind = request.headers.get("content-type", "application/json").split(";", 1)[0].strip()
    if not (kind in _JSON_TYPES or kind.endswith("+json")):
        raise RequestValidationError(
            [{"loc": ("body",), "msg": f"expected a JSON body, got Content-Type {kind!r}",
              "type": "content_type"}]
        )  # fmt: skip
    try:
        return _MODERATE_BODY.validate_json(await request.body())
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def _to_item(request: ItemRequest, settings: ServeSettings) -> Item:
    author_id = request.author_id
    if author_id is not None and settings.author_hash_key is not None:
        author_id = hash_author_id(author_id, settings.author_hash_key.get_secret_value().encode())
    return Item(
        id=request.id, kind=request.kind, community=request.community, title=request.title,
        body=request.body, url=request.url, author_id=author_id,
        author=AuthorInfo(**request.author.model_dump()) if request.author else None,
        parent_id=request.parent_id, parent_text=request.parent_text,
        created_at=request.created_at, language=request.language,
    )  # fmt: skip


def _check_sizes(items: list[ItemRequest], settings: ServeSettings, batch: bool) -> None:
    if len(items) > settings.max_batch_items:
        raise ApiError(
            413,
            f"{len(items)} items exceed the limit of {settings.max_batch_items} per request "
            "(max_batch_items)",
            field="items",
        )
    limit = settings.max_text_chars
    for index, item in enumerate(items):
        for name in ("body", "title", "parent_text"):
            value = getattr(item, name)
            if value is not None and len(value) > limit:
                where = f"items.{index}.{name}" if batch else f"item.{name}"
                raise ApiError(
                    413,
                    f"{where} has {len(value)} characters, over the limit of {limit} "
                    "(max_text_chars)",
                    field=where,
                )
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        if item.decision_id is None:
            continue
        if seen.setdefault(item.id, item.decision_id) != item.decision_id:
            where = f"items.{index}.decision_id"
            raise ApiError(422, f"{where}: item {item.id!r} appears with two decision ids",
                           field=where)  # fmt: skip


def _schema_ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _declare_request_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Add the schemas of bodies a route validates itself to the app's OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            body = model.model_json_schema(ref_template=_schema_ref("{model}"))
            for name, definition in body.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault(model.__name__, body)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: ServeSettings, *, store: Store | None = None, registry: Registry | None = None
) -> FastAPI:
    """Build the service's app; its lifespan opens the store and starts the engine.

    Args:
        settings: How to run (limits, queues, privacy).
        store: An open store to use (default: opened from `settings.database_url`, closed on
            shutdown).
        registry: Enforcer kinds (default: installed plugins).

    Returns:
        The FastAPI app (OpenAPI at `/openapi.json`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        opened = store or Store.from_url(settings.database_url, pooled=True)
        metrics = ServeMetrics()
        service = ModerationService(
            opened, settings.workspace, metrics, refresh_seconds=settings.refresh_seconds,
            commit_batch_items=settings.commit_batch_items,
            shadow_queue_size=settings.shadow_queue_size, llm_budget_ms=settings.llm_budget_ms,
            registry=registry,
        )  # fmt: skip
        service.start()
        app.state.modgate = ServeState(
            settings=settings, store=opened, service=service, metrics=metrics,
            keys=KeyVerifier(opened, settings.key_cache_seconds),
            limiter=RateLimiter(settings.rate_per_second, settings.rate_burst),
        )  # fmt: skip
        log.info("modgate serve ready to load deployments %s", service.snapshot.deployment_ids)
        try:
            yield
        finally:
            service.stop()
            app.state.modgate = None
            if own:
                opened.close()

    app = FastAPI(
        title="modgate",
        summary="Content-safety decisions under the current deployments.",
        version="1",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.post(
        "/v1/moderate",
        response_model=ModerateResponse,
        responses=_ERRORS,
        summary="Decide one item or a batch under the current deployments.",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": _schema_ref("ModerateRequest")}}
                },
            }
        },
    )
    async def moderate(request: Request) -> Response:
        # the hot path: no injected dependencies; the key is checked before the body is read
        # (a request without a key gets 401 whatever its body), and the body is validated
        # straight from its bytes; the OpenAPI request body is declared in `openapi_extra`
        state = await _state(request)
        await authorize(request, state, "moderate")
        body = await _moderate_body(request)
        requested = body.all_items()
        _check_sizes(requested, state.settings, batch=body.items is not None)
        items = [_to_item(r, state.settings) for r in requested]
        keys = {r.id: r.decision_id for r in requested if r.decision_id is not None}
        try:
            decisions = await state.service.submit_async(items, keys)
        except Exception as exc:  # the client retries; decision ids make that idempotent
            raise ApiError(
                503,
                f"the decisions could not all be made and stored ({type(exc).__name__}); "
                "retry: a repeated request is idempotent",
                headers={"Retry-After": "1"},
            ) from exc
        if state.settings.log_content:
            for item, decision in zip(items, decisions, strict=True):
                log.info("decided %s %s: %r", item.id, decision.action.value, item.body)
        reply = ModerateResponse(decisions=[DecisionResponse.from_decision(d) for d in decisions])
        # serialized once here: FastAPI would validate the model again before serializing it
        return Response(reply.model_dump_json(), media_type="application/json")

    @app.get(
        "/v1/decisions/{decision_id}",
        response_model=DecisionResponse,
        responses={**_ERRORS, 404: {"model": ErrorResponse, "description": "No such decision."}},
        summary="A stored decision by id.",
    )
    async def get_decision(
        decision_id: str,
        state: StateDep,
        _key: Annotated[str, Depends(require("read"))],
    ) -> DecisionResponse:
        found = await run_in_threadpool(state.service.get_decision, decision_id)
        if found is None:
            raise ApiError(404, f"no decision {decision_id!r}", field="decision_id")
        return DecisionResponse.from_decision(found)

    @app.get(
        "/v1/policies",
        response_model=PoliciesResponse,
        responses=_ERRORS,
        summary="Deployed policies: active, canary and shadow enforcers.",
    )
    async def policies(
        state: StateDep, _key: Annotated[str, Depends(require("read"))]
    ) -> PoliciesResponse:
        out = []
        for policy, deployment in sorted(state.service.snapshot.deployments.items()):
            s = deployment.state
            out.append(
                PolicyResponse(
                    policy=policy,
                    deployment_id=deployment.id,
                    active=s.active.enforcer if s.active else None,
                    canary=s.canary.enforcer if s.canary else None,
                    canary_share=s.canary.share if s.canary else None,
                    shadow=tuple(x.enforcer for x in s.shadow),
                )  # fmt: skip
            )
        return PoliciesResponse(policies=out)

    @app.get("/healthz", response_model=HealthResponse, summary="Liveness.")
    async def healthz() -> HealthResponse:
        return HealthResponse(status="ok")

    @app.get(
        "/readyz",
        response_model=ReadyResponse,
        responses={503: {"model": ErrorResponse, "description": "Enforcers still loading."}},
        summary="Ready when every active and canary enforcer is loaded.",
    )
    async def readyz(state: StateDep) -> ReadyResponse:
        missing = tuple(state.service.missing_enforcers())
        if missing:
            raise ApiError(503, f"not ready: enforcers not loaded: {', '.join(missing)}")
        return ReadyResponse(ready=True)

    @app.get("/metrics", summary="Prometheus metrics.", response_class=Response)
    async def metrics(state: StateDep) -> Response:
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(review_router(require))
    _declare_request_models(app, ModerateRequest)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics_of=_metrics_of)
    return app


__all__ = ["ServeState", "create_app", "require"]
