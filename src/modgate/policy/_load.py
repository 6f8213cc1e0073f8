"""YAML → `Policy`, reporting every problem at once with `file:line:col`.

The file is composed and validated by `modgate.authoring` (one loader for every file a user
writes); this module adds what is particular to policies: the messages for a file that is not a
mapping, per-field hints, and the source map the lint checks locate their findings with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modgate.authoring import (
    AuthoringError,
    ComposedDocument,
    compose_document,
    read_source,
    validate,
)
from modgate.authoring import SourceMap as DocumentSourceMap
from modgate.policy._findings import (
    FieldPath,
    Finding,
    FindingSeverity,
    PolicyLoadError,
    format_field_path,
)
from modgate.policy._schema import Policy


@dataclass(frozen=True)
class SourceMap:
    """Where each field of a policy file is (1-based line and column)."""

    file: str | None
    document: DocumentSourceMap | None = None
    """The composed file's source map (None for a policy built in code)."""

    def position(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Line and column of a field's key, or of its nearest enclosing node when absent."""
        if self.document is None:
            return None, None
        where = self.document.key_at(path) or self.document.nearest(path)
        return where.line, where.col

    def finding(
        self,
        path: FieldPath,
        *,
        check: str,
        severity: FindingSeverity,
        message: str,
        hint: str | None = None,
    ) -> Finding:
        """A finding located at `path`."""
        line, col = self.position(path)
        return Finding(
            check=check,
            severity=severity,
            file=self.file,
            line=line,
            col=col,
            field=format_field_path(path),
            message=message,
            hint=hint,
        )


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy with the file it came from and where each field sits in it."""

    policy: Policy
    """The validated policy."""
    source: SourceMap
    """Field locations (empty for a policy built in code)."""
    text: str | None = None
    """The YAML text as read (None for a policy built in code)."""

    @classmethod
    def from_policy(cls, policy: Policy, *, file: str | None = None) -> LoadedPolicy:
        """Wrap a policy built in code (findings then carry no line numbers)."""
        return cls(policy=policy, source=SourceMap(file=file))


def load_policy_file(path: Path | str) -> LoadedPolicy:
    """Load and validate a policy file.

    Args:
        path: A `policies/*.yaml` file.

    Returns:
        The policy with its source map.

    Raises:
        NotFoundError: The file does not exist.
        PolicyLoadError: The file is not a valid policy; every problem is listed.
    """
    try:
        text = read_source(Path(path))
    except AuthoringError as exc:  # not UTF-8
        raise PolicyLoadError(exc.diagnostics) from exc
    return load_policy_text(text, file=str(path))


def load_policy_text(text: str, *, file: str | None = None) -> LoadedPolicy:
    """Validate a policy given as YAML text.

    Args:
        text: YAML of one policy.
        file: Name to show in findings.

    Returns:
        The policy with its source map.

    Raises:
        PolicyLoadError: The text is not a valid policy; every problem is listed.
    """
    try:
        document = compose_document(text, source=file or "<policy>")
    except AuthoringError as exc:
        raise PolicyLoadError(exc.diagnostics) from exc
    policy = _validate(document)
    if policy is None or document.diagnostics:
        raise PolicyLoadError(document.diagnostics)
    return LoadedPolicy(
        policy=policy, source=SourceMap(file=file, document=document.source), text=text
    )


def _validate(document: ComposedDocument) -> Policy | None:
    data = document.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        document.add(
            (),
            f"a policy file must hold one mapping (id, version, title…), got {got}",
            hint="start from one of the example policies (`modgate policy show` or docs)",
        )
        return None
    return validate(document, Policy, hints=_FIELD_HINTS)


_FIELD_HINTS = {
    "id": "ids are letters, digits, `_`, `-` (policy ids lowercase, starting with a letter)",
    "version": "a whole number ≥ 1; bump it for every change you publish",
    "scope": "`site` or `community:<name>`",
    "severity": "one of low, medium, high, critical",
    "actions": "a list drawn from remove, review, warn, label",
    "label": "`violates` or `safe`",
    "criteria": "a list of criterion ids from `violates`",
}
