"""The rules hot path's shortcuts give the reference results, on real and generated text.

- The token gate (skip the Aho–Corasick scan of a field view when no word of the text is the
  first word of one of its literals) against the same rule set with every gate off, which
  runs the automaton on every text: same hits, same spans, on the shared data sets and on
  generated text (word characters of several scripts, `_`, digits, separators).
- Verdicts built without re-validation equal the verdicts pydantic builds from the same values
  (fields, `model_fields_set`, dump), quiet and firing.
"""

from __future__ import annotations

import collections
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.domain import Action, Effect, Item, Verdict
from modgate.enforce import EnforcerSpec, EnforcerThresholds
from modgate.enforce.rules import CompiledRuleSet, RulesEnforcer, RuleSet, compile_ruleset
from modgate.enforce.rules._enforcer import _HIT_FIELDS, _QUIET_FIELDS, _trusted_verdict

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")


def shared_texts(limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(DATA.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                if n >= limit:
                    break
                texts.append(json.loads(line)["text"])
    return texts


def without_gates(spec: RuleSet) -> CompiledRuleSet:
    """The same rule set compiled with the token gates off: the automaton reads every text."""
    compiled = compile_ruleset(spec)
    compiled._ac_gates = dict.fromkeys(compiled._ac_gates)
    return compiled


def outcome(compiled: CompiledRuleSet, item: Item) -> list[tuple[str, Any]]:
    result = compiled.match(item)
    assert result.error is None
    return [(hit.rule.id, hit.spans) for hit in result.hits]


def ruleset_from(texts: list[str]) -> RuleSet:
    """Keyword rules of every literal shape the gate treats differently, from real words."""
    words = collections.Counter(w for t in texts for w in re.findall(r"\w{3,}", t.lower()))
    common = [w for w, _ in words.most_common(3000)]
    rules: list[dict[str, Any]] = []
    for i in range(0, 2000, 5):
        chunk = common[i : i + 5]
        rules.append({"id": f"w{i}", "keywords": [chunk[0], f"{chunk[1]} {chunk[2]}", *chunk[3:]]})
    rules += [
        {"id": "punct", "keywords": ["f-ing", "u.s.a", "co_op", "don't", "wtf?!"]},
        {"id": "nonascii", "keywords": ["straße", "naïve", "café", "привет", "ſhit", "ﬁne"]},
        {"id": "digits", "keywords": ["2024", "9/11", "100%"]},
        {"id": "symbol_start", "keywords": ["@everyone", "#1", "...and", "c++"]},
        {
            "id": "modes",
            "checks": [
                {"fields": ["title"], "values": ["the", "http"], "match": "starts-with"},
            ],
        },
        {
            "id": "ends",
            "checks": [{"fields": ["title"], "values": ["lol", "!"], "match": "ends-with"}],
        },
        {
            "id": "sub",
            "checks": [
                {"fields": ["title"], "values": ["ing", "tion", "$$$"], "match": "includes"}
            ],
        },
        {
            "id": "raw",
            "checks": [{"fields": ["body"], "values": ["Trump", "RT"], "match_on": "raw"}],
        },
        {
            "id": "raw_cs",
            "checks": [
                {
                    "fields": ["body"],
                    "values": ["LOL", "I"],
                    "match_on": "raw",
                    "case_sensitive": True,
                }
            ],
        },
        {"id": "both", "checks": [{"fields": ["title", "body"], "values": ["news", "update"]}]},
    ]
    return RuleSet.model_validate({"policy": "p@1", "rules": rules})


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    texts = shared_texts(2500)
    if not texts:
        pytest.skip(f"no data sets under {DATA}")
    return texts


def test_the_gate_gives_the_reference_hits_on_real_text(corpus: list[str]) -> None:
    spec = ruleset_from(corpus)
    fast, reference = compile_ruleset(spec), without_gates(spec)
    gated = [key for key, gate in fast._ac_gates.items() if gate is not None]
    assert ("body", "norm") in gated  # the plain keyword view is gated
    assert fast._ac_gates[("title", "norm")] is None  # `includes` and the rest need the scan
    differ = []
    fired = 0
    for n, text in enumerate(corpus):
        item = Item(id=str(n), body=text, title=text[:40] if n % 3 == 0 else None)
        got, want = outcome(fast, item), outcome(reference, item)
        fired += bool(want)
        if got != want:
            differ.append(text)
    assert differ == [], f"{len(differ)} of {len(corpus)} differ, e.g. {differ[:3]!r}"
    assert fired > len(corpus) // 2  # the rules do fire: the comparison is not vacuous


def test_a_gated_view_alone_skips_the_automaton_when_no_first_word_is_present() -> None:
    spec = RuleSet.model_validate(
        {"rules": [{"id": "r", "keywords": ["kill you", "scam", "naïve"]}]}
    )
    compiled = compile_ruleset(spec)
    gate = compiled._ac_gates[("body", "norm")]
    assert gate is not None
    assert gate.words == frozenset({"kill", "scam", "naïve"})
    assert not gate.may_match("skill yourself, scammer")  # substrings only
    assert gate.may_match("i will kill everyone")  # first word present: the automaton decides
    assert gate.may_match("so naïve!")
    assert not gate.may_match("naïveté")
    assert [h.rule.id for h in compiled.match(Item(id="i", body="I'll KILL you")).hits] == ["r"]
    assert compiled.match(Item(id="i", body="I will kill everyone")).hits == ()


WORDISH = st.sampled_from(
    ["kill", "you", "scam", "naïve", "straße", "co", "op", "_", "1", "2024", "ſ", "ﬁ", "привет"]
)
SEPARATORS = st.sampled_from(
    [" ", "  ", "-", ".", "_", "'", "\n", "!", "?", "é", "ß", "\u200b", "$"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(WORDISH, SEPARATORS, st.text(max_size=3)), max_size=20))
def test_the_gate_gives_the_reference_hits_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    item = Item(id="g", body=text, title=text.upper() or None)
    assert outcome(GENERATED_FAST, item) == outcome(GENERATED_REFERENCE, item)


_GENERATED_SPEC = RuleSet.model_validate(
    {
        "rules": [
            {"id": "a", "keywords": ["kill you", "scam", "co_op", "2024"]},
            {"id": "b", "keywords": ["naïve", "straße", "ſhit", "привет мир"]},
            {"id": "c", "keywords": ["co-op", "you'll", "u.s"]},
            {"id": "d", "checks": [{"fields": ["title"], "values": ["scam alert", "fine"]}]},
        ]
    }
)
GENERATED_FAST = compile_ruleset(_GENERATED_SPEC)
GENERATED_REFERENCE = without_gates(_GENERATED_SPEC)


# -- verdicts ---------------------------------------------------------------------------------


def revalidated(verdict: Verdict) -> Verdict:
    """The verdict pydantic builds from the fields this one says were set."""
    return Verdict(**{name: getattr(verdict, name) for name in verdict.model_fields_set})


def assert_same(fast: Verdict, slow: Verdict) -> None:
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    assert fast.model_dump_json() == slow.model_dump_json()
    assert repr(fast) == repr(slow)
    assert hash(fast) == hash(slow)


@settings(max_examples=200, deadline=None)
@given(
    item_id=st.text(min_size=1, max_size=8),
    score=st.floats(0.0, 1.0),
    action=st.sampled_from(list(Action)),
    criteria=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    rationale=st.text(max_size=30),
    latency=st.floats(0.0, 1e6),
    effects=st.sampled_from([(), (Effect(kind="comment", text="removed: {{match}}", rule="r"),)]),
)
def test_trusted_verdicts_equal_validated_ones(
    item_id: str,
    score: float,
    action: Action,
    criteria: tuple[str, ...],
    rationale: str,
    latency: float,
    effects: tuple[Effect, ...],
) -> None:
    quiet: dict[str, Any] = {
        "item_id": item_id,
        "policy": "p@1",
        "enforcer": "e@1",
        "score": 0.0,
        "label": "non_violating",
        "action": action,
        "latency_ms": latency,
    }
    assert_same(_trusted_verdict(quiet, _QUIET_FIELDS), Verdict(**quiet))
    hit = {
        **quiet,
        "score": score,
        "label": "violating" if score >= 0.5 else "non_violating",
        "criteria": criteria,
        "rationale": rationale,
        "effects": effects,
    }
    assert_same(_trusted_verdict(hit, _HIT_FIELDS), Verdict(**hit))


def test_predict_verdicts_equal_validated_ones(corpus: list[str]) -> None:
    spec = ruleset_from(corpus).model_copy(
        update={"rules": ruleset_from(corpus).rules[:40]}  # some quiet, some firing
    )
    thresholds = EnforcerThresholds(remove=0.9, review=0.4)
    enforcer = RulesEnforcer(
        EnforcerSpec(name="r", kind="rules", policy="p@1", thresholds=thresholds),
        compile_ruleset(spec),
    )
    items = [
        Item(id=str(n), body=t, community="c" if n % 2 else None)
        for n, t in enumerate(corpus[:3000])
    ]
    verdicts = enforcer.predict(items)
    assert {v.label for v in verdicts} == {"violating", "non_violating"}
    for verdict in verdicts:
        assert_same(verdict, revalidated(verdict))
        assert type(verdict.score) is float
