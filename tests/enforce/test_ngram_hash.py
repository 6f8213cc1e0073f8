"""`WordNgramHasher` against a direct per-text, per-n-gram computation in plain Python."""

from __future__ import annotations

import zlib
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from modgate.enforce.classifier import _ngram_hash as ngram_hash
from modgate.enforce.classifier._ngram_hash import CharNgramHasher, WordNgramHasher
from modgate.enforce.classifier._preprocess import WordNgramAnalyzer, word_tokens

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX = 0xBF58476D1CE4E5B9


def mix(left: int, right: int, order: int) -> int:
    mixed = ((left * GOLDEN) & MASK) ^ ((right + order) & MASK)
    mixed = ((mixed ^ (mixed >> 31)) * MIX) & MASK
    return mixed ^ (mixed >> 31)


def direct_counts(texts: list[str], ngram_max: int, n_features: int) -> np.ndarray:
    rows = np.zeros((len(texts), n_features))
    for i, text in enumerate(texts):
        hashes = [zlib.crc32(t.encode("utf-8", "surrogatepass")) for t in word_tokens(text)]
        columns: Counter[int] = Counter(h % n_features for h in hashes)
        for n in range(2, ngram_max + 1):
            for start in range(len(hashes) - n + 1):
                gram = hashes[start]
                for k in range(1, n):
                    gram = mix(gram, hashes[start + k], k + 1)
                columns[gram % n_features] += 1
        for column, count in columns.items():
            rows[i, column] = count
    return rows


texts = st.lists(
    st.one_of(
        st.text(alphabet="ab c.d,e!f?\n\t-'\x00é中", max_size=40),
        st.text(max_size=30),
        st.just(""),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=1, max_value=3), st.sampled_from([7, 64, 1024]))
def test_counts_equal_a_direct_computation(docs: list[str], ngram_max: int, size: int) -> None:
    got = WordNgramHasher(ngram_max=ngram_max, n_features=size, norm=None).transform(docs)
    np.testing.assert_array_equal(got.toarray(), direct_counts(docs, ngram_max, size))


@settings(max_examples=100, deadline=None)
@given(texts, st.integers(min_value=1, max_value=3))
def test_one_count_per_ngram_of_the_word_analyzer(docs: list[str], ngram_max: int) -> None:
    got = WordNgramHasher(ngram_max=ngram_max, n_features=2**20, norm=None).transform(docs)
    analyzer = WordNgramAnalyzer(ngram_max)
    assert got.sum(axis=1).A1.tolist() == [len(analyzer(d)) for d in docs]


@settings(max_examples=100, deadline=None)
@given(texts)
def test_l2_rows_equal_normalized_counts(docs: list[str]) -> None:
    docs = [*docs, "a b a"]
    counts = WordNgramHasher(n_features=512, norm=None).transform(docs)
    scaled = WordNgramHasher(n_features=512, norm="l2").transform(docs)
    np.testing.assert_allclose(scaled.toarray(), normalize(counts).toarray(), rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(texts, texts)
def test_a_text_gets_the_same_row_in_any_batch(first: list[str], second: list[str]) -> None:
    hasher = WordNgramHasher(ngram_max=3, n_features=4096)
    together = hasher.transform(first + second).toarray()
    apart = [hasher.transform([doc]).toarray()[0] for doc in first + second]
    np.testing.assert_array_equal(together, np.array(apart).reshape(together.shape))


def test_empty_batch_and_empty_text() -> None:
    hasher = WordNgramHasher(n_features=16)
    assert hasher.transform([]).shape == (0, 16)
    assert hasher.transform(["", "..."]).nnz == 0


POLY = 0x100000001B3


def direct_char_counts(texts: list[str], low: int, high: int, n_features: int) -> np.ndarray:
    rows = np.zeros((len(texts), n_features))
    for i, text in enumerate(texts):
        for word in text.split():
            padded = f" {word} "
            for n in range(low, high + 1):
                for start in range(len(padded) - n + 1):
                    h = 0
                    for char in padded[start : start + n]:
                        h = (h * POLY + ord(char)) & MASK
                    h ^= (n * GOLDEN) & MASK
                    h = ((h ^ (h >> 31)) * MIX) & MASK
                    rows[i, (h ^ (h >> 31)) % n_features] += 1
    return rows


@settings(max_examples=150, deadline=None)
@given(texts, st.sampled_from([(3, 5), (1, 2), (2, 4)]), st.sampled_from([7, 1024]))
def test_char_counts_equal_a_direct_computation(
    docs: list[str], orders: tuple[int, int], size: int
) -> None:
    low, high = orders
    got = CharNgramHasher(ngram_min=low, ngram_max=high, n_features=size).transform(docs)
    np.testing.assert_array_equal(got.toarray(), direct_char_counts(docs, low, high, size))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_char_ngrams_are_those_of_sklearn_char_wb(docs: list[str]) -> None:
    sklearn_analyzer = CountVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=False
    ).build_analyzer()
    got = CharNgramHasher(n_features=2**20).transform(docs)
    assert got.sum(axis=1).A1.tolist() == [len(sklearn_analyzer(d)) for d in docs]


def test_char_hasher_chunks_large_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [f"word{i} and more {i % 7}" for i in range(50)]
    whole = CharNgramHasher(n_features=4096).transform(docs).toarray()
    monkeypatch.setattr(ngram_hash, "_CHUNK", 8)
    np.testing.assert_array_equal(CharNgramHasher(n_features=4096).transform(docs).toarray(), whole)
