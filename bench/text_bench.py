"""Normalization and language identification speed on real comments, one core, CPU time.

Normalization (`normalize_text`, every step) is compared in the same run with the same steps run
unconditionally on every text (no ASCII fast path, no pre-checks: what a straightforward
implementation does), and with NFKC + lower-case alone, on 100,000 comments from
../shared/data (Reddit removals, Davidson, CONAN, ETHOS, ToxiGen). Language identification
(`identify_language`, py3langid with its model from the wheel) runs on a 5,000-comment subset;
its one-off model load is reported apart. An evasion-heavy variant of the comments (zero-width
characters, homoglyphs, leetspeak and spacing inserted into every tenth word) shows the cost of
the slow paths.
"""

from __future__ import annotations

import os
import random
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules_bench import load_comments  # noqa: E402  (sibling benchmark's data loader)

from modgate.text import _normalize as steps  # noqa: E402
from modgate.text import identify_language, normalize_text  # noqa: E402


def every_step(text: str) -> str:
    """Baseline: the same steps, each run on every text, without fast paths or pre-checks."""
    text = steps._remove_invisible(text)[0]
    text = steps._compatibility_fold(text)[0]
    text = steps._WHITESPACE.sub(" ", text)
    text = steps._collapse_spacing(text)[0]
    text = steps._fold_confusables(text)[0]
    text = steps._fold_leet(text)[0]
    return steps._squeeze_repeats(text)[0]


LANGUAGE_SUBSET = 5_000


def evade(text: str, rng: random.Random) -> str:
    words = text.split()
    for i in range(0, len(words), 10):
        word = words[i]
        trick = rng.randrange(4)
        if trick == 0:
            words[i] = "\u200b".join(word)
        elif trick == 1:
            words[i] = word.replace("i", "\u0456").replace("o", "\u043e")
        elif trick == 2:
            words[i] = word.replace("e", "3").replace("a", "4")
        else:
            words[i] = " ".join(word)
    return " ".join(words)


def rate(label: str, texts: list[str], fn: object) -> float:
    func = fn if callable(fn) else None
    assert func is not None
    started = time.process_time()
    for text in texts:
        func(text)
    elapsed = time.process_time() - started
    per_s = len(texts) / elapsed
    print(f"{label:<44} {per_s:>10,.0f} texts/s  ({elapsed / len(texts) * 1e6:6.1f} µs each)")
    return per_s


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    texts = load_comments()
    rng = random.Random(4)
    evasive = [evade(t, rng) for t in texts[:20_000]]
    print(f"comments: {len(texts):,}; evasion-heavy variant: {len(evasive):,}")
    floor = rate(
        "floor: NFKC + lower only", texts, lambda t: unicodedata.normalize("NFKC", t).lower()
    )
    naive = rate("baseline: every step on every text", texts, every_step)
    full = rate("normalize_text", texts, normalize_text)
    rate("normalize_text, evasion-heavy comments", evasive, normalize_text)
    print(
        f"normalize_text: {full / naive:.1f}x faster than the every-step baseline, "
        f"{floor / full:.0f}x the cost of the NFKC + lower floor"
    )
    started = time.process_time()
    identify_language("warm up the model")
    print(f"language model load: {time.process_time() - started:.2f} s CPU (once per process)")
    rate("identify_language (py3langid)", texts[:LANGUAGE_SUBSET], identify_language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
