"""Settings of the web UI: sessions, login limits, SQL console limits (validated once)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class UiSettings(BaseModel):
    """How the web UI runs; built by the entry point and passed to `create_ui_app`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workspace: Path | None = None
    """Workspace root (monitor files are read from its `monitors/` folder)."""
    session_ttl: timedelta = Field(default=timedelta(hours=8), gt=timedelta(0))
    """How long a session lasts after login (server-side expiry)."""
    secure_cookies: bool = False
    """Send cookies only over HTTPS (turn on behind TLS)."""
    login_max_failures: int = Field(default=5, ge=1)
    """Failed logins per username or client address allowed within `login_window`."""
    login_window: timedelta = Field(default=timedelta(minutes=15), gt=timedelta(0))
    """Window over which failed logins are counted."""
    sql_max_rows: int = Field(default=1_000, ge=1)
    """Rows the SQL console shows (CSV downloads are capped at `sql_csv_max_rows`)."""
    sql_csv_max_rows: int = Field(default=1_000_000, ge=1)
    """Rows a CSV download of the SQL console holds at most."""
    overview_days: int = Field(default=7, ge=1, le=366)
    """Days of decisions the overview's actions-over-time figure shows by default."""
    claim_timeout: timedelta = Field(default=timedelta(minutes=10), gt=timedelta(0))
    """How long a reviewer's claim on a task lasts."""
