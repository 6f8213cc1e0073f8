"""The bounded loader: strict scalars, duplicate keys, locations, limits, and its properties."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from modgate.authoring import (
    DEFAULT_LIMITS,
    AuthoringError,
    AuthoringLoader,
    BoundedSafeLoader,
    DocumentLimitError,
    Limits,
    compose_document,
    load_yaml_model,
)


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    count: int = 0


class Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    words: tuple[str, ...] = ()
    ratio: float = 0.0
    enabled: bool = False
    items: tuple[Item, ...] = ()


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("1:30", "1:30"),
     ("0o17", "0o17"), ("017", "017"), ("0x1F", "0x1F"), ("1_000", "1_000"), ("1e3", "1e3"),
     ("2024-01-01", "2024-01-01"), ("12", 12), ("-3", -3), ("0.5", 0.5), ("true", True),
     ("false", False), ("~", None), ("null", None), ("'no'", "no")],
)  # fmt: skip
def test_only_what_yaml_11_and_12_agree_on_is_typed(scalar: str, expected: object) -> None:
    assert compose_document(f"v: {scalar}\n").data == {"v": expected}


def test_where_a_string_is_expected_an_unquoted_scalar_is_its_text() -> None:
    doc = load_yaml_model("name: 1.10\nwords: [no, 42, true, 1:30, 0o17, 1e3]\n", Doc)
    assert doc.name == "1.10"
    assert doc.words == ("no", "42", "true", "1:30", "0o17", "1e3")


def test_where_a_number_is_expected_yaml_11_forms_are_refused_with_a_hint() -> None:
    for text in ("1:30", "0o17", "0x1F"):
        with pytest.raises(AuthoringError) as caught:
            load_yaml_model(f"name: x\nratio: {text}\n", Doc, name="d.yaml")
        (problem,) = caught.value.diagnostics
        assert (problem.line, problem.col, problem.path) == (2, 8, "ratio")
        assert problem.hint is not None and "1:30" in problem.hint
    assert load_yaml_model("name: x\nratio: 1e3\nenabled: no\n", Doc).ratio == 1000.0


def test_duplicate_keys_unknown_fields_and_types_are_all_reported_in_order() -> None:
    text = "name: a\nitems:\n  - id: x\n    count: many\n  - id: y\n    colour: red\nname: b\n"
    with pytest.raises(AuthoringError) as caught:
        load_yaml_model(text, Doc, name="d.yaml", what="test file")
    lines = caught.value.render().splitlines()
    assert lines[0] == "d.yaml:4:12: items[0].count: Input should be a valid integer, unable to "\
        "parse string as an integer (got 'many')"  # fmt: skip
    assert lines[1] == "d.yaml:6:5: items[1].colour: unknown field 'colour'"
    assert lines[2] == "    hint: known fields here: id, count"
    assert lines[3] == "d.yaml:7:1: name: duplicate key 'name' (first at line 1)"
    assert str(caught.value).startswith("3 problems in test file d.yaml:\n")


def test_missing_fields_point_at_the_mapping_that_lacks_them() -> None:
    with pytest.raises(AuthoringError) as caught:
        load_yaml_model("name: a\nitems:\n  - count: 1\n", Doc, name="d.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.headline() == "d.yaml:3:5: items[0].id: required field 'id' is missing"


def test_merge_keys_and_aliases_share_values_and_locations() -> None:
    doc = compose_document("base: &b {id: x, count: 2}\nother:\n  <<: *b\n  count: 3\n")
    assert doc.data["other"] == {"id": "x", "count": 3}
    assert doc.source.value_at(("other", "id")) == doc.source.value_at(("base", "id"))
    assert doc.source.key_at(("other", "count")).line == 4  # type: ignore[union-attr]
    assert doc.diagnostics == []


def test_tags_beyond_plain_data_are_refused() -> None:
    with pytest.raises(AuthoringError, match="unsupported tag"):
        load_yaml_model("name: !!python/object:os.system x\n", Doc)


def _bomb(levels: int, fan: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_in_milliseconds_by_both_loaders() -> None:
    text = _bomb(10)  # 10⁹ nodes expanded, under 1 kB written
    started = time.perf_counter()
    with pytest.raises(AuthoringError, match="billion laughs"):
        load_yaml_model(text, Doc)
    with pytest.raises(DocumentLimitError):
        BoundedSafeLoader(text).get_single_node()
    assert time.perf_counter() - started < 1.0


def test_each_limit_has_its_own_clear_error() -> None:
    small = Limits(max_bytes=400, max_nodes=50, max_aliases=3, max_depth=4)
    cases = {
        "x: " + "y" * 500: "bytes",
        "[[[[[1]]]]]": "deeper than 4",
        "[" + ", ".join(["1"] * 60) + "]": "more than 50 nodes",
        "a: &a 1\nb: [*a, *a, *a, *a]\n": "more than 3 aliases",
        "a: &a [*a]\n": "recursive alias",
    }
    for text, needle in cases.items():
        with pytest.raises(AuthoringError, match=needle):
            compose_document(text, limits=small).raise_for_problems()


def test_yaml_syntax_errors_name_line_and_column() -> None:
    with pytest.raises(AuthoringError) as caught:
        compose_document("a: [1, 2\nb: 3\n", source="s.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.code == "yaml" and problem.line is not None and problem.col is not None
    assert problem.message.startswith("invalid YAML: ")


# --- properties --------------------------------------------------------------------------------

_BITS = st.sampled_from(
    ["a: ", "b:", "- ", "\n", "  ", "&x ", "*x", "&y ", "*y", "[", "]", "{", "}", ", ", "'", '"',
     "no", "1:30", "0o17", "1e3", "<<: ", "!!python/object ", "!!int ", "? ", "---\n", "\t", "#"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_BITS, max_size=40).map("".join)))
def test_arbitrary_text_loads_or_raises_authoring_error_only(text: str) -> None:
    try:
        load_yaml_model(text, Doc, name="p.yaml")
    except AuthoringError as exc:
        assert exc.diagnostics
        assert all(d.file == "p.yaml" for d in exc.diagnostics)


@st.composite
def _alias_documents(draw: st.DrawFn) -> str:
    """Documents of anchored lists and mappings that alias earlier anchors, at any fan-out."""
    lines: list[str] = []
    for k in range(draw(st.integers(1, 12))):
        fan = draw(st.integers(1, 40))
        parts = [f"*a{draw(st.integers(0, k - 1))}" if k and draw(st.booleans()) else "lol"
                 for _ in range(fan)]  # fmt: skip
        if draw(st.booleans()):
            body = "[" + ", ".join(parts) + "]"
        else:
            body = "{" + ", ".join(f"k{i}: {p}" for i, p in enumerate(parts)) + "}"
        key = draw(st.sampled_from(["name", "words", "items", "ratio", f"x{k}"]))
        lines.append(f"{key}: &a{k} {body}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(_alias_documents())
def test_arbitrary_nested_alias_documents_raise_authoring_error_quickly(text: str) -> None:
    started = time.perf_counter()
    try:
        load_yaml_model(text, Doc, name="p.yaml")
    except AuthoringError as exc:
        assert exc.diagnostics
    assert time.perf_counter() - started < 5.0  # bounded work, whatever the fan-out


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(_BITS, max_size=30).map("".join)))
def test_libyaml_and_pure_python_compose_the_same_data(text: str) -> None:
    from modgate.authoring._compose import _compose, _loader_class
    from modgate.authoring._loader import DEFAULT_LIMITS

    def shape(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return (node.tag, node.value)
        if isinstance(node, yaml.SequenceNode):
            return [shape(child) for child in node.value]
        assert isinstance(node, yaml.MappingNode)
        return [(shape(k), shape(v)) for k, v in node.value]

    def run(fast: bool) -> object:
        try:
            node, _ = _compose(_loader_class(DEFAULT_LIMITS, fast=fast), text)
        except yaml.YAMLError:
            return "error"
        return None if node is None else shape(node)

    fast, pure = run(True), run(False)
    if "error" not in (fast, pure):
        assert fast == pure


def test_authoring_loader_is_a_safe_loader() -> None:
    assert issubclass(AuthoringLoader, yaml.SafeLoader)
    assert issubclass(BoundedSafeLoader, yaml.SafeLoader)


def test_a_merge_key_bomb_is_one_problem_in_milliseconds() -> None:
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for k in range(1, 12):
        lines.append(f"m{k}: &m{k} {{<<: [" + ", ".join([f"*m{k - 1}"] * 9) + f"], own{k}: x}}")
    started = time.perf_counter()
    document = compose_document("\n".join(lines) + "\n", source="m.yaml")
    assert time.perf_counter() - started < 1.0
    (problem,) = document.diagnostics
    assert "billion laughs" in problem.message
    # m_k stands for about 9·size(m_k-1) nodes: m4 ≈ 1.3·10⁵, so the seventh *m4 in m5 (line 6)
    # is the one that takes the running total past 10⁶
    assert problem.line == 6 and problem.path == "m5.<<[6]"


@pytest.mark.parametrize("text", ["!", "! ", "a: !\n", "- ! x\n"])
def test_the_non_specific_tag_reads_the_same_with_and_without_libyaml(text: str) -> None:
    from modgate.authoring._compose import _compose, _loader_class
    from modgate.authoring._loader import DEFAULT_LIMITS

    def tags(fast: bool) -> list[str]:
        node, _ = _compose(_loader_class(DEFAULT_LIMITS, fast=fast), text)
        found: list[str] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, yaml.ScalarNode):
                found.append(current.tag)
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, yaml.MappingNode):
                stack.extend(v for pair in current.value for v in pair)
        return found

    assert tags(True) == tags(False)


_NATIVE_CASES = [
    "name: demo\nrules:\n  - id: a\n    keywords: [x, 'y', \"z\", 1, 1.5, true, null, no, 1:30]\n",
    "a: {b: [1, [2, [3]]], c: ''}\nd: |\n  block\n  text\ne: >\n  folded\n",
    "a: &x [1, 2]\nb: *x\n",  # an alias: the bounded composer's reading
    "a: ! 12\nb: !!str 3\n",  # a non-specific tag: the bounded composer's reading
    "a: 1\na: 2\n",  # duplicate key, reported from the nodes either way
    "<<: {a: 1}\nb: 2\n",
]


@pytest.mark.parametrize("text", _NATIVE_CASES)
def test_the_libyaml_composer_path_reads_as_the_bounded_composer(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modgate.authoring import _compose

    fast = compose_document(text)
    monkeypatch.setattr(_compose, "compose_unaliased", lambda *args: None)
    bounded = compose_document(text)
    assert fast.data == bounded.data
    assert [d.headline() for d in fast.diagnostics] == [d.headline() for d in bounded.diagnostics]
    for path in ([], ["a"], ["b"], ["rules", 0, "keywords", 2], ["d"]):
        assert fast.source.value_at(path) == bounded.source.value_at(path)


def test_the_libyaml_composer_path_is_taken_only_without_aliases_and_within_limits() -> None:
    from modgate.authoring._loader import compose_unaliased

    plain = compose_unaliased("a: [1, 2]\n", AuthoringLoader, DEFAULT_LIMITS)
    assert plain is not None and plain[1] is not None
    plain[0].dispose()
    assert compose_unaliased("a: &x [1]\nb: *x\n", AuthoringLoader, DEFAULT_LIMITS) is None
    assert compose_unaliased(_bomb(10), AuthoringLoader, DEFAULT_LIMITS) is None
    few = Limits(max_nodes=5)
    assert compose_unaliased("[1, 2, 3, 4]\n", AuthoringLoader, few) is not None
    assert compose_unaliased("[1, 2, 3, 4, 5]\n", AuthoringLoader, few) is None  # 6 nodes
    assert compose_unaliased("[[[1]]]\n", AuthoringLoader, Limits(max_depth=3)) is None
