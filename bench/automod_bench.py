"""AutoModerator import: time to import a large config, and matching speed of the translation.

Baseline, measured in the same run: AutoModerator's own way of matching (one Python `re` pattern
per search check, rules checked one by one: `match_automod_rule`) over the same items. The
translated rule set is matched by the rule-set engine (Aho–Corasick + RE2 set + fallbacks).
Run: `.venv/bin/python bench/automod_bench.py`.
"""

from __future__ import annotations

import time
from pathlib import Path

from modgate.domain import AuthorInfo, Item
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules.automod._match import match_automod_rule
from modgate.enforce.rules.automod._parse import read_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config

CONFIG = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "automod" / "plantswap.yaml"
WORDS = "the quick brown fern needs water and light, not a scam; repot it zorvexquil soon".split()


def items(count: int) -> list[Item]:
    made = []
    for n in range(count):
        words = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(30)]
        kind = "comment" if n % 2 else "post"
        made.append(
            Item(
                id=str(n),
                kind=kind,
                title=" ".join(words[:6]) if kind == "post" else None,
                body=" ".join(words),
                url=f"https://site{n % 50}.example/p" if n % 4 == 0 else None,
                author=AuthorInfo(account_age_days=n % 30, karma=n % 200),
            )
        )
    return made


def main() -> None:
    started = time.perf_counter()
    config = read_automod_config(CONFIG)
    result = import_automod_config(config, name="plantswap")
    compiled = compile_ruleset(result.rule_set)
    import_s = time.perf_counter() - started
    print(
        f"import + compile: {len(config.documents)} sections, {len(result.rules)} rules, "
        f"{import_s * 1000:.0f} ms"
    )

    batch = items(2000)
    translated = {e.index for e in result.report.entries if e.status == "translated"}
    reference_rules = [d.rule for d in config.rules if d.index in translated and d.rule]

    started = time.perf_counter()
    engine_hits = sum(len(compiled.match(item).hits) > 0 for item in batch)
    engine_s = time.perf_counter() - started

    started = time.perf_counter()
    reference_hits = sum(
        any(match_automod_rule(rule, item) is not None for rule in reference_rules)
        for item in batch
    )
    reference_s = time.perf_counter() - started

    print(f"rule-set engine : {len(batch) / engine_s:8.0f} items/s ({engine_hits} flagged)")
    print(f"AutoMod-style re: {len(batch) / reference_s:8.0f} items/s ({reference_hits} flagged)")
    print(f"speed-up        : {reference_s / engine_s:.1f}x")
    assert engine_hits == reference_hits, "translation and AutoModerator semantics disagree"


if __name__ == "__main__":
    main()
