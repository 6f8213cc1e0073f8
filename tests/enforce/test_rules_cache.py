"""The compiled rule set cache: same matches as a fresh compile, keyed by content, private."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modgate.domain import Item
from modgate.enforce.rules import _cache, load_ruleset

_RULES = """\
name: big
rules:
  - id: words
    keywords: [{words}]
  - id: look
    regex: ['(?<![a-z])kys(?![a-z])']
  - id: plain-re2
    regex: ['sc[a4]m+']
    kinds: [comment]
  - id: exact
    checks: [{{values: ["hello there"], match: full-exact}}]
"""


@pytest.fixture
def big_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODGATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_cache, "CACHE_MIN_BYTES", 4096)
    words = ", ".join(f'"word{n:05d}"' for n in range(600))
    file = tmp_path / "big.yaml"
    file.write_text(_RULES.format(words=words), encoding="utf-8")
    return file


ITEMS = [
    Item(id="1", body="so word00042 here"),
    Item(id="2", body="just kys", kind="comment"),
    Item(id="3", body="kyser is a name"),
    Item(id="4", body="a scaaam", kind="comment"),
    Item(id="5", body="a scam", kind="post"),
    Item(id="6", body="Hello there"),
    Item(id="7", body="nothing"),
]


def _fired(compiled: object) -> list[list[str]]:
    return [[h.rule.id for h in compiled.match(item).hits] for item in ITEMS]  # type: ignore[attr-defined]


def _entries(file: Path) -> list[Path]:
    return sorted((file.parent / "cache" / "rulesets").glob("*.pickle"))


def test_a_second_load_comes_from_the_cache_and_matches_the_same(big_file: Path) -> None:
    first = load_ruleset(big_file)
    (entry,) = _entries(big_file)
    assert entry.stat().st_mode & 0o077 == 0
    second = load_ruleset(big_file)
    assert second is not first
    assert (
        _fired(second)
        == _fired(first)
        == [["words"], ["look"], [], ["plain-re2"], [], ["exact"], []]
    )
    assert second.report == first.report
    assert second.explain(ITEMS[1])[1].fired


def test_changed_bytes_miss_the_cache(big_file: Path) -> None:
    load_ruleset(big_file)
    big_file.write_text(big_file.read_text().replace("word00042", "other"), encoding="utf-8")
    assert _fired(load_ruleset(big_file))[0] == []
    assert len(_entries(big_file)) == 2


def test_a_damaged_or_untrusted_entry_is_not_used(big_file: Path) -> None:
    load_ruleset(big_file)
    (entry,) = _entries(big_file)
    entry.write_bytes(b"not a pickle")
    assert _fired(load_ruleset(big_file))[0] == ["words"]  # compiled again, entry replaced
    (entry,) = _entries(big_file)
    os.chmod(entry, 0o666)  # writable by others: never unpickled
    entry_path = _cache.cache_entry(big_file, big_file.read_text())
    assert entry_path == entry and _cache.cached(entry) is None


def test_small_files_and_a_disabled_cache_write_nothing(
    big_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODGATE_RULES_CACHE", "0")
    load_ruleset(big_file)
    assert _entries(big_file) == []
    monkeypatch.delenv("MODGATE_RULES_CACHE")
    monkeypatch.setattr(_cache, "CACHE_MIN_BYTES", 1 << 30)
    load_ruleset(big_file)
    assert _entries(big_file) == []
