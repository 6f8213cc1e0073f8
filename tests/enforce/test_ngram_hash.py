"""`WordNgramHasher` against a direct per-text, per-n-gram computation in plain Python."""

from __future__ import annotations

import zlib
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import normalize

from modgate.enforce._ngram_hash import WordNgramHasher
from modgate.enforce._preprocess import WordNgramAnalyzer, word_tokens

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
