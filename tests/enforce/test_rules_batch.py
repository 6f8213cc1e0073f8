"""Batch matching equals item-by-item matching, on real and generated text.

`CompiledRuleSet.match_many` scans a batch's field views at once (token gates, the automaton
over joined texts, RE2 sets over chunks of texts joined by `\\n` under `(?m)`) and matches one
by one only the items those prefilters mark. Differential tests: `match_many(items)` against
`[match(item) for item in items]` (hits, spans, errors, approvals), and `RulesEnforcer.predict`
against judging each item alone (every verdict field but the latency), on the shared data sets
and on generated text that holds the separators (`\\n`, `\\x00`), anchors' edge cases and
whitespace. Plus the prefilters' own promises: they skip most items of a realistic batch, and
mark every item that has a hit.
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

from modgate.domain import Item, Verdict
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules import RulesEnforcer, RuleSet, compile_ruleset
from modgate.enforce.rules._batch import batch_eligible

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")

# Regexes whose matches depend on what lies around a text: anchors, word boundaries, `\W`,
# `\s`, `.` and `(?s)` (all could run across a separator), a fallback pattern with a prefilter.
EDGE_REGEXES = [
    r"^the\b",
    r"\blol$",
    r"^\W*$",
    r"^.{0,3}$",
    r"\bfree\s+\w+",
    r"(?s)you.*die",
    r"\W\W\W",
    r"\bk+i+l+l+\b",
    r"\d{3}\W\d{4}",
    r"(?<=\s)dm me(?=\W|$)",
    r"\b(spam|scam)\W+\1\b",
]
MATCHES_EMPTY = r"x*"
"""Matches every text, the empty one included (generated text only)."""


def shared_texts(limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(DATA.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                if n >= limit:
                    break
                texts.append(json.loads(line)["text"])
    return texts


def ruleset_from(texts: list[str]) -> RuleSet:
    """Keyword rules of words in a few comments each, edge regexes, raw and title checks."""
    words = collections.Counter(w for t in texts for w in set(re.findall(r"[a-z]{5,}", t.lower())))
    rare = sorted(w for w, n in words.items() if n <= 3)[::7][:1000]
    rules: list[dict[str, Any]] = [
        {"id": f"kw{i}", "keywords": [rare[i], f"{rare[i + 1]} {rare[i + 2]}"]}
        for i in range(0, len(rare) - 2, 3)
    ]
    rules += [
        {"id": f"rx{i}", "regex": [p], "action": "remove"} for i, p in enumerate(EDGE_REGEXES)
    ]
    rules += [
        {
            "id": "raw",
            "checks": [
                {
                    "fields": ["body"],
                    "regex": True,
                    "values": [r"^RT\b", r"\n\n"],
                    "match_on": "raw",
                }
            ],
        },
        {
            "id": "title",
            "checks": [{"fields": ["title"], "values": ["news"], "match": "starts-with"}],
        },
        {"id": "sub", "checks": [{"fields": ["title"], "values": ["tion"], "match": "includes"}]},
    ]
    return RuleSet.model_validate({"policy": "p@1", "rules": rules})


def outcomes(results: list[Any]) -> list[Any]:
    return [
        (r.error, [(h.rule.id, h.spans) for h in r.hits], r.overridden, r.approving)
        for r in results
    ]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    texts = shared_texts(1500)
    if not texts:
        pytest.skip(f"no data sets under {DATA}")
    return texts


def items_of(texts: list[str]) -> list[Item]:
    return [
        Item(id=str(n), body=text, title=text[:30] if n % 4 == 0 else None)
        for n, text in enumerate(texts)
    ]


def test_match_many_equals_match_on_real_text(corpus: list[str]) -> None:
    compiled = compile_ruleset(ruleset_from(corpus))
    assert all(s is not None for s in compiled._batch_sets.values())  # the batch path runs
    items = items_of(corpus)
    want = [compiled.match(item) for item in items]
    got = compiled.match_many(items)
    differ = [
        i for i, (a, b) in enumerate(zip(outcomes(got), outcomes(want), strict=True)) if a != b
    ]
    assert differ == [], (
        f"{len(differ)} of {len(items)} differ, e.g. {[corpus[i] for i in differ[:3]]!r}"
    )
    fired = sum(1 for r in want if r.hits)
    assert 0 < fired < len(items)  # some fire, some do not: the comparison is not vacuous


ANCHORED = [r"^the\b", r"\blol$", r"^\W*$", r"^.{0,3}$", r"^i\s", r"\bit$"]
"""Sparse patterns whose matches hang on the text's edges: the batch must keep them."""
ANCHORED_SET = compile_ruleset(
    RuleSet.model_validate(
        {"rules": [{"id": f"a{i}", "regex": [p]} for i, p in enumerate(ANCHORED)]}
    )
)


def test_match_many_keeps_anchored_matches_on_real_text(corpus: list[str]) -> None:
    items = items_of(corpus)
    want = [ANCHORED_SET.match(item) for item in items]
    assert outcomes(ANCHORED_SET.match_many(items)) == outcomes(want)
    fired = {h.rule.id for r in want for h in r.hits}
    assert fired >= {"a0", "a4", "a5"}  # the edges do matter on these texts
    assert sum(1 for r in want if r.hits) < len(items) // 4


