"""Load rule set files with every problem reported at once, each at its `file:line:col`.

PyYAML composes the document into nodes, which keep their marks; the nodes are turned into
plain data while the mark of every path is recorded. Schema errors (pydantic) and compile errors
(regexes, empty keywords) are then mapped back to the nearest recorded path.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce._rules_match import CompiledRuleSet, RuleSetCompileError, compile_ruleset
from modgate.enforce._ruleset import RuleSet
from modgate.errors import NotFoundError, ValidationError

DocPath = tuple[str | int, ...]


class RuleSetLoadError(ValidationError):
    """A rule set file is invalid; `problems` holds one `file:line:col: …` line per finding."""

    def __init__(self, source: str, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"{source}: invalid rule set ({count}):\n  " + "\n  ".join(problems),
            hint="see docs/rules.md for the rule set format",
        )
        self.problems = problems


def _compose(text: str, source: str) -> tuple[Any, dict[DocPath, yaml.Mark], list[str]]:
    loader = yaml.SafeLoader(text)
    problems: list[str] = []
    marks: dict[DocPath, yaml.Mark] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None, marks, problems
        data = _to_data(loader, node, (), marks, problems, source)
    finally:
        loader.dispose()
    return data, marks, problems


def _to_data(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: DocPath,
    marks: dict[DocPath, yaml.Mark],
    problems: list[str],
    source: str,
) -> Any:
    marks[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                problems.append(f"{_where(source, key_node.start_mark)}: keys must be plain text")
                continue
            if key in result:
                problems.append(
                    f"{_where(source, key_node.start_mark)}: {_dotted((*path, str(key)))}: "
                    f"duplicate key {key!r}"
                )
                continue
            child = (*path, str(key))
            result[key] = _to_data(loader, value_node, child, marks, problems, source)
            marks.setdefault(child, value_node.start_mark)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_data(loader, child, (*path, i), marks, problems, source)
            for i, child in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def _where(source: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return source
    return f"{source}:{mark.line + 1}:{mark.column + 1}"


def _dotted(path: DocPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _nearest_mark(path: DocPath, marks: dict[DocPath, yaml.Mark]) -> yaml.Mark | None:
    for cut in range(len(path), -1, -1):
        mark = marks.get(path[:cut])
        if mark is not None:
            return mark
    return None


def _schema_problems(
    exc: PydanticValidationError, source: str, marks: dict[DocPath, yaml.Mark], data: Any
) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
        mark = _nearest_mark(loc, marks)
        message = error["msg"].removeprefix("Value error, ")
        got = _value_at(data, loc)
        if error["type"] == "missing":
            detail = f"{message}"
        elif error["type"] == "extra_forbidden":
            detail = f"unknown field {loc[-1]!r}" if loc else message
        elif got is not _MISSING and not isinstance(got, dict | list):
            detail = f"{message} (got {got!r})"
        else:
            detail = message
        problems.append(f"{_where(source, mark)}: {_dotted(loc)}: {detail}")
    return problems


_MISSING = object()


def _value_at(data: Any, path: DocPath) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def parse_ruleset(text: str, source: str = "<rules>", *, name: str | None = None) -> RuleSet:
    """Parse and validate rule set YAML, checking that every pattern compiles.

    Args:
        text: The YAML document.
        source: File name used in messages.
        name: Rule set name to use when the document sets none (the file stem).

    Returns:
        The validated rule set.

    Raises:
        RuleSetLoadError: Every problem found, each as `source:line:col: path: message`.
    """
    return _parse_and_compile(text, source, name)[0]


def _parse_and_compile(
    text: str, source: str, name: str | None
) -> tuple[RuleSet, CompiledRuleSet]:
    try:
        data, marks, problems = _compose(text, source)
    except yaml.MarkedYAMLError as exc:
        raise RuleSetLoadError(source, [f"{_where(source, exc.problem_mark)}: {exc.problem}"]) from exc
    except yaml.YAMLError as exc:
        raise RuleSetLoadError(source, [f"{source}: {exc}"]) from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise RuleSetLoadError(source, [f"{source}:1:1: expected a mapping with 'rules', got {kind}"])
    if name is not None and "name" not in data:
        data = {"name": name, **data}
    try:
        ruleset = RuleSet.model_validate(data)
    except PydanticValidationError as exc:
        raise RuleSetLoadError(source, problems + _schema_problems(exc, source, marks, data)) from exc
    try:
        compiled = compile_ruleset(ruleset, source)
    except RuleSetCompileError as exc:
        problems += [
            f"{_where(source, _nearest_mark(p.path, marks))}: {_dotted(p.path)}: {p.message}"
            for p in exc.problems
        ]
        raise RuleSetLoadError(source, problems) from exc
    if problems:
        raise RuleSetLoadError(source, problems)
    return ruleset, compiled


def load_ruleset(path: str | FilePath) -> CompiledRuleSet:
    """Load, validate and compile a rule set file (`rules/NAME.yaml`).

    Args:
        path: The file.

    Returns:
        The compiled rule set; its `report` says which rules run on the fallback regex engine.

    Raises:
        NotFoundError: The file does not exist.
        RuleSetLoadError: The file is invalid (every problem listed with file:line:col).
    """
    file = FilePath(path)
    if not file.is_file():
        raise NotFoundError(f"rule set file not found: {file}")
    text = file.read_text(encoding="utf-8")
    return _parse_and_compile(text, str(file), file.stem)[1]
