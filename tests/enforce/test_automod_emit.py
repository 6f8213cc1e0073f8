"""The rule set writer (`_emit.dump_yaml`) reads back as the data, like PyYAML's own dump.

Differential: generated data (text of any code point, NEL/LS/PS, controls, surrogates, numbers
of every shape, nesting) is written by `dump_yaml` and read back by PyYAML's safe loader (YAML
1.1, what AutoModerator used) and by modgate's authoring loader (what loads rule sets); both
must give the data back, equal to what PyYAML's own dump reads back as where that one keeps
the data (it writes NEL, LS and PS raw, which then read back as a space or a line break).
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.authoring import compose_document
from modgate.enforce.rules.automod._emit import dump_yaml

_KEYS = st.one_of(
    st.sampled_from(["id", "values", "yes", "no", "on", "null", "true", "Y", "1", "a b", "é"]),
    st.text(max_size=8),
)
_FLOATS = st.floats(allow_nan=False) | st.sampled_from([1e-05, 1e16, -0.0, 2.5, 100.0])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    _FLOATS,
    st.text(),
    st.text(alphabet=st.sampled_from("a \n\t\"'\\:#-\x85\u2028\u2029\x00\x7f\ufeff\ud800é😀")),
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DATA)
def test_written_data_reads_back_as_itself_on_both_loaders(data: Any) -> None:
    text = dump_yaml(data)
    assert _same(yaml.safe_load(text), data), text
    assert _same(compose_document(text).data, data), text
    reference = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
    if _same(reference, data):  # PyYAML's emitter writes NEL/LS/PS raw and loses them
        assert _same(yaml.safe_load(text), reference)


def test_special_values_are_written_as_yaml_reads_them() -> None:
    data = {
        "floats": [1e-05, 1e16, float("inf"), -float("inf"), 0.5],
        "text": ["a\x85b", "x\u2028y", "no", "1:30", "", "😀", "\ud800"],
        "empty": {"list": [], "map": {}},
        "yes": True,
    }
    text = dump_yaml(data)
    assert "\x85" not in text and "\u2028" not in text
    assert '"yes": true' in text  # a key YAML 1.1 would read as a boolean is quoted
    assert _same(yaml.safe_load(text), data)
    text.encode("utf-8")  # lone surrogates are escaped: the file can be written as UTF-8
