"""Load rule set files with every problem reported at once, each at its `file:line:col`.

PyYAML composes the document into nodes, which keep their marks; the nodes are turned into
plain data while the mark of every path is recorded. Schema errors (pydantic) and compile errors
(regexes, empty keywords) are then mapped back to the nearest recorded path.
"""

from __future__ import annotations

import re
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from modgate.enforce.rules._match import CompiledRuleSet, RuleSetCompileError, compile_ruleset
from modgate.enforce.rules._schema import Rule, RuleSet
from modgate.errors import NotFoundError, ValidationError

DocPath = tuple[str | int, ...]
_KEY = "\x00key"  # path suffix under which the mark of a mapping key is kept


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
            marks[(*child, _KEY)] = key_node.start_mark
            result[key] = _to_data(loader, value_node, child, marks, problems, source)
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
    exc: PydanticValidationError,
    source: str,
    marks: dict[DocPath, yaml.Mark],
    data: Any,
    prefix: DocPath = (),
) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        loc = (*prefix, *(p for p in error["loc"] if isinstance(p, str | int)))
        mark = _nearest_mark(loc, marks)
        if error["type"] == "extra_forbidden":
            mark = marks.get((*loc, _KEY), mark)
        message = error["msg"].removeprefix("Value error, ")
        got = _value_at(data, loc)
        if error["type"] == "missing":
            detail = f"{message}"
        elif error["type"] == "extra_forbidden":
            detail = f"unknown field {loc[-1]!r}" if loc else message
        elif got is not _MISSING and not isinstance(got, dict | list) and repr(got) not in message:
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


def _parse_and_compile(text: str, source: str, name: str | None) -> tuple[RuleSet, CompiledRuleSet]:
    try:
        data, marks, problems = _compose(text, source)
    except yaml.MarkedYAMLError as exc:
        raise RuleSetLoadError(
            source, [f"{_where(source, exc.problem_mark)}: {exc.problem}"]
        ) from exc
    except yaml.YAMLError as exc:
        raise RuleSetLoadError(source, [f"{source}: {exc}"]) from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise RuleSetLoadError(
            source, [f"{source}:1:1: expected a mapping with 'rules', got {kind}"]
        )
    if name is not None and "name" not in data:
        data = {"name": name, **data}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        # Nothing to take apart rule by rule: let the schema say what is wrong.
        try:
            RuleSet.model_validate(data)
        except PydanticValidationError as exc:
            problems += _schema_problems(exc, source, marks, data)
        raise RuleSetLoadError(source, problems or [f"{source}:1:1: no rules"])
    # Each rule is validated on its own, so one bad rule does not hide the others' problems,
    # and the valid ones are compiled to find bad patterns as well.
    valid: list[tuple[int, Rule]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        try:
            rule = Rule.model_validate(raw)
        except PydanticValidationError as exc:
            problems += _schema_problems(exc, source, marks, data, prefix=("rules", index))
            continue
        if rule.id in seen:
            where = _where(source, _nearest_mark(("rules", index, "id"), marks))
            problems.append(
                f"{where}: rules[{index}].id: rule id {rule.id!r} is already used by "
                f"rules[{seen[rule.id]}]"
            )
            continue
        seen[rule.id] = index
        valid.append((index, rule))
    header = {k: v for k, v in data.items() if k != "rules"}
    stand_in = [valid[0][1]] if valid else [Rule(id="stand-in", keywords=("x",))]
    try:
        checked = RuleSet.model_validate({**header, "rules": stand_in})
    except PydanticValidationError as exc:
        problems += _schema_problems(exc, source, marks, data)
        checked = RuleSet(rules=tuple(stand_in))
    ruleset = checked.model_copy(update={"rules": tuple(rule for _, rule in valid)})
    compiled: CompiledRuleSet | None = None
    if valid:
        try:
            compiled = compile_ruleset(ruleset, source)
        except RuleSetCompileError as exc:
            for problem in exc.problems:
                path = _renumber(problem.path, [index for index, _ in valid])
                where = _where(source, _nearest_mark(path, marks))
                problems.append(f"{where}: {_dotted(path)}: {problem.message}")
    if problems or compiled is None:
        raise RuleSetLoadError(source, sorted(problems, key=_line_order))
    return ruleset, compiled


def _line_order(problem: str) -> tuple[int, int]:
    match = _LINE_COL.search(problem)
    return (int(match[1]), int(match[2])) if match else (0, 0)


_LINE_COL = re.compile(r":(\d+):(\d+): ")


def _renumber(path: DocPath, original: list[int]) -> DocPath:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        return ("rules", original[path[1]], *path[2:])
    return path


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
