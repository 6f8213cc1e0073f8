"""Normalization and language identification speed on real comments, one core, CPU time.

`normalize_text` (the fast path) is timed beside `normalize_text_reference` (the reference
path it must equal, kept in `modgate.text._normalize`) in the same run, on the same texts:
every text of ../shared/data/*/*.jsonl.gz (Reddit removals, Davidson, CONAN, DIALOCONAN, ETHOS,
ToxiGen; about 104,000 comments). Rounds interleave the two paths so that a load change on this
shared machine hits both alike; each figure is the best of `ROUNDS`. The fast path's token
cache is emptied before its first ("cold") pass, which is reported apart; later passes run on a
warm cache, as steady traffic does. Every output of both paths is compared (text and change
record): the bench fails if any differs.

Also shown: NFKC + lower-case alone (a floor no normalizer can beat), the ASCII and non-ASCII
comments apart, and an evasion-heavy variant of the comments (zero-width characters,
homoglyphs, leetspeak and spacing inserted into every tenth word) that exercises the slow
paths. Language identification (`identify_language`, py3langid with its model from the wheel)
runs on a 5,000-comment subset; its one-off model load is reported apart.

Target (issue 16): normalize_text >= 3x the reference path, identical output.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from modgate.text import _normalize_fast, identify_language, normalize_text
from modgate.text._normalize import normalize_text_reference

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
ROUNDS = 3
LANGUAGE_SUBSET = 5_000
TARGET = 3.0


def load_comments() -> list[str]:
    """Every text of every data set, in file order."""
    texts: list[str] = []
    for path in sorted(DATA.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle)
    return texts


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


def seconds(texts: Sequence[str], fn: Callable[[str], object]) -> float:
    started = time.process_time()
    for text in texts:
        fn(text)
    return time.process_time() - started


def clear_caches() -> None:
    _normalize_fast._CLEAN_TOKENS.clear()
    _normalize_fast._FOLDED_TOKENS.clear()


def compare(label: str, texts: Sequence[str]) -> float:
    """Best-of-rounds texts/s of both paths on `texts`; prints them and returns the ratio."""
    clear_caches()
    cold = seconds(texts, normalize_text)
    best = {"reference": float("inf"), "fast": float("inf")}
    for _ in range(ROUNDS):
        best["reference"] = min(best["reference"], seconds(texts, normalize_text_reference))
        best["fast"] = min(best["fast"], seconds(texts, normalize_text))
    n = len(texts)
    ref, fast = n / best["reference"], n / best["fast"]
    print(f"{label} ({n:,} texts)")
    print(f"  {'reference path':<34} {ref:>10,.0f} texts/s  {1e6 / ref:6.1f} µs each")
    print(
        f"  {'normalize_text, cold token cache':<34} {n / cold:>10,.0f} texts/s  "
        f"x{n / cold / ref:.2f}"
    )
    print(f"  {'normalize_text, warm':<34} {fast:>10,.0f} texts/s  x{fast / ref:.2f}")
    return fast / ref


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    texts = load_comments()
    rng = random.Random(4)
    evasive = [evade(t, rng) for t in texts[:20_000]]
    differ = sum(1 for t in (*texts, *evasive) if normalize_text(t) != normalize_text_reference(t))
    print(f"outputs that differ between the paths (text or change record): {differ}")
    floor = seconds(texts, lambda t: unicodedata.normalize("NFKC", t).lower())
    print(f"floor, NFKC + lower-case only: {len(texts) / floor:,.0f} texts/s\n")
    ratio = compare("all comments", texts)
    compare("ASCII comments", [t for t in texts if t.isascii()])
    compare("non-ASCII comments", [t for t in texts if not t.isascii()])
    compare("evasion-heavy comments", evasive)
    started = time.process_time()
    identify_language("warm up the model")
    print(f"\nlanguage model load: {time.process_time() - started:.2f} s CPU (once per process)")
    subset = texts[:LANGUAGE_SUBSET]
    rate = len(subset) / seconds(subset, identify_language)
    print(f"identify_language (py3langid): {rate:,.0f} texts/s")
    ok = ratio >= TARGET and differ == 0
    print(
        f"\n{'MET   ' if ok else 'MISSED'} normalize_text >= {TARGET:.0f}x the reference path "
        f"(x{ratio:.2f} on all comments, warm), identical output ({differ} differ)"
    )
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
