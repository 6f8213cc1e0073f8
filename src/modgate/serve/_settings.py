"""Settings of the HTTP service: limits, queues, refresh and privacy options (validated once)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ServeSettings(BaseModel):
    """How `modgate serve` runs; built by the entry point and passed to `create_app`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str
    """SQLAlchemy URL of the store (the decision log)."""
    workspace: Path
    """Workspace root (enforcer artifacts are relative to it)."""
    host: str = "127.0.0.1"
    """Address to bind."""
    port: int = Field(default=8000, ge=0, le=65535)
    """Port to bind (0: any free port)."""
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    """Largest request body accepted (413 above it)."""
    max_text_chars: int = Field(default=100_000, ge=1)
    """Largest `body`, `title` or `parent_text` of one item, in characters (413 above it)."""
    max_batch_items: int = Field(default=1_000, ge=1)
    """Most items in one request (413 above it)."""
    rate_per_second: float = Field(default=1_000.0, gt=0)
    """Sustained requests per second allowed per API key (429 with Retry-After above it)."""
    rate_burst: int = Field(default=2_000, ge=1)
    """Requests a key may send at once before the sustained rate applies."""
    refresh_seconds: float = Field(default=1.0, gt=0, le=5.0)
    """How often the deployments are checked for a change (deploy/rollback take effect)."""
    shadow_queue_size: int = Field(default=10_000, ge=1)
    """Items waiting for shadow enforcers; when full, shadow work is dropped and counted."""
    commit_batch_items: int = Field(default=512, ge=1)
    """Most items decided and committed in one group commit."""
    key_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    """How long a verified API key is trusted without re-reading it (revocation delay)."""
    llm_budget_ms: int = Field(default=2_000, ge=1)
    """Time budget of an LLM-backed enforcer per request; late verdicts become `review`."""
    author_hash_key: SecretStr | None = None
    """When set, author ids are replaced by HMAC-SHA256(key, id) at ingestion."""
    log_content: bool = False
    """Log item text (off by default: logs carry ids and actions only)."""
    workers: int = Field(default=1, ge=1, le=64)
    """Uvicorn worker processes on the one port (each its own engine and group commit)."""
