"""Validate composed data with a pydantic model; every error becomes a located `Diagnostic`.

Where a string is expected and the file has an unquoted number or boolean (`text: 42`,
`version_name: 1.10`, `title: true`), the written text is used, as it would be for any other
unquoted word: the schema, not YAML, decides what a scalar is.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel

from modgate.authoring._compose import ComposedDocument, compose_document, read_source
from modgate.authoring._diagnostic import FieldPath
from modgate.authoring._loader import DEFAULT_LIMITS, Limits

M = TypeVar("M", bound=BaseModel)

_MISSING: Any = object()
_ROUNDS = 4  # passes replacing numbers/booleans by their text where strings are expected


def validate(
    document: ComposedDocument,
    model: type[M],
    *,
    data: Any = _MISSING,
    prefix: Sequence[str | int] = (),
    hints: Mapping[str, str] | None = None,
) -> M | None:
    """Validate `data` (default: the whole document) with `model`, recording every error.

    Args:
        document: The composed document; diagnostics are appended to it.
        model: The pydantic model (frozen, extra="forbid").
        data: The part of the document to validate (default: all of it).
        prefix: Path of `data` inside the document (so errors point at the right node).
        hints: Field name → hint shown under errors about that field.

    Returns:
        The validated model, or None when it did not validate (see `document.diagnostics`).
    """
    value = document.data if data is _MISSING else data
    prefix = tuple(prefix)
    for _ in range(_ROUNDS):
        try:
            return model.model_validate(value)
        except pydantic.ValidationError as exc:
            errors = exc.errors()
        retyped = False
        for error in errors:
            if error["type"] != "string_type" or isinstance(error["input"], str | None):
                continue
            loc = _clean_loc(value, error["loc"], error["type"])
            node = document.source.is_plain((*prefix, *loc))
            if node is not None and loc and _set_at(value, loc, str(node.value)):
                retyped = True
        if not retyped:
            break
    _record(document, model, value, prefix, errors, hints or {})
    return None


def load_yaml_model(
    source: str | Path,
    model: type[M],
    *,
    name: str | None = None,
    what: str = "file",
    hints: Mapping[str, str] | None = None,
    empty_as: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> M:
    r"""Load a user-written YAML file (or text) into a validated model, or report every problem.

    Args:
        source: A `Path` to read, or the YAML text itself.
        model: The pydantic model the file holds.
        name: File name for diagnostics (default: the path, or `<text>`).
        what: Kind of file for the error's header (`gate file`, `mapping file`…).
        hints: Field name → hint shown under errors about that field.
        empty_as: Data an empty file stands for (default: an empty file is an error).
        limits: Size, depth and alias bounds.

    Returns:
        The validated model.

    Raises:
        NotFoundError: `source` is a path that does not exist.
        AuthoringError: Every problem found (syntax, duplicate keys, limits, validation), each
            as `file:line:col: field.path: message` with a hint.

    Example:
        >>> from pydantic import BaseModel, ConfigDict
        >>> class Gate(BaseModel):
        ...     model_config = ConfigDict(frozen=True, extra="forbid")
        ...     name: str
        ...     value: float
        >>> load_yaml_model("name: no\\nvalue: 0.5\\n", Gate)
        Gate(name='no', value=0.5)
    """
    if isinstance(source, Path):
        text, file = read_source(source, what=what), name or str(source)
    else:
        text, file = source, name or "<text>"
    document = compose_document(text, source=file, what=what, limits=limits)
    if document.data is None and empty_as is not None:
        document.data = dict(empty_as)
    if not isinstance(document.data, dict):
        require_mapping(document)
    else:
        result = validate(document, model, hints=hints)
        if result is not None and not document.diagnostics:
            return result
    document.raise_for_problems(what)
    raise AssertionError("unreachable: a failed validation records a diagnostic")


def require_mapping(document: ComposedDocument, fields: str = "fields") -> bool:
    """Record a problem unless the document is one mapping; True when it is."""
    data = document.data
    if isinstance(data, dict):
        return True
    got = "an empty file" if data is None else f"a {_kind(data)}"
    document.add((), f"the file must hold one mapping of {fields}, got {got}", code="schema")
    return False


def _kind(value: Any) -> str:
    return {list: "list", str: "str", bool: "bool", int: "int", float: "float"}.get(
        type(value), type(value).__name__
    )


def _record(
    document: ComposedDocument,
    model: type[BaseModel],
    data: Any,
    prefix: FieldPath,
    errors: list[Any],
    hints: Mapping[str, str],
) -> None:
    cleaned = [(_clean_loc(data, e["loc"], e["type"]), e) for e in errors]
    for loc, error in cleaned:
        kind = error["type"]
        if kind == "too_short" and any(
            other is not error and len(other_loc) > len(loc) and other_loc[: len(loc)] == loc
            for other_loc, other in cleaned
        ):
            continue  # pydantic's follow-up of an invalid element, not a problem of its own
        path = (*prefix, *loc)
        if document.is_poisoned(path):
            continue
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        hint: str | None = None
        at_key = False
        given = error.get("input")
        if kind == "missing":
            field = loc[-1] if loc else "?"
            message = f"required field {field!r} is missing"
            hint = f"add `{field}:`"
        elif kind == "extra_forbidden":
            field = str(loc[-1]) if loc else "?"
            message = f"unknown field {field!r}"
            at_key = True
            known = _fields_at(model, data, loc[:-1])
            if known:
                close = difflib.get_close_matches(field, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                hint += f"known fields here: {', '.join(known)}"
        else:
            at_key = "[key]" in error["loc"]
            typed = kind.endswith(("_type", "_parsing"))
            if isinstance(given, dict):
                message += " (got a mapping)" if typed else ""
            elif isinstance(given, list | tuple):
                message += " (got a list)" if typed else ""
            elif repr(_short(given)) not in message:
                message += f" (got {_short(given)!r})"
            hint = _hint(kind, given, loc, hints)
        document.add(path, message, hint=hint, at_key=at_key)


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "…"
    return value


def _hint(kind: str, given: Any, loc: FieldPath, hints: Mapping[str, str]) -> str | None:
    for part in reversed(loc):
        if isinstance(part, str) and part in hints:
            return hints[part]
    if kind in ("int_parsing", "float_parsing") and isinstance(given, str):
        if _YAML11_NUMBER.fullmatch(given.strip()):
            return (
                "write a plain decimal number: modgate reads YAML 1.1 forms such as 1:30 "
                "(sexagesimal), 0o17, 0x1F or 1_000 as text"
            )
    if kind == "bool_parsing":
        return "write true or false"
    if kind == "string_type" and given is None:
        return "write a value; quote it if it is empty on purpose (`''`)"
    return None


_YAML11_NUMBER = re.compile(
    r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"  # sexagesimal 1:30
    r"|[-+]?0[0-7_]+|[-+]?0[xXoObB][0-9a-fA-F_]+"  # octal, hex, binary
    r"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"  # 1_000, 1e3
)


def _clean_loc(data: Any, loc: Sequence[Any], kind: str) -> FieldPath:
    """Pydantic's error location as a document path: union tags and `[key]` dropped."""
    out: list[str | int] = []
    current = data
    parts = [p for p in loc if p != "[key]"]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif last and (kind in ("missing", "extra_forbidden") or "[key]" in loc):
            current = None
        else:
            continue  # a union member's or validator's name, not a place in the document
        out.append(part)
    return tuple(out)