def test_the_prefilters_skip_most_items_and_mark_every_hit(corpus: list[str]) -> None:
    spec = RuleSet.model_validate(
        {
            "rules": [
                {"id": "kw", "keywords": ["zzyzx", "quuxly", "foo barbaz"]},
                {"id": "rx", "regex": [r"\bfree\s+bitcoin\b", r"^scam\s+alert$"]},
            ]
        }
    )
    compiled = compile_ruleset(spec)
    texts = [*corpus, "free  bitcoin now", "FOO barbaz", "scam alert", "SCAM \t ALERT"]
    items = items_of(texts)
    marked = compiled._batch_marks(compiled._batch_views(items), len(items))
    hit = {i for i, item in enumerate(items) if compiled.match(item).hits}
    assert hit == {len(texts) - 4, len(texts) - 3, len(texts) - 2, len(texts) - 1}
    assert hit <= marked
    assert len(marked) < len(items) // 10  # the batch pass proved the rest clean


def test_a_view_with_an_ineligible_pattern_is_scanned_item_by_item() -> None:
    assert batch_eligible(r"\bscam\b") and batch_eligible(r"(?i)^a$") and batch_eligible("(?s).")
    assert not batch_eligible(r"\Ascam") and not batch_eligible(r"scam\z")
    assert not batch_eligible(r"(?-m)^a") and not batch_eligible(r"(?i-m:^a)")
    spec = RuleSet.model_validate({"rules": [{"id": "r", "regex": [r"\Ascam", r"alert\z"]}]})
    compiled = compile_ruleset(spec)
    assert compiled._batch_sets[("body", "rx_norm")] is None
    items = [Item(id=str(i), body=t) for i, t in enumerate(["scam", "x", "red alert", "a scam"])]
    assert outcomes(compiled.match_many(items)) == outcomes([compiled.match(i) for i in items])
    assert [bool(r.hits) for r in compiled.match_many(items)] == [True, False, True, False]


PIECES = st.sampled_from(
    [
        "the", "lol", "free", "bitcoin", "you", "die", "kill", "kiiill", "dm me", "spam", "scam",
        "555", "1234", "news", "tion", "RT", "x", " ", "  ", "\n", "\n\n", "\x00", "\t", ".",
        "!", "-", "é", "ß", "\u200b", "Привет",
    ]
)  # fmt: skip
TEXTS = st.lists(st.lists(PIECES, max_size=8).map("".join), min_size=0, max_size=12)
GENERATED = compile_ruleset(
    RuleSet.model_validate(
        {
            "rules": [
                {"id": "kw", "keywords": ["kill", "free bitcoin", "news"]},
                *({"id": f"rx{i}", "regex": [p]} for i, p in enumerate(EDGE_REGEXES)),
                {"id": "empty", "regex": [MATCHES_EMPTY], "communities": ["c"]},
                {
                    "id": "raw",
                    "checks": [
                        {"fields": ["body"], "regex": True, "values": [r"^RT$", r"\n\n", "x$"],
                         "match_on": "raw"}
                    ],
                },
                {"id": "exact", "checks": [{"fields": ["title"], "values": ["lol"],
                                            "match": "full-exact"}]},
            ]
        }
    )
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(["all", "anchored"]))
def test_match_many_equals_match_on_generated_text(texts: list[str], which: str) -> None:
    compiled = GENERATED if which == "all" else ANCHORED_SET
    items = [
        Item(id=str(n), body=text, title=text if n % 2 else None, community="c" if n % 3 else None)
        for n, text in enumerate(texts)
    ]
    assert outcomes(compiled.match_many(items)) == outcomes([compiled.match(i) for i in items])


def without_latency(verdict: Verdict) -> dict[str, Any]:
    return verdict.model_dump(exclude={"latency_ms"}) | {"set": verdict.model_fields_set}


def test_batch_predict_equals_judging_each_item(corpus: list[str]) -> None:
    spec = EnforcerSpec(name="r", kind="rules", policy="p@1")
    enforcer = RulesEnforcer(spec, compile_ruleset(ruleset_from(corpus)))
    items = items_of(corpus)
    batch = enforcer.predict(items)
    alone = [enforcer._judge(item) for item in items]
    assert [without_latency(v) for v in batch] == [without_latency(v) for v in alone]
    assert batch == [v.model_copy(update={"latency_ms": b.latency_ms}) for v, b in
                     zip(alone, batch, strict=True)]  # fmt: skip
    assert all(v.latency_ms > 0 for v in batch)
    assert {v.label for v in batch} == {"violating", "non_violating"}


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_batch_predict_equals_judging_each_item_on_generated_text(texts: list[str]) -> None:
    enforcer = RulesEnforcer(EnforcerSpec(name="g", kind="rules", policy="p@1"), GENERATED)
    items = [Item(id=str(n), body=text) for n, text in enumerate(texts)]
    batch = [without_latency(v) for v in enforcer.predict(items)]
    assert batch == [without_latency(enforcer._judge(item)) for item in items]


def test_quiet_verdicts_sharing_a_fields_set_stay_independent() -> None:
    enforcer = RulesEnforcer(EnforcerSpec(name="g", kind="rules", policy="p@1"), ANCHORED_SET)
    first, second = enforcer.predict(
        [Item(id="a", body="this is fine"), Item(id="b", body="all good here")]
    )
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__  # shared, by design
    changed = first.model_copy(update={"rationale": "edited"})
    assert "rationale" in changed.model_fields_set
    assert "rationale" not in second.model_fields_set  # pydantic copied the set first
    assert second == Verdict(**{n: getattr(second, n) for n in second.model_fields_set})
