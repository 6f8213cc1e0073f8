"""Rules engine throughput: 1,000 keyword rules + 50 regex rules over 100,000 real comments.

Target (issue 4): >= 20,000 comments/s on one core, normalization included.

Comments: Reddit macro-norm violations, Davidson tweets, CONAN, ETHOS and ToxiGen seeds from
../shared/data (read in place, never copied). Keyword rules use words and phrases drawn from the
corpus's own vocabulary (ranks 200-20,000, so rules do fire: about a third of comments hit at
least one rule), five per rule; regex rules are letter-elongation patterns (`k+i+l+l+`), link,
e-mail and phone patterns, and three patterns RE2 rejects (backreference, lookarounds) that run
on the fallback engine with a timeout.

Rates are CPU time of this one process (`time.process_time`, pinned to one core), so other
work on a shared machine does not distort them; the ReDoS bound is reported in CPU and
wall-clock time (the fallback engine's timeout counts CPU time).

Baselines, measured in the same run on the same core:
- normalization alone (`normalize_text` over every comment), the floor of the engine's cost;
- a naive engine: a Python loop over every keyword pattern with `re` (one compiled word-boundary
  regex per keyword) and every regex, on a subset, extrapolated per comment.

Also checks the safety bound: `(a+)+$` against 50 kB of `a`s finishes within 100 ms on RE2, and
a pattern forced onto the fallback engine times out within 100 ms instead of hanging.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

from modgate.domain import Item
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules import RulesEnforcer, compile_ruleset
from modgate.enforce.rules._schema import RuleSet
from modgate.text import normalize_text

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
FILES = [
    "reddit-macro-norm-violations/reddit-macro-norm-violations.jsonl.gz",
    "davidson-hate-offensive/davidson-hate-offensive.jsonl.gz",
    "conan-counter-speech/multitarget-conan.jsonl.gz",
    "conan-counter-speech/dialoconan.jsonl.gz",
    "ethos/ethos-binary.jsonl.gz",
    "toxigen-prompt-seeds/toxigen-prompt-seeds.jsonl.gz",
]
N_COMMENTS = 100_000
N_KEYWORD_RULES = 1_000
KEYWORDS_PER_RULE = 5
N_REGEX_RULES = 50
NAIVE_SUBSET = 2_000
TARGET = 20_000


def load_comments() -> list[str]:
    texts: list[str] = []
    for name in FILES:
        with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                texts.append(json.loads(line)["text"])
    if len(texts) < N_COMMENTS:
        texts = (texts * (N_COMMENTS // len(texts) + 1))[:N_COMMENTS]
    return texts[:N_COMMENTS]


def build_ruleset(texts: list[str]) -> dict[str, object]:
    words = collections.Counter(
        w for t in texts[:30_000] for w in re.findall(r"[a-z]{4,}", t.lower())
    )
    vocab = [w for w, _ in words.most_common(20_000)][200:]
    step = max(1, len(vocab) // (N_KEYWORD_RULES * KEYWORDS_PER_RULE))
    picked = vocab[::step]
    rules: list[dict[str, object]] = []
    for i in range(N_KEYWORD_RULES):
        chunk = picked[i * KEYWORDS_PER_RULE : (i + 1) * KEYWORDS_PER_RULE]
        if i % 4 == 0 and len(chunk) >= 2:  # some phrases
            chunk = [f"{chunk[0]} {chunk[1]}", *chunk[2:]]
        rules.append(
            {"id": f"kw{i:04d}", "keywords": chunk, "criterion": f"c{i % 7}", "action": "review"}
        )
    stems = [w for w in vocab[:2000:40]][: N_REGEX_RULES - 9]
    regexes = ["+".join(stem) + "+" for stem in stems]
    regexes += [
        r"https?://\S+",
        r"[\w.+-]+@[\w-]+\.[a-z]{2,}",
        r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b",
        r"\bk+i+l+l+\s+(?:yo)?u+r?(?:self)?\b",
        r"\b(?:go|should)\s+die\b",
        # RE2 rejects these four: they run on the fallback engine, prefiltered by RE2.
        r"(?<=\s)kys(?=\s|$)",
        r"\bidiot(?!ic)",
        r"^(?!.*\bthanks\b).*\bscam\b",
        r"\b(spam|scam)\W+\1\b",
    ]
    for i, pattern in enumerate(regexes[:N_REGEX_RULES]):
        rules.append({"id": f"rx{i:02d}", "regex": [pattern], "action": "remove"})
    return {"name": "bench", "policy": "bench@1", "rules": rules}


def naive_engine(ruleset: RuleSet) -> tuple[list[tuple[str, re.Pattern[str]]], ...]:
    keyword_patterns = [
        (rule.id, re.compile(rf"\b{re.escape(k)}\b"))
        for rule in ruleset.rules
        for k in rule.keywords
    ]
    regex_patterns: list[tuple[str, re.Pattern[str]]] = []
    for rule in ruleset.rules:
        for pattern in rule.regex:
            regex_patterns.append((rule.id, re.compile(pattern, re.IGNORECASE)))
    return keyword_patterns, regex_patterns


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    texts = load_comments()
    items = [Item(id=f"c{i}", kind="comment", body=t) for i, t in enumerate(texts)]
    spec_dict = build_ruleset(texts)
    ruleset = RuleSet.model_validate(spec_dict)
    started = time.process_time()
    compiled = compile_ruleset(ruleset)
    compile_s = time.process_time() - started
    report = compiled.report
    print(f"comments: {len(items):,} (mean {sum(map(len, texts)) / len(texts):.0f} chars)")
    print(
        f"rule set: {report.rules} rules, {report.keyword_patterns:,} keyword patterns in one "
        f"automaton, {report.re2_patterns} RE2 patterns in one set, {report.fallback_patterns} "
        f"fallback patterns ({', '.join(report.fallback_rules)}); compiled in {compile_s:.2f} s"
    )

    normalize_text("warm up")
    started = time.process_time()
    for text in texts:
        normalize_text(text)
    norm_s = time.process_time() - started
    norm_rate = len(texts) / norm_s

    started = time.process_time()
    fired = 0
    for item in items:
        if compiled.match(item).hits:
            fired += 1
    match_s = time.process_time() - started
    rate = len(items) / match_s

    enforcer = RulesEnforcer(EnforcerSpec(name="bench", kind="rules", policy="bench@1"), compiled)
    started = time.process_time()
    verdicts = enforcer.predict(items)
    enforcer_s = time.process_time() - started
    enforcer_rate = len(items) / enforcer_s
    errors = sum(1 for v in verdicts if v.error)

    keyword_patterns, regex_patterns = naive_engine(ruleset)
    subset = texts[:NAIVE_SUBSET]
    started = time.process_time()
    for text in subset:
        lowered = normalize_text(text).text
        for _, pattern in keyword_patterns:
            pattern.search(lowered)
        for _, pattern in regex_patterns:
            pattern.search(lowered)
    naive_s = time.process_time() - started
    naive_rate = len(subset) / naive_s

    print(f"normalization alone:     {norm_rate:>10,.0f} comments/s")
    print(f"rules engine (match):    {rate:>10,.0f} comments/s  ({fired:,} comments hit a rule)")
    print(f"RulesEnforcer.predict:   {enforcer_rate:>10,.0f} comments/s  ({errors} error verdicts)")
    print(f"naive re loop baseline:  {naive_rate:>10,.0f} comments/s  (on {NAIVE_SUBSET:,})")
    print(f"speed-up over naive loop: {rate / naive_rate:,.0f}x")
    print(f"engine cost vs normalization alone: {norm_rate / rate:.2f}x")

    bound_ok = check_redos_bound()
    target_ok = rate >= TARGET
    print(f"target >= {TARGET:,} comments/s on one core: {'PASS' if target_ok else 'FAIL'}")
    return 0 if target_ok and bound_ok else 1


def check_redos_bound() -> bool:
    hostile = Item(id="redos", body="a" * 50_000)
    ok = True
    for label, pattern in (("RE2", r"(a+)+$"), ("fallback", r"(?<=a)(a|aa)+(?=$)")):
        rs = RuleSet.model_validate(
            {
                "policy": "p@1",
                "regex_timeout_ms": 50,
                # raw: normalization would squeeze the 50,000 'a's to two
                "rules": [{"id": "r", "regex": [pattern], "match_on": "raw"}],
            }
        )
        compiled = compile_ruleset(rs)
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = compiled.match(hostile)
        elapsed_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        outcome = "error (timeout)" if result.error else f"{len(result.hits)} hit(s)"
        within = cpu_ms < 100
        ok = ok and within
        print(
            f"{pattern!r} on 50 kB of 'a' ({label}): {cpu_ms:.1f} ms CPU ({elapsed_ms:.1f} ms "
            f"wall), {outcome}: {'PASS' if within else 'FAIL'} (< 100 ms)"
        )
    return ok


if __name__ == "__main__":
    sys.exit(main())