def _set_at(data: Any, loc: FieldPath, value: str) -> bool:
    current = data
    for part in loc[:-1]:
        current = current[part]
    last = loc[-1]
    if isinstance(current, dict) and last in current:
        current[last] = value
        return True
    if isinstance(current, list) and isinstance(last, int):
        current[last] = value
        return True
    return False


def _fields_at(model: Any, data: Any, loc: FieldPath) -> list[str] | None:
    """Field names of the model found at `loc` inside `data` validated as `model`."""
    current: Any = model
    for part in loc:
        current = _child_type(current, data, part)
        data = _child(data, part)
        if current is None:
            return None
    found = _as_model(current, data)
    return list(found.model_fields) if found is not None else None


def _child(data: Any, part: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(str(part))
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _members(tp: Any) -> tuple[Any, ...]:
    tp = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        return tuple(_unwrap(m) for m in get_args(tp))
    return (tp,)


def _as_model(tp: Any, data: Any) -> type[BaseModel] | None:
    models = [m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) <= 1:
        return models[0] if models else None
    for candidate in models:
        tags = {
            name: get_args(f.annotation)
            for name, f in candidate.model_fields.items()
            if get_origin(f.annotation) is Literal
        }
        if (
            isinstance(data, dict)
            and tags
            and all(data.get(name) in values for name, values in tags.items() if name in data)
        ):
            return candidate
    return None


def _child_type(tp: Any, data: Any, part: str | int) -> Any:
    model = _as_model(tp, data)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field is not None else None
    for member in _members(tp):
        origin, args = get_origin(member), get_args(member)
        if origin in (list, tuple, set, frozenset, Sequence) and isinstance(part, int) and args:
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                return args[part] if part < len(args) else None
            return args[0]
        if origin in (dict, Mapping) and len(args) == 2:
            return args[1]
    return None
