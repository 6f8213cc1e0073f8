"""Big AutoModerator configs: the fast reading paths give the reference results; limits hold.

- Sections are composed from libyaml's events; a section libyaml refuses is read again by
  PyYAML, whose message (and the tab hint) stands.
- Line numbers stay right across thousands of sections (counted once, not per section).
- The rule set YAML is written by libyaml's emitter and reads back as the same rule set,
  characters YAML reads as line breaks (NEL, LS, PS) included.
- A config over the size limit, a section over the alias limits: clear errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.authoring import BoundedSafeLoader, FastBoundedSafeLoader
from modgate.enforce.rules import parse_ruleset
from modgate.enforce.rules._load import RULESET_LIMITS
from modgate.enforce.rules.automod import _parse
from modgate.enforce.rules.automod._io import render_rule_set_yaml
from modgate.enforce.rules.automod._parse import parse_automod_config, read_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config
from modgate.errors import ValidationError
from tests.enforce.test_automod_parse import _FRAGMENTS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "automod"


def test_sections_compose_to_the_same_nodes_on_both_loaders() -> None:
    text = (FIXTURES / "plantswap.yaml").read_text(encoding="utf-8")
    sections = [s for s in text.split("\n---") if s.strip()]
    for section in sections:
        fast, slow = FastBoundedSafeLoader(section), BoundedSafeLoader(section)
        try:
            try:
                want = slow.get_single_node()
            except yaml.YAMLError:
                continue
            got = fast.get_single_node()
            assert _shape(got) == _shape(want)
        finally:
            fast.dispose()
            slow.dispose()


def _shape(node: object) -> object:
    if node is None:
        return None
    value = node.value  # type: ignore[attr-defined]
    mark = node.start_mark  # type: ignore[attr-defined]
    where = (node.tag, mark.line, mark.column)  # type: ignore[attr-defined]
    if isinstance(value, list):
        return (
            where,
            [_shape(v) if not isinstance(v, tuple) else tuple(map(_shape, v)) for v in value],
        )
    return (where, value)


def test_a_section_libyaml_refuses_gets_pyyaml_s_message_and_hint() -> None:
    config = parse_automod_config("title: [a]\naction: remove\n---\ntitle:\t[a]\naction: remove\n")
    bad = config.documents[1]
    assert bad.status == "invalid"
    assert "YAML error at line 4" in bad.reason
    assert "accepts no tab" in bad.reason  # PyYAML's message names the tab


def test_line_numbers_stay_right_across_many_sections() -> None:
    parts = [f"# section {n}\ntitle: [w{n}]\n\naction: remove\n" for n in range(3000)]
    config = parse_automod_config("---\n".join(parts))
    rules = [d for d in config.documents if d.status == "rule"]
    assert len(rules) == 3000
    for n, document in enumerate(rules):
        assert document.line == 1 + 5 * n
        assert document.rule is not None
        assert document.rule.searches[0].line == 2 + 5 * n


def test_the_written_rule_set_reads_back_as_the_same_rule_set() -> None:
    for name in ("plantswap", "leafcare"):
        result = import_automod_config(read_automod_config(FIXTURES / f"{name}.yaml"), name=name)
        assert parse_ruleset(render_rule_set_yaml(result)) == result.rule_set


def test_line_break_characters_in_patterns_survive_the_written_file() -> None:
    config = parse_automod_config(
        "body (regex): ['a\\sb', 'c\u0085d', 'e\u2028f']\naction: remove\n"
    )
    result = import_automod_config(config, name="nel")
    written = render_rule_set_yaml(result)
    assert parse_ruleset(written) == result.rule_set


def test_a_config_over_the_size_limit_is_refused_with_the_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "automod.yaml"
    path.write_text("title: [a]\naction: remove\n" * 100, encoding="utf-8")
    monkeypatch.setattr(_parse, "MAX_CONFIG_BYTES", 1000)
    with pytest.raises(ValidationError, match=r"2,600 bytes, more than the 1,000"):
        read_automod_config(path)


def test_a_section_over_the_alias_limits_is_invalid_and_the_rest_is_read() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    config = parse_automod_config(
        f"{bomb}title: *i\naction: remove\n---\ntitle: [ok]\naction: remove\n"
    )
    first, second = config.documents
    assert first.status == "invalid"
    assert "billion laughs" in first.reason or "alias" in first.reason
    assert second.status == "rule"


def test_rule_set_files_may_be_big_but_stay_bounded() -> None:
    assert RULESET_LIMITS.max_bytes >= 32 << 20  # a 10 MB config's rule set (~16 MB)
    bomb = "rules:\n- id: a\n  keywords: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"- id: {c}\n  keywords: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(Exception, match="alias|nodes"):
        parse_ruleset(bomb)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=30)), max_size=25))
def test_the_libyaml_path_reads_every_section_as_pyyaml_does(lines: list[str]) -> None:
    text = "\n".join(lines)
    fast = parse_automod_config(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parse, "FastBoundedSafeLoader", BoundedSafeLoader)
        reference = parse_automod_config(text)
    assert fast == reference
