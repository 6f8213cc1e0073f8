from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.cli.golden import parse_label_map
from modgate.errors import ValidationError
from modgate.golden._checks import normalize_for_match
from modgate.golden._io import _list

token = st.text(st.characters(blacklist_characters=";,|[]=\n\r", min_codepoint=33), min_size=1)


@settings(deadline=None)
@given(st.lists(token, max_size=6), st.sampled_from([";", ",", "|"]))
def test_list_columns_parse_text_and_json_lists_alike(tokens: list[str], sep: str) -> None:
    tokens = [t.strip() for t in tokens if t.strip()]
    expected = tuple(sorted(set(tokens)))
    assert _list({"tags": sep.join(tokens)}, "tags") == expected
    assert _list({"tags": tokens}, "tags") == expected


@settings(deadline=None)
@given(st.dictionaries(token, token, max_size=5))
def test_label_map_round_trips(mapping: dict[str, str]) -> None:
    mapping = {k.strip(): v.strip() for k, v in mapping.items() if k.strip() and v.strip()}
    text = ",".join(f"{k}={v}" for k, v in mapping.items())
    assert parse_label_map(text) == mapping


def test_label_map_rejects_pairs_without_equals() -> None:
    for bad in ("hate", "=violating", "hate=", "a=b,c"):
        try:
            parse_label_map(bad)
        except ValidationError as exc:
            assert "--map" in exc.message
        else:
            raise AssertionError(bad)


@settings(deadline=None)
@given(st.text(max_size=80))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_for_match(text)
    assert normalize_for_match(once) == once
