"""YAML → `Policy`, reporting every problem at once with `file:line:col`.

PyYAML composes the node tree (which keeps the marks of every key and value); the tree is
constructed into plain data, validated by the pydantic schema, and each pydantic error location
is mapped back to the YAML node it came from. Duplicate keys, which PyYAML silently resolves to
the last value, are reported too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel

from modgate.errors import NotFoundError
from modgate.policy._findings import (
    FieldPath,
    Finding,
    FindingSeverity,
    PolicyLoadError,
    format_field_path,
)
from modgate.policy._schema import AllowedContext, Criterion, Example, Policy

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: ~3x faster


class _PolicyYamlLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that types only integers and nulls.

    YAML 1.1 turns `no`, `on`, `2024-01-01` and `1e3` into booleans, dates and floats; in a
    file full of example texts that silently corrupts content (`text: no`), so such scalars stay
    strings and the schema decides.
    """


_KEEP_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:null"}
_PolicyYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEEP_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_MODEL_AT: dict[str, type[BaseModel]] = {
    "violates": Criterion,
    "allowed": AllowedContext,
    "examples": Example,
}


@dataclass(frozen=True)
class SourceMap:
    """Where each field of a policy file is: field path → (line, col), 1-based."""

    file: str | None
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    """Start of each value node."""
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    """Start of each mapping key (the `name:` of a field)."""

    def position(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Line and column of a field, or of its nearest enclosing node when it is absent."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (None, None))

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
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no policy file {str(path)!r}") from exc
    except IsADirectoryError as exc:
        raise NotFoundError(f"{str(path)!r} is a folder, not a policy file") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyLoadError(
            [
                Finding(
                    check="yaml",
                    severity=FindingSeverity.ERROR,
                    file=str(path),
                    line=line,
                    col=None,
                    field="",
                    message=f"not UTF-8 text (byte {raw[exc.start]:#04x})",
                    hint="save the file as UTF-8",
                )
            ]
        ) from exc
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
        loader = _PolicyYamlLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PolicyLoadError(
            [
                Finding(
                    check="yaml",
                    severity=FindingSeverity.ERROR,
                    file=file,
                    line=mark.line + 1 if mark else None,
                    col=mark.column + 1 if mark else None,
                    field="",
                    message=f"invalid YAML: {exc.problem or exc}",
                    hint="check indentation, colons and quoting around this line",
                )
            ]
        ) from exc
    except yaml.YAMLError as exc:
        raise PolicyLoadError(
            [_plain(file, f"invalid YAML: {exc}", "the file must hold one YAML mapping")]
        ) from exc

    source = SourceMap(file=file)
    problems: list[Finding] = []
    if node is not None:
        _index(node, (), source, problems)
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        problems.append(
            source.finding(
                (),
                check="schema",
                severity=FindingSeverity.ERROR,
                message=f"a policy file must hold one mapping (id, version, title…), got {got}",
                hint="start from one of the example policies (`modgate policy show` or docs)",
            )
        )
        raise PolicyLoadError(problems)
    try:
        policy = Policy.model_validate(data)
    except pydantic.ValidationError as exc:
        problems.extend(_schema_finding(err, source) for err in exc.errors())
    if problems:
        raise PolicyLoadError(problems)
    return LoadedPolicy(policy=policy, source=source, text=text)


def _plain(file: str | None, message: str, hint: str) -> Finding:
    return Finding(
        check="yaml",
        severity=FindingSeverity.ERROR,
        file=file,
        line=None,
        col=None,
        field="",
        message=message,
        hint=hint,
    )


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _index(node: yaml.Node, path: FieldPath, source: SourceMap, problems: list[Finding]) -> None:
    source.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            child = (*path, key)
            if key in seen:
                problems.append(
                    Finding(
                        check="yaml",
                        severity=FindingSeverity.ERROR,
                        file=source.file,
                        line=_mark(key_node)[0],
                        col=_mark(key_node)[1],
                        field=format_field_path(child),
                        message=f"duplicate key {key!r} (first at line {seen[key]})",
                        hint="YAML keeps only the last value of a repeated key; merge or rename",
                    )
                )
                continue
            seen[key] = _mark(key_node)[0]
            source.keys[child] = _mark(key_node)
            _index(value_node, child, source, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), source, problems)


def _schema_finding(err: Any, source: SourceMap) -> Finding:
    loc: FieldPath = tuple(p for p in err["loc"] if p != "[key]")
    kind = err["type"]
    message = str(err["msg"])
    hint: str | None = None
    value = err.get("input")
    if kind == "missing":
        name = loc[-1] if loc else "?"
        message = f"required field {name!r} is missing"
        hint = f"add `{name}:`"
    elif kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        known = _known_fields(loc[:-1])
        message = f"unknown field {name!r}"
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += f"known fields here: {', '.join(known)}"
    else:
        if isinstance(value, str | int) and not isinstance(value, bool):
            shown = value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "…"
            message += f" (got {shown!r})"
        hint = _hint_for(loc)
    return source.finding(
        loc, check="schema", severity=FindingSeverity.ERROR, message=message, hint=hint
    )


def _known_fields(path: FieldPath) -> list[str]:
    model: type[BaseModel] = Policy
    if len(path) == 2 and isinstance(path[0], str) and path[0] in _MODEL_AT:
        model = _MODEL_AT[path[0]]
    return list(model.model_fields)


_FIELD_HINTS = {
    "id": "ids are letters, digits, `_`, `-` (policy ids lowercase, starting with a letter)",
    "version": "a whole number ≥ 1; bump it for every change you publish",
    "scope": "`site` or `community:<name>`",
    "severity": "one of low, medium, high, critical",
    "actions": "a list drawn from remove, review, warn, label",
    "label": "`violates` or `safe`",
    "criteria": "a list of criterion ids from `violates`",
}


def _hint_for(loc: FieldPath) -> str | None:
    for part in reversed(loc):
        if isinstance(part, str) and part in _FIELD_HINTS:
            return _FIELD_HINTS[part]
    return None
