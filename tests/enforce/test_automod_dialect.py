"""AutoModerator's Python 2 regex dialect: inline flags anywhere, unknown escapes.

The oracle is Python `re` itself, on a pattern built independently of the importer: the
template AutoModerator uses for `includes-word`, the values joined flag-free and the flags that
Python 2 would have applied to the whole pattern passed to `re.compile` as arguments.
"""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from modgate.domain import Item
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules.automod._dialect import global_flags, python3_pattern
from modgate.enforce.rules.automod._parse import parse_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config

_WORDS = ["spam", "scam", "crypto", "bullshit", "referral", "promo", "giveaway", "xyz"]
_INCLUDES_WORD = r"(?:^|\W|\b)(%s)(?:$|\W|\b)"


def _section(rng: random.Random, index: int) -> tuple[str, list[str], int]:
    """One section whose values carry inline flags somewhere, and its Python 2 meaning."""
    values: list[str] = []
    flags = 0
    for position in range(rng.randint(1, 3)):
        word = rng.choice(_WORDS)
        prefix = rng.choice(["", "my", "the_"])
        style = rng.randrange(4)
        if style == 0:
            values.append(f"{prefix}((?i){word})")
            flags |= re.IGNORECASE
        elif style == 1:
            values.append(f"{prefix}{word}(?i)")
            flags |= re.IGNORECASE
        elif style == 2 and position:
            values.append(f"(?m){prefix}{word}$")
            flags |= re.MULTILINE
        else:
            values.append(f"{prefix}{word}")
    plain = [re.sub(r"\(\?[imsux]+\)", "", v) for v in values]
    quoted = ", ".join("'" + v + "'" for v in values)
    text = (
        f"# section {index}\ntype: comment\nbody (regex, case-sensitive): [{quoted}]\n"
        "action: remove\n"
    )
    return text, plain, flags


def _probes(rng: random.Random, plain: list[str]) -> list[str]:
    out = []
    for value in plain:
        word = re.sub(r"[()$]", "", value)
        out += [word, word.upper(), f"a {word.title()} b", f"x{word}y", f"{word}\nnext", ""]
    out.append(rng.choice(_WORDS).upper() + " line\nsecond")
    return out


def test_twenty_sections_with_inline_flags_translate_with_python_re_meaning() -> None:
    rng = random.Random(17)
    sections = [_section(rng, i) for i in range(20)]
    config = parse_automod_config("\n---\n".join(text for text, _, _ in sections))
    imported = import_automod_config(config, name="flags")
    statuses = [entry.status for entry in imported.report.entries]
    assert statuses == ["translated"] * 20, [e.reason for e in imported.report.entries]
    compiled = compile_ruleset(imported.rule_set)
    checked = 0
    for index, (_, plain, flags) in enumerate(sections):
        oracle = re.compile(_INCLUDES_WORD % "|".join(plain), flags | re.DOTALL | re.UNICODE)
        (rule_id,) = imported.report.entries[index].rule_ids
        for body in _probes(rng, plain):
            item = Item(id="p", kind="comment", body=body)
            # Removal rules form one exclusive group; "would fire" counts for this rule.
            (why,) = [e for e in compiled.explain(item) if e.rule_id == rule_id]
            fired = why.fired or why.reason.startswith("would fire")
            assert fired == bool(oracle.search(body)), (index, plain, flags, body)
            checked += 1
    assert checked > 200


def test_a_flag_in_one_value_applies_to_the_others_of_the_check() -> None:
    config = parse_automod_config(
        "type: comment\nbody (regex, case-sensitive): ['first', 'se((?i)cond)']\naction: remove\n"
    )
    imported = import_automod_config(config, name="x")
    compiled = compile_ruleset(imported.rule_set)
    body = "the FIRST one"
    assert re.search(_INCLUDES_WORD % "first|se(cond)", body, re.I)
    assert compiled.match(Item(id="1", kind="comment", body=body)).hits


def test_unknown_letter_escapes_are_the_letter_as_in_python_2() -> None:
    flags, body = global_flags(r"\qux\d\u00e9[\e]")
    assert flags == ""
    assert body == r"qux\du00e9[e]"
    assert re.fullmatch(python3_pattern(r"\qux\d"), "qux7")


def test_flag_like_text_inside_a_class_or_escaped_is_kept() -> None:
    assert global_flags(r"[(?i)]x") == ("", r"[(?i)]x")
    assert global_flags(r"\(?i)x") == ("", r"\(?i)x")
    assert global_flags(r"[]](?s)x") == ("s", r"[]]x")


_ATOMS = st.sampled_from(["a", "b", "(?i)", "(?s)", "(?m)", ".", "x*", "(c)", "[a-c]", "$", "^"])


@given(st.lists(_ATOMS, max_size=8), st.text(alphabet="abcABC\n", max_size=8))
def test_hoisting_equals_passing_the_flags_to_compile(atoms: list[str], text: str) -> None:
    pattern = "".join(atoms)
    flags = 0
    for atom, flag in (("(?i)", re.I), ("(?s)", re.S), ("(?m)", re.M)):
        if atom in atoms:
            flags |= flag
    bare = pattern.replace("(?i)", "").replace("(?s)", "").replace("(?m)", "")
    expected = re.compile(bare, flags).search(text)
    got = re.compile(python3_pattern(pattern)).search(text)
    assert (got and got.span()) == (expected and expected.span())
