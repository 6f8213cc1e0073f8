"""The one authoring loader: the cost of locations, strict scalars and limits; bomb refusal time.

Targets: loading stays a small multiple of the bare load (no locations, no limits), and a
"billion laughs" document is refused in milliseconds. Baselines, measured in the same run:

- bare load: libyaml's `CSafeLoader` + `model_validate` of the same text (what loading would cost
  without line/col, duplicate keys, strict scalars or limits);
- for the bomb: the bare load of a valid file of the same size (the bare load of the bomb itself
  is cheap too, since PyYAML shares aliased nodes, but validating what it returns walks 10⁹ nodes
  and exhausts memory, so it is not run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml

from modgate.authoring import AuthoringError, load_yaml_model
from modgate.enforce.rules import RuleSet, parse_ruleset
from modgate.policy import Policy, example_policy_files, load_policy_text

_BARE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ROOT = Path(__file__).resolve().parents[1]


def _per_call_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds * 1000


def _bomb(levels: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, levels)]
    return "\n".join(lines) + "\n"


def _refuse(text: str) -> None:
    try:
        load_policy_text(text, file="bomb.yaml")
    except AuthoringError:
        return
    raise AssertionError("the bomb loaded")


def main() -> None:
    policies = [p.read_text(encoding="utf-8") for p in example_policy_files()]
    big_rules = "name: big\nrules:\n" + "".join(
        f"  - id: r{i}\n    keywords: [w{i}a, w{i}b, w{i}c]\n    action: remove\n"
        for i in range(1_000)
    )
    cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
        (
            "3 example policies",
            lambda: [Policy.model_validate(yaml.load(t, Loader=_BARE)) for t in policies],
            lambda: [load_policy_text(t, file="p.yaml") for t in policies],
            100,
        ),
        (
            f"rule set, 1,000 rules ({len(big_rules) // 1024} KiB)",
            lambda: RuleSet.model_validate(yaml.load(big_rules, Loader=_BARE)),
            lambda: load_yaml_model(big_rules, RuleSet),
            3,
        ),
        (
            "rule set, same, with regex compile",
            lambda: RuleSet.model_validate(yaml.load(big_rules, Loader=_BARE)),
            lambda: parse_ruleset(big_rules, "big.yaml"),
            3,
        ),
    ]
    print("authoring loader vs bare load (CSafeLoader + model_validate), per call:")
    for name, bare, ours, rounds in cases:
        base, mine = _per_call_ms(bare, rounds), _per_call_ms(ours, rounds)
        print(f"  {name:<38} bare {base:9.2f} ms   ours {mine:9.2f} ms  ({mine / base:.2f}x)")
    bomb = _bomb()
    same_size = policies[0][: len(bomb)]
    same_size = same_size[: same_size.rfind("\n") + 1]
    base = _per_call_ms(lambda: yaml.load(same_size, Loader=_BARE), 200)
    refused = _per_call_ms(lambda: _refuse(bomb), 50)
    print(
        f"  {'billion laughs (' + str(len(bomb)) + ' B, 10^9 nodes)':<38} "
        f"bare {base:9.2f} ms   refused in {refused:6.2f} ms  ({refused / base:.2f}x bare "
        "load of a valid file this size)"
    )


if __name__ == "__main__":
    main()
