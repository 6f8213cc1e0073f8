"""Policy tooling cost: load with source map, lint (all checks), compile, count tokens.

Target: a policy writer's save → lint loop stays interactive (well under 100 ms a policy), and
importing many community policies later is not dominated by our bookkeeping. Baseline, measured in
the same run: plain YAML load (libyaml's CSafeLoader, as modgate uses) + `Policy.model_validate`
of the same text: what loading would cost without file:line locations.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import yaml

from modgate.policy import (
    Policy,
    compile_prompt,
    count_tokens,
    example_policy_files,
    lint_policy,
    load_policy_text,
)
from modgate.registry import create_registry

ROUNDS = 200
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _per_call_ms(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    fn()  # warm caches (templates, tokenizer)
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds * 1000


def main() -> None:
    registry = create_registry()
    texts = [p.read_text(encoding="utf-8") for p in example_policy_files()]
    loaded = [load_policy_text(t, file="bench.yaml") for t in texts]

    def baseline() -> None:
        for text in texts:
            Policy.model_validate(yaml.load(text, Loader=_LOADER))

    def load() -> None:
        for text in texts:
            load_policy_text(text, file="bench.yaml")

    def lint() -> None:
        for item in loaded:
            lint_policy(item, registry=registry)

    def compile_all() -> None:
        for item in loaded:
            compile_prompt(item.policy)

    def tokens() -> None:
        for item in loaded:
            count_tokens(compile_prompt(item.policy).text)

    base = _per_call_ms(baseline) / len(texts)
    print(f"policies: {len(texts)} examples, {ROUNDS} rounds; per policy:")
    print(f"  {'baseline: load + validate':<27} {base:8.3f} ms  (1.00x)")
    steps = [("load + source map", load), ("lint, all checks", lint)]
    steps += [("compile prompt", compile_all), ("compile + count tokens", tokens)]
    for name, fn in steps:
        ms = _per_call_ms(fn) / len(texts)
        print(f"  {name:<27} {ms:8.3f} ms  ({ms / base:.2f}x baseline)")


if __name__ == "__main__":
    main()
