"""Monitor files (`monitors/NAME.yaml`): scope, windows, checks, severity, notification targets.

Loaded by `load_monitor_file`, the one function to switch to the shared authoring loader when it
lands (`modgate.authoring`); until then `yaml.safe_load` + pydantic, errors naming the file and
the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modgate.authoring import compose_document, read_source, validate
from modgate.errors import ValidationError

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse `15m`, `24h`, `14d` or `2w`.

    Raises:
        ValueError: Not a duration of that form.
    """
    m = _DURATION.match(text)
    if not m or int(m.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 15m, 24h, 14d or 2w")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScopeConfig(_Frozen):
    """Which decisions a monitor looks at."""

    policy: str | None = None
    """Policy id of the verdicts (with `enforcer`); omitted: the decisions' final action."""
    enforcer: str | None = None
    """`name@version` of the enforcer whose verdicts are checked (scores need one)."""
    challenger: str | None = None
    """`name@version` of a shadow or canary compared with `enforcer` (disagreement check)."""
    communities: list[str] | None = None
    """Only these communities (default: all)."""
    segment_by: Literal["community", "none"] = "community"
    """One result per community, or one for the whole scope."""

    @field_validator("enforcer", "challenger")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[^@\s]+@\d+$", value):
            raise ValueError(f"{value!r} must be name@version, e.g. hate-clf@3")
        return value


class WindowConfig(_Frozen):
    """The current window (ending at the run time) and the reference window before it."""

    current: str = "24h"
    """Length of the current window, ending at the run time."""
    reference: str = "14d"
    """Length of the reference window."""
    gap: str | None = None
    """Time between the reference's end and the current window's start (default: none)."""
    reference_start: datetime | None = None
    """A fixed reference window instead (e.g. a deployment's first week): its start…"""
    reference_end: datetime | None = None
    """…and its end."""

    @field_validator("current", "reference", "gap")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @model_validator(mode="after")
    def _fixed_pair(self) -> WindowConfig:
        if (self.reference_start is None) != (self.reference_end is None):
            raise ValueError("give both reference_start and reference_end, or neither")
        for v in (self.reference_start, self.reference_end):
            if v is not None and v.tzinfo is None:
                raise ValueError("reference_start/reference_end need a time zone (e.g. Z)")
        if self.reference_start and self.reference_end:
            if self.reference_start >= self.reference_end:
                raise ValueError("reference_start must be before reference_end")
        return self

    def bounds(self, at: datetime) -> tuple[datetime, datetime, datetime, datetime]:
        """(reference start, reference end, current start, current end) for a run at `at`."""
        cur_start = at - parse_duration(self.current)
        if self.reference_start is not None and self.reference_end is not None:
            return self.reference_start, self.reference_end, cur_start, at
        gap = parse_duration(self.gap) if self.gap else timedelta(0)
        ref_end = cur_start - gap
        return ref_end - parse_duration(self.reference), ref_end, cur_start, at


ActionName = Literal["remove", "review", "warn", "label"]


def _remove_only() -> list[ActionName]:
    return ["remove"]


class CheckConfig(_Frozen):
    """One check of a monitor."""

    kind: str
    """Registered check name (`action_rate`, `score_drift`, `emerging_terms`, …)."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Parameters of the check (level, min_support, statistic, …)."""
    actions: list[ActionName] = Field(default_factory=_remove_only)
    """Actions counted as events by rate checks on actions."""
    measure: Literal["action", "evasion", "caught_after_normalization", "overturn"] | None = None
    """What a rate check counts (default from the kind)."""
    severity: Literal["info", "warning", "critical"] | None = None
    """Severity of its alerts (default: the monitor's)."""
    max_texts: int = Field(default=20000, ge=100)
    """Emerging terms: most recent texts per window read."""
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """Label-free estimate: the enforcer's action threshold."""


class MonitorConfig(_Frozen):
    """A monitor file."""

    name: str
    """Monitor name (default: the file's stem)."""
    description: str = ""
    """What it watches and why."""
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    """Which decisions."""
    windows: WindowConfig = Field(default_factory=WindowConfig)
    """Current and reference windows."""
    checks: list[CheckConfig] = Field(min_length=1)
    """The checks."""
    severity: Literal["info", "warning", "critical"] = "warning"
    """Default severity of its alerts."""
    notify: list[str] = Field(default_factory=list)
    """Webhook URLs that receive each new alert."""
    auto_rollback: bool = False
    """Roll back the deployment a **critical** alert links to (changed near its start) at once."""
    rollback_cooldown: str = "6h"
    """No second automatic rollback of the same policy within this time (any monitor)."""

    @field_validator("rollback_cooldown")
    @classmethod
    def _cooldown(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _rollback_needs_critical(self) -> MonitorConfig:
        if self.auto_rollback and not (
            self.severity == "critical" or any(c.severity == "critical" for c in self.checks)
        ):
            raise ValueError(
                "auto_rollback: true needs a critical monitor (severity: critical, on the "
                "monitor or on a check): only critical alerts roll back"
            )
        return self

    @field_validator("notify")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://", url):
                raise ValueError(f"notify target {url!r} must be an http(s) URL")
        return value

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the file's content."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def load_monitor_file(path: Path) -> MonitorConfig:
    """Load and validate one monitor file through the shared authoring loader.

    Raises:
        AuthoringError: Unreadable or malformed YAML, or content that does not fit; every
            problem is listed as `file:line:col: field.path: message` (a `ValidationError`).
    """
    document = compose_document(read_source(path), source=str(path), what="monitor file")
    data = document.data
    if not isinstance(data, dict):
        document.add((), "a monitor file is a mapping (name, scope, checks, …)")
        document.raise_for_problems("monitor file")
        raise AssertionError("unreachable")
    config = validate(document, MonitorConfig, data={"name": path.stem, **data})
    document.raise_for_problems("monitor file")
    assert config is not None
    return config


def load_monitors(directory: Path, names: list[str] | None = None) -> list[MonitorConfig]:
    """Monitor files of a folder (`monitors/*.yaml`), optionally only some by name.

    Raises:
        ValidationError: A file is invalid, or a named monitor has no file.
    """
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    loaded = [load_monitor_file(f) for f in files]
    if names:
        known = {m.name: m for m in loaded}
        missing = [n for n in names if n not in known]
        if missing:
            raise ValidationError(
                f"no monitor named {', '.join(missing)} in {directory}",
                hint=f"known: {', '.join(sorted(known)) or 'none'}",
            )
        return [known[n] for n in names]
    return loaded
