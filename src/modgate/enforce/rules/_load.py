"""Load rule set files with every problem reported at once, each at its `file:line:col`.

The file is composed once by `modgate.authoring` (line and column of every node, duplicate
keys, limits); each rule is validated on its own so one bad rule does not hide the others'
problems, and the valid ones are compiled to find bad patterns as well. Every problem comes out
in the authoring loader's one format.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path as FilePath

from modgate.authoring import (
    AuthoringError,
    Diagnostic,
    Limits,
    compose_document,
    read_source,
    validate,
)
from modgate.enforce.rules._match import CompiledRuleSet, RuleSetCompileError, compile_ruleset
from modgate.enforce.rules._schema import Rule, RuleSet
from modgate.errors import NotFoundError

DocPath = tuple[str | int, ...]

RULESET_LIMITS = Limits(max_bytes=64 << 20, max_nodes=(64 << 20) // 16)
"""A rule set file's bounds: 64 MB of text instead of 8 MB, since a rule set imported from a
large AutoModerator config is legitimately big (10 MB of config: ~16 MB of YAML), and a node
limit sized to it: one node per 16 bytes of the size limit (4,194,304; an imported rule set
spends about 20 bytes per node, so any file within the size limit is within it too). Aliases
and depth keep the authoring defaults; a file over a limit is refused, saying which."""


class RuleSetLoadError(AuthoringError):
    """A rule set file is invalid; `problems` holds one `file:line:col: …` line per finding."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(
            diagnostics, what="rule set", hint="see docs/rules.md for the rule set format"
        )
        self.problems = [d.headline() for d in self.diagnostics]


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
        document = compose_document(text, source=source, what="rule set", limits=RULESET_LIMITS)
    except AuthoringError as exc:
        raise RuleSetLoadError(exc.diagnostics) from exc
    data = document.data
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        document.add((), f"expected a mapping with 'rules', got {kind}")
        raise RuleSetLoadError(document.diagnostics)
    if name is not None and "name" not in data:
        data = {"name": name, **data}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        # Nothing to take apart rule by rule: let the schema say what is wrong.
        validate(document, RuleSet, data=data)
        if not document.diagnostics:
            document.add((), "no rules")
        raise RuleSetLoadError(document.diagnostics)
    valid: list[tuple[int, Rule]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        rule = validate(document, Rule, data=raw, prefix=("rules", index))
        if rule is None:
            continue
        if rule.id in seen:
            document.add(
                ("rules", index, "id"),
                f"rule id {rule.id!r} is already used by rules[{seen[rule.id]}]",
            )
            continue
        seen[rule.id] = index
        valid.append((index, rule))
    header = {k: v for k, v in data.items() if k != "rules"}
    stand_in = [valid[0][1]] if valid else [Rule(id="stand-in", keywords=("x",))]
    checked = validate(document, RuleSet, data={**header, "rules": stand_in})
    if checked is None:
        checked = RuleSet(rules=tuple(stand_in))
    ruleset = checked.model_copy(update={"rules": tuple(rule for _, rule in valid)})
    compiled: CompiledRuleSet | None = None
    if valid:
        try:
            compiled = compile_ruleset(ruleset, source)
        except RuleSetCompileError as exc:
            for problem in exc.problems:
                path = _renumber(problem.path, [index for index, _ in valid])
                document.add(path, problem.message)
    if document.diagnostics or compiled is None:
        raise RuleSetLoadError(document.diagnostics)
    return ruleset, compiled


def _renumber(path: DocPath, original: list[int]) -> DocPath:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        return ("rules", original[path[1]], *path[2:])
    return path


def load_ruleset(path: str | FilePath) -> CompiledRuleSet:
    """Load, validate and compile a rule set file (`rules/NAME.yaml`).

    Args:
        path: The file.

    A file of 1 MB or more is compiled once per content: later loads of the same bytes
    unpickle the compile from the rule set cache (`_cache.py`; `MODGATE_RULES_CACHE=0` turns
    it off).

    Returns:
        The compiled rule set; its `report` says which rules run on the fallback regex engine.

    Raises:
        NotFoundError: The file does not exist.
        RuleSetLoadError: The file is invalid (every problem listed with file:line:col).
    """
    file = FilePath(path)
    if not file.is_file():
        raise NotFoundError(f"rule set file not found: {file}")
    try:
        text = read_source(file)
    except AuthoringError as exc:  # not UTF-8
        raise RuleSetLoadError(exc.diagnostics) from exc
    from modgate.enforce.rules import _cache

    entry = _cache.cache_entry(file, text)  # None: a small file, or the cache is off
    compiled = None if entry is None else _cache.cached(entry)
    if compiled is None:
        compiled = _parse_and_compile(text, str(file), file.stem)[1]
        if entry is not None:
            _cache.store(entry, compiled)
    return compiled
