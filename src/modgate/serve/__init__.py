"""The HTTP moderation service: app factory, API keys, limits, metrics.

`create_app(settings)` builds the FastAPI app of `modgate serve`; keys are created, listed and
revoked with `create_api_key`, `list_api_keys`, `revoke_api_key` (stored as scrypt hashes).
"""

from modgate.serve._app import ServeState, create_app
from modgate.serve._keys import SCOPES, Scope, hash_author_id
from modgate.serve._metrics import ServeMetrics
from modgate.serve._repo import (
    ApiKeyRecord,
    CreatedKey,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from modgate.serve._run import app_from_env, run_server, settings_from_env
from modgate.serve._service import ModerationService
from modgate.serve._settings import ServeSettings
from modgate.serve._worker import StreamWorker, WorkerSettings, message_decision_id, parse_message

__all__ = [
    "SCOPES",
    "ApiKeyRecord",
    "CreatedKey",
    "ModerationService",
    "Scope",
    "ServeMetrics",
    "ServeSettings",
    "ServeState",
    "StreamWorker",
    "WorkerSettings",
    "app_from_env",
    "create_api_key",
    "create_app",
    "hash_author_id",
    "list_api_keys",
    "message_decision_id",
    "parse_message",
    "revoke_api_key",
    "run_server",
    "settings_from_env",
]
