"""Bounded YAML loaders: PyYAML's safe loader with limits on size, depth and alias expansion.

PyYAML composes an alias as a second reference to the anchored node, so composing is cheap; the
cost comes later, when something walks the document as a tree (validation, a source map, `str()`
of a value): nine levels of ten aliases ("billion laughs") make 10⁹ nodes out of 600 bytes. The
composer here measures, for every node as it is composed, how many nodes it stands for once
aliases are expanded and how deep it nests, so each alias is priced in O(1) and a document over
its limits is refused while it is being read, in milliseconds.

Two loaders:

- `BoundedSafeLoader` reads YAML exactly as `yaml.SafeLoader` does (YAML 1.1 types), within the
  limits. For formats defined by PyYAML's reading (AutoModerator configurations).
- `AuthoringLoader` (for modgate's own files) types only what YAML 1.1 and 1.2 agree on: decimal
  integers, decimal floats with a dot, `true`/`false`, `null`. `no`, `on`, `y`, `1:30`, `0o17`,
  `017`, `1_000`, `1e3`, `2024-01-01` stay text, and the schema decides what they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

CUT_TAG = "tag:modgate.authoring:cut"
"""Tag of the stand-in for an alias refused by a limit (read as null, reported once)."""


@dataclass(frozen=True)
class Limits:
    """How big a document may be, with aliases expanded."""

    max_bytes: int = 8 * 1024 * 1024
    """Size of the text (UTF-8)."""
    max_nodes: int = 1_000_000
    """Nodes (scalars, lists, mappings), counting an alias as the nodes it stands for."""
    max_aliases: int = 10_000
    """Alias uses (`*name`)."""
    max_depth: int = 64
    """Nesting of lists and mappings, aliases expanded."""


DEFAULT_LIMITS = Limits()


class DocumentLimitError(yaml.MarkedYAMLError):
    """A document exceeds a `Limits` bound (or holds a recursive alias).

    A `yaml.YAMLError`, so code catching YAML errors reports it like a syntax error.
    """

    def __init__(self, problem: str, mark: Any, *, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


@dataclass(frozen=True)
class LimitProblem:
    """A limit hit at an alias; the loader went on with the alias read as null."""

    problem: str
    """What was exceeded."""
    hint: str
    """How to fix it."""
    line: int
    """1-based line of the alias."""
    col: int
    """1-based column of the alias."""
    path: tuple[str | int, ...]
    """Document path of the alias."""


_BOMB_HINT = (
    "anchors and aliases may repeat a value, not multiply a document; write the values out, "
    "or use fewer levels of aliases"
)


class _BoundedComposer(Composer):
    """Composer that prices every node and alias against `limits` as it composes."""

    if TYPE_CHECKING:  # provided by the parser it is mixed with

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def get_event(self) -> Any: ...

    limits: Limits = DEFAULT_LIMITS
    recover_from_limits: ClassVar[bool] = False
    """False: raise `DocumentLimitError` at the first limit. True: record a `LimitProblem`,
    read the offending alias as null and go on (the document is refused later, with the
    other problems found in it)."""

    def _init_bounds(self, stream: Any) -> None:
        size = len(stream) if isinstance(stream, str | bytes) else 0
        if isinstance(stream, str) and size * 4 > self.limits.max_bytes:
            size = len(stream.encode("utf-8", "surrogatepass"))
        if size > self.limits.max_bytes:
            raise DocumentLimitError(
                f"the document is {size:,} bytes, more than the {self.limits.max_bytes:,} allowed",
                None,
                hint="split it into several files",
            )
        self.limit_problems: list[LimitProblem] = []
        self._sizes: dict[int, int] = {}
        self._depths: dict[int, int] = {}
        self._keep: list[Node] = []
        self._expanded = 0
        self._aliases = 0
        self._depth = 0
        self._path: list[str | int | None] = []

    def compose_document(self) -> Node | None:
        node: Node | None = super().compose_document()
        self._sizes.clear()
        self._depths.clear()
        return node

    def compose_scalar_node(self, anchor: Any) -> Any:
        # YAML's non-specific tag `!` makes a scalar a string; libyaml reads it so, while
        # PyYAML's pure composer resolves it like an untagged scalar (`!` alone became null).
        # Both paths must give the same data, so the pure one follows the spec here.
        non_specific = self.peek_event().tag == "!"
        node = super().compose_scalar_node(anchor)
        if non_specific:
            node.tag = "tag:yaml.org,2002:str"
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is None:
                return super().compose_node(parent, index)  # raises "undefined alias"
            self.get_event()
            return self._alias(target, event, index)
        mark = self.peek_event().start_mark
        self._expanded += 1
        if self._expanded > self.limits.max_nodes:
            raise DocumentLimitError(
                f"the document has more than {self.limits.max_nodes:,} nodes",
                mark,
                hint="split it into several files",
            )
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise DocumentLimitError(
                f"lists and mappings nest deeper than {self.limits.max_depth} levels",
                mark,
                hint="flatten the structure",
            )
        self._path.append(_step(index))
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._path.pop()
        if node is not None:
            self._measure(node)
        return node

    def _measure(self, node: Node) -> None:
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            self._sizes[id(node)], self._depths[id(node)] = 1, 1
            return
        self._sizes[id(node)] = 1 + sum(self._sizes.get(id(c), 1) for c in children)
        self._depths[id(node)] = 1 + max((self._depths.get(id(c), 1) for c in children), default=0)

    def _alias(self, target: Node, event: Any, index: Any) -> Node:
        self._aliases += 1
        size = self._sizes.get(id(target))
        anchor = event.anchor
        problem: str | None = None
        if size is None:
            problem = f"alias *{anchor} is used inside the node it names (a recursive alias)"
        elif self._aliases > self.limits.max_aliases:
            problem = f"more than {self.limits.max_aliases:,} aliases"
        elif self._expanded + size > self.limits.max_nodes:
            problem = (
                f"alias *{anchor} expands the document past {self.limits.max_nodes:,} nodes "
                "(nested aliases: a 'billion laughs' document)"
            )
        elif self._depth + self._depths[id(target)] > self.limits.max_depth:
            problem = f"alias *{anchor} nests the document deeper than {self.limits.max_depth}"
        if problem is None:
            assert size is not None
            self._expanded += size
            return target
        mark = event.start_mark
        if not self.recover_from_limits:
            raise DocumentLimitError(problem, mark, hint=_BOMB_HINT)
        if not self.limit_problems:
            path = tuple(p for p in (*self._path, _step(index)) if p is not None)
            self.limit_problems.append(
                LimitProblem(problem, _BOMB_HINT, mark.line + 1, mark.column + 1, path)
            )
        stand_in = ScalarNode(CUT_TAG, "", event.start_mark, event.end_mark)
        self._keep.append(stand_in)
        self._sizes[id(stand_in)], self._depths[id(stand_in)] = 1, 1
        return stand_in


def _step(index: Any) -> str | int | None:
    if isinstance(index, int):
        return index
    if isinstance(index, ScalarNode):
        return str(index.value)
    return None


class BoundedSafeLoader(_BoundedComposer, yaml.SafeLoader):
    """`yaml.SafeLoader` (pure Python, YAML 1.1 types) within `limits`.

    Raises `DocumentLimitError` (a `yaml.YAMLError`) at the first limit exceeded.
    """

    def __init__(self, stream: Any) -> None:
        self._init_bounds(stream)
        super().__init__(stream)


class AuthoringLoader(BoundedSafeLoader):
    """The loader of modgate's own files: types only what YAML 1.1 and 1.2 agree on.

    A limit hit at an alias is recorded in `limit_problems` (the alias reads as null) so that
    it is reported with the document's other problems.
    """

    recover_from_limits = True
    yaml_implicit_resolvers = {}  # filled below, replacing YAML 1.1's


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", "<"),
):
    AuthoringLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


def _with_libyaml(base: type[BoundedSafeLoader]) -> type[BoundedSafeLoader]:
    """`base` reading events from libyaml's C parser (when installed), composing in Python.

    The parser is where PyYAML spends its time; the composer (which applies the limits) and the
    resolver stay the Python ones, so the two give the same nodes.
    """
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return base

    class _Fast(CParser, base):  # type: ignore[misc,valid-type]
        get_single_node = Composer.get_single_node
        get_node = Composer.get_node
        check_node = Composer.check_node

        def __init__(self, stream: Any) -> None:
            self._init_bounds(stream)
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _Fast.__name__ = _Fast.__qualname__ = f"Fast{base.__name__}"
    return _Fast


def _with_libyaml_composer(base: type[BoundedSafeLoader]) -> type[BoundedSafeLoader] | None:
    """`base` composed entirely by libyaml's C composer (no limits applied while composing).

    Used only through `compose_unaliased`, which checks the composed graph afterwards.
    """
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return None

    class _Native(CParser, base):  # type: ignore[misc,valid-type]
        def __init__(self, stream: Any) -> None:
            self._init_bounds(stream)  # the size limit, before anything is read
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _Native.__name__ = _Native.__qualname__ = f"Native{base.__name__}"
    return _Native


_NON_SPECIFIC_TAG = re.compile(r"(?:^|(?<=[\s\[{,]))!(?=[\s\]},]|$)", re.MULTILINE)


def compose_unaliased(
    text: str, base: type[BoundedSafeLoader], limits: Limits
) -> tuple[BoundedSafeLoader, Node | None] | None:
    """Compose `text` with libyaml's C composer when that is provably the bounded reading.

    The bounded composer prices aliases while it composes, in Python; libyaml's composer is
    several times faster but prices nothing. A document without a single alias cannot expand
    beyond what it spells out, so after composing in C one walk over the node graph counts its
    nodes and depth: if no node is reached twice (no alias) and the counts are within
    `limits`, the nodes are exactly the bounded composer's. Otherwise (an alias, a count over
    a limit, a non-specific `!` tag, which the two composers type differently) this returns
    None and the caller composes with the bounded composer, whose verdict and messages stand.

    Returns:
        The loader (dispose it) and the document's root node, or None (use the bounded path).

    Raises:
        yaml.YAMLError: A syntax error (the caller reads the text again with PyYAML), or the
            text is over `limits.max_bytes` (`DocumentLimitError`).
    """
    native = _NATIVE.get(base)
    if native is None or ("!" in text and _NON_SPECIFIC_TAG.search(text)):  # `in`: a fast scan
        return None
    loader_class = (
        native if limits == native.limits else type(native.__name__, (native,), {"limits": limits})
    )
    loader = loader_class(text)
    try:
        root: Node | None = loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise
    if root is not None and not _plain_tree_within(root, limits):
        loader.dispose()
        return None
    return loader, root


def _plain_tree_within(root: Node, limits: Limits) -> bool:
    """Whether the graph under `root` is a tree (no node reached twice) within the limits."""
    seen: set[int] = set()
    pending: list[tuple[Node, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if id(node) in seen:
            return False  # an alias: the bounded composer prices it
        seen.add(id(node))
        if len(seen) > limits.max_nodes or depth > limits.max_depth:
            return False
        if isinstance(node, MappingNode):
            for key, value in node.value:
                pending.append((key, depth + 1))
                pending.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            pending.extend((child, depth + 1) for child in node.value)
    return True


FastAuthoringLoader = _with_libyaml(AuthoringLoader)
"""`AuthoringLoader` over libyaml's parser when PyYAML has it (several times faster)."""
FastBoundedSafeLoader = _with_libyaml(BoundedSafeLoader)
"""`BoundedSafeLoader` over libyaml's parser when PyYAML has it. On a syntax error, read the
text again with `BoundedSafeLoader`: PyYAML's verdict and message are the reference."""

_NATIVE: dict[type[BoundedSafeLoader], type[BoundedSafeLoader]] = {
    base: native
    for base in (AuthoringLoader, BoundedSafeLoader)
    if (native := _with_libyaml_composer(base)) is not None
}
