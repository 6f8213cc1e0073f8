"""Compose a YAML document once: plain data, a source map of every node, and the problems found.

The node tree comes from `AuthoringLoader` (bounded, strict types); data is built from it here
rather than by PyYAML's constructor so that keys are text, duplicate keys are reported (PyYAML
keeps the last silently), unsupported tags are reported, and an alias yields the same Python
object as its anchor (no copy, so an expanded size never becomes memory).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from modgate.authoring._diagnostic import AuthoringError, Diagnostic, FieldPath, format_field_path
from modgate.authoring._loader import (
    CUT_TAG,
    DEFAULT_LIMITS,
    AuthoringLoader,
    DocumentLimitError,
    FastAuthoringLoader,
    Limits,
    compose_unaliased,
)
from modgate.errors import NotFoundError

_TAG = "tag:yaml.org,2002:"
_MERGE = _TAG + "merge"


@dataclass(frozen=True)
class Position:
    """A 1-based line and column."""

    line: int
    col: int


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Entries:
    """A mapping node's entries by key text (own keys over `<<` merged ones)."""

    pairs: dict[str, tuple[Node, Node]]
    problems: list[tuple[Node, str, str, str]]  # (node, key, message, hint)


class SourceMap:
    """Where each field of a composed document is written (1-based line and column).

    Lookups walk the node tree along the path, so aliases cost nothing to locate: a value
    reached through an alias is located at its anchor.
    """

    def __init__(self, file: str, root: Node | None) -> None:
        self.file = file
        self.root = root
        self._entries: dict[int, _Entries] = {}

    def entries(self, node: MappingNode) -> _Entries:
        """The entries of a mapping node (cached)."""
        found = self._entries.get(id(node))
        if found is None:
            found = self._entries[id(node)] = self._collect(node)
        return found

    def _collect(self, node: MappingNode) -> _Entries:
        own: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        problems: list[tuple[Node, str, str, str]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if source.tag == CUT_TAG:
                        continue  # an alias refused by a limit: reported once already
                    if not isinstance(source, MappingNode):
                        problems.append(
                            (key_node, "<<", "`<<` merges only mappings", "write `<<: *anchor` "
                             "where the anchor names a mapping")
                        )  # fmt: skip
                        continue
                    # a merged mapping was composed before this one (aliases point backwards,
                    # recursive ones are refused), so the cache makes this linear
                    for key, pair in self.entries(source).pairs.items():
                        merged.setdefault(key, pair)
                continue
            if not isinstance(key_node, ScalarNode):
                problems.append(
                    (
                        key_node,
                        "?",
                        "a key must be plain text, not a list or mapping",
                        "write a name",
                    )
                )
                continue
            key = str(key_node.value)
            if key in own:
                first = own[key][0].start_mark.line + 1
                problems.append(
                    (key_node, key, f"duplicate key {key!r} (first at line {first})",
                     "YAML would keep only the last value of a repeated key; merge or rename them")
                )  # fmt: skip
                continue
            own[key] = (key_node, value_node)
        return _Entries(pairs={**merged, **own}, problems=problems)

    def node(self, path: Sequence[str | int]) -> Node | None:
        """The value node at `path`, or None when the path is not in the document."""
        node = self.root
        for part in path:
            if isinstance(node, MappingNode):
                pair = self.entries(node).pairs.get(str(part))
                node = pair[1] if pair is not None else None
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            else:
                return None
            if node is None:
                return None
        return node

    def value_at(self, path: Sequence[str | int]) -> Position | None:
        """Start of the value at `path`, if the path is in the document."""
        node = self.node(path)
        return _position(node) if node is not None else None

    def key_at(self, path: Sequence[str | int]) -> Position | None:
        """Start of the key that names the last part of `path`, if it is a mapping key."""
        if not path:
            return None
        parent = self.node(path[:-1])
        if not isinstance(parent, MappingNode):
            return None
        pair = self.entries(parent).pairs.get(str(path[-1]))
        return _position(pair[0]) if pair is not None else None

    def nearest(self, path: Sequence[str | int]) -> Position:
        """Start of the value at `path` or, when absent, of its nearest enclosing value."""
        for cut in range(len(path), -1, -1):
            found = self.value_at(path[:cut])
            if found is not None:
                return found
        return Position(1, 1)

    def locate(self, path: Sequence[str | int], *, at_key: bool = False) -> Position:
        """Where a problem about `path` points.

        Its key (with `at_key`), else its value, else the nearest enclosing value: a missing
        field points at the mapping that lacks it.
        """
        if at_key:
            key = self.key_at(path)
            if key is not None:
                return key
        return self.nearest(path)

    def is_plain(self, path: Sequence[str | int]) -> ScalarNode | None:
        """The node at `path` when it is an unquoted scalar that YAML typed (number, bool)."""
        node = self.node(path)
        if (
            isinstance(node, ScalarNode)
            and not node.style  # None (PyYAML) or '' (libyaml) for an unquoted scalar
            and node.tag in (_TAG + "int", _TAG + "float", _TAG + "bool")
        ):
            return node
        return None


@dataclass
class ComposedDocument:
    """A document composed once: its data, where each node is, and the problems found so far.

    Loaders that post-process the data report their own problems with `add`, validate parts
    with `modgate.authoring.validate`, and end with `raise_for_problems`.
    """

    data: Any
    """Plain data: dicts with text keys, lists, str, int, float, bool, None."""
    source: SourceMap
    """Line and column of every node."""
    text: str
    """The text as read."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Problems found so far (composition, then validation and the loader's own checks)."""
    poisoned: list[FieldPath] = field(default_factory=list)
    """Paths whose value was cut short (an alias over the limits): validation errors at, under
    or above them are consequences, not problems of their own."""

    @property
    def file(self) -> str:
        """The file name used in diagnostics."""
        return self.source.file

    def add(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        hint: str | None = None,
        at_key: bool = False,
        code: str = "schema",
    ) -> Diagnostic:
        """Record a problem about the field at `path` (located as `SourceMap.locate` says)."""
        where = self.source.locate(path, at_key=at_key)
        diagnostic = Diagnostic(
            file=self.file,
            line=where.line,
            col=where.col,
            path=format_field_path(path),
            message=message,
            hint=hint,
            code=code,
        )
        self.diagnostics.append(diagnostic)
        return diagnostic

    def is_poisoned(self, path: Sequence[str | int]) -> bool:
        """Whether `path` is at, under or above a value cut short by a limit."""
        path = tuple(path)
        for cut in self.poisoned:
            n = min(len(cut), len(path))
            if path[:n] == cut[:n]:
                return True
        return False

    def raise_for_problems(self, what: str = "file", *, hint: str | None = None) -> None:
        """Raise `AuthoringError` with every problem recorded, if there is any."""
        if self.diagnostics:
            raise AuthoringError(self.diagnostics, what=what, hint=hint)


def read_source(path: Path, *, what: str = "file") -> str:
    """Read a user-written file as UTF-8 text.

    Raises:
        NotFoundError: No such file, or it is a folder.
        AuthoringError: The file is not UTF-8 (the diagnostic names the line).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file {str(path)!r}") from exc
    except IsADirectoryError as exc:
        raise NotFoundError(f"{str(path)!r} is a folder, not a file") from exc
    except OSError as exc:
        raise NotFoundError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problem = Diagnostic(
            file=str(path),
            line=line,
            col=col,
            path="",
            message=f"not UTF-8 text (byte {raw[exc.start]:#04x})",
            hint="save the file as UTF-8",
            code="yaml",
        )
        raise AuthoringError([problem], what=what) from exc


def compose_document(
    text: str, *, source: str = "<text>", what: str = "file", limits: Limits = DEFAULT_LIMITS
) -> ComposedDocument:
    """Compose YAML text into data and a source map, within `limits`.

    Problems the text can be read past (duplicate keys, unsupported tags, an alias over the
    limits) are returned in `diagnostics`; the caller validates and raises.

    Args:
        text: The YAML text (one document).
        source: File name used in diagnostics.
        what: Kind of file, for the header of an error raised here (`gate file`…).
        limits: Size, depth and alias bounds.

    Returns:
        The composed document.

    Raises:
        AuthoringError: The text is not YAML, holds several documents, or exceeds a size or
            depth limit (one diagnostic, at the place it was found).
    """
    problems: list[Any]
    try:
        native = compose_unaliased(text, AuthoringLoader, limits)
        if native is not None:  # no alias: libyaml's composer, same nodes, several times faster
            native[0].dispose()
            root, problems = native[1], []
        else:
            root, problems = _compose(_loader_class(limits, fast=True), text)
    except DocumentLimitError as exc:
        raise _fatal(source, exc, what) from exc
    except yaml.YAMLError:
        # libyaml and PyYAML disagree on a few edge cases, and PyYAML's messages point closer
        # to the mistake: a syntax error is read again by PyYAML, whose verdict stands.
        try:
            root, problems = _compose(_loader_class(limits, fast=False), text)
        except yaml.YAMLError as exc:
            raise _fatal(source, exc, what) from exc
    document = ComposedDocument(data=None, source=SourceMap(source, root), text=text)
    for problem in problems:
        document.poisoned.append(problem.path)
        document.diagnostics.append(
            Diagnostic(
                file=source,
                line=problem.line,
                col=problem.col,
                path=format_field_path(problem.path),
                message=problem.problem,
                hint=problem.hint,
                code="yaml",
            )
        )
    if root is not None:
        document.data = _Builder(document).build(root, ())
    return document


def _compose(loader_class: type[AuthoringLoader], text: str) -> tuple[Node | None, list[Any]]:
    loader = loader_class(text)
    try:
        return loader.get_single_node(), list(loader.limit_problems)
    finally:
        loader.dispose()


def _loader_class(limits: Limits, *, fast: bool) -> type[AuthoringLoader]:
    base: type[AuthoringLoader] = FastAuthoringLoader if fast else AuthoringLoader  # type: ignore[assignment]
    if limits == DEFAULT_LIMITS:
        return base
    return type("BoundedAuthoringLoader", (base,), {"limits": limits})


def _fatal(source: str, exc: yaml.YAMLError, what: str) -> AuthoringError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, DocumentLimitError):
        message, hint = problem, exc.hint
    else:
        message = f"invalid YAML: {problem}"
        context = getattr(exc, "context", None)
        if context and "expected a single document" in context:
            message = "invalid YAML: the file must hold one document (no second `---`)"
        hint = "check indentation, colons and quoting around this line"
        if "'\\t'" in str(exc) or "\\t" in problem:
            hint = "YAML indents with spaces, never tabs"
    diagnostic = Diagnostic(
        file=source,
        line=mark.line + 1 if mark is not None else None,
        col=mark.column + 1 if mark is not None else None,
        path="",
        message=message,
        hint=hint,
        code="yaml",
    )
    return AuthoringError([diagnostic], what=what)


class _Builder:
    """Nodes → plain data; containers are memoized by node, so an alias shares its anchor's."""

    def __init__(self, document: ComposedDocument) -> None:
        self.document = document
        self.built: dict[int, Any] = {}

    def build(self, node: Node, path: FieldPath) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        done = self.built.get(id(node))
        if done is not None:
            return done
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            self.built[id(node)] = items
            if node.tag not in (_TAG + "seq",):
                self.unsupported(node, path)
            items.extend(self.build(child, (*path, i)) for i, child in enumerate(node.value))
            return items
        assert isinstance(node, MappingNode)
        mapping: dict[str, Any] = {}
        self.built[id(node)] = mapping
        if node.tag not in (_TAG + "map",):
            self.unsupported(node, path)
        entries = self.document.source.entries(node)
        for problem_node, key, message, hint in entries.problems:
            self.document.diagnostics.append(
                Diagnostic(
                    file=self.document.file,
                    line=problem_node.start_mark.line + 1,
                    col=problem_node.start_mark.column + 1,
                    path=format_field_path((*path, key)),
                    message=message,
                    hint=hint,
                    code="yaml",
                )
            )
        for key, (_, value_node) in entries.pairs.items():
            mapping[key] = self.build(value_node, (*path, key))
        return mapping

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        tag, value = node.tag, str(node.value)
        if tag == _TAG + "str":
            return value
        if tag == CUT_TAG:
            return None
        if tag == _TAG + "null":
            if not node.style and value in ("", "~", "null", "Null", "NULL"):
                return None
        elif tag == _TAG + "bool":
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
        elif tag == _TAG + "int":
            try:
                return int(value, 10)
            except ValueError:
                pass
        elif tag == _TAG + "float":
            lowered = value.lower().lstrip("+")
            if lowered in (".inf", "-.inf", ".nan"):
                return {".inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}[lowered]
            try:
                return float(value)
            except ValueError:
                pass
        else:
            self.unsupported(node, path)
            return None
        self.document.poisoned.append(path)
        self.document.diagnostics.append(
            Diagnostic(
                file=self.document.file,
                line=node.start_mark.line + 1,
                col=node.start_mark.column + 1,
                path=format_field_path(path),
                message=f"{value!r} is not a valid {tag.removeprefix(_TAG)}",
                hint="remove the tag, or write a value of that type",
                code="yaml",
            )
        )
        return None

    def unsupported(self, node: Node, path: FieldPath) -> None:
        self.document.poisoned.append(path)
        self.document.diagnostics.append(
            Diagnostic(
                file=self.document.file,
                line=node.start_mark.line + 1,
                col=node.start_mark.column + 1,
                path=format_field_path(path),
                message=f"unsupported tag {node.tag!r}",
                hint="remove the tag (`!…`); quote the value if it is text",
                code="yaml",
            )
        )
