"""One exception tree for modgate; the CLI maps it to messages and exit codes in one place."""

from __future__ import annotations


class ModgateError(Exception):
    """Root of every error modgate raises on purpose.

    Attributes:
        exit_code: Process exit code the CLI uses for this error.
        hint: Optional one-line suggestion shown under the message.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(ModgateError):
    """Settings or workspace are missing or invalid."""

    exit_code = 2


class WorkspaceNotFoundError(ConfigError):
    """No modgate workspace in the current folder or any parent."""


class StoreError(ModgateError):
    """The database refused or failed an operation."""

    exit_code = 3


class ReadOnlyViolationError(StoreError):
    """A read-only query tried to change the database."""


class MigrationError(StoreError):
    """The database schema is not at the expected revision."""


class QueryTimeoutError(StoreError):
    """A query ran past its statement timeout and was cancelled."""


class QueryInterruptedError(StoreError):
    """A query was cancelled because the process received SIGINT or SIGTERM."""

    exit_code = 130


class UnsafeRoleError(ConfigError):
    """A database role that could escape read-only SQL (superuser, server files or programs)."""


class NotFoundError(ModgateError):
    """A named object (item, enforcer, policy version…) does not exist."""

    exit_code = 4


class ConflictError(ModgateError):
    """An immutable object would change, or an id is already taken."""

    exit_code = 5


class StaleReportError(ConflictError):
    """A gate report was computed for another enforcer version, golden version or gate file."""


class DeploymentError(ConflictError):
    """A deployment change is refused: no passing gate report, or an impossible stage change."""


class ValidationError(ModgateError):
    """User-authored input (file, flag, row) is malformed."""

    exit_code = 6


class ImportRejectedError(ModgateError):
    """An import finished but rejected some rows; the good rows landed."""

    exit_code = 7


class RegistryError(ModgateError):
    """A kind or name is unknown, or a plugin registers something twice."""

    exit_code = 8


class EnforcerError(ModgateError):
    """An enforcer is misconfigured (not a per-item failure: those are verdicts with `error`)."""

    exit_code = 9


class ModgateWarning(UserWarning):
    """Root of modgate's warnings."""


class PluginLoadWarning(ModgateWarning):
    """A plugin failed to load; modgate carries on without it."""


class UndefinedMetricWarning(ModgateWarning):
    """A figure is undefined on this data (one class only, nothing predicted, no scores)."""
