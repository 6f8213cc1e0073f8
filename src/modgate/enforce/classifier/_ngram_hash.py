"""Hashed word n-gram features computed for a whole batch at once (numpy), for the classifier.

`WordNgramHasher` is what `HashingVectorizer(analyzer=WordNgramAnalyzer(n),
alternate_sign=False)` computes — word 1..n-grams of normalized text hashed into `n_features`
columns, counts summed per column, optionally L2-normalized — but instead of building every
n-gram string and hashing it one by one, it hashes each distinct *token* once (a bounded cache
keeps the hashes of a Zipf-shaped vocabulary across batches) and combines token hashes into
n-gram hashes with vectorized integer arithmetic. The hash differs from scikit-learn's (CRC-32
per token, a 64-bit mix per n-gram), so the columns differ too; a model fitted with it must be
used with it, which the pickled pipeline guarantees.
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Iterable
from itertools import chain
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from modgate.enforce.classifier._preprocess import word_tokens

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT = np.uint64(31)
_CACHE_SIZE = 1 << 18


class _TokenHashes(dict[str, int]):
    """Bounded cache token → CRC-32 of its UTF-8 bytes; `cache[token]` computes a miss."""

    def __missing__(self, token: str) -> int:
        if len(self) >= _CACHE_SIZE:
            self.clear()
        value = zlib.crc32(token.encode("utf-8", "surrogatepass"))
        self[token] = value
        return value


_TOKEN_HASHES = _TokenHashes()


def token_hash(token: str) -> int:
    """The 32-bit hash of one token (CRC-32 of its UTF-8 bytes)."""
    return _TOKEN_HASHES[token]


def combine_hashes(
    left: NDArray[np.uint64], right: NDArray[np.uint64], order: int
) -> NDArray[np.uint64]:
    """The hash of an n-gram from the hash of its first n-1 tokens and of its last token.

    A 64-bit multiply-xorshift mix (wrapping arithmetic), salted with the n-gram's order so
    that a bigram and a unigram do not share columns by construction.
    """
    mixed = (left * _GOLDEN) ^ (right + np.uint64(order))
    mixed = (mixed ^ (mixed >> _SHIFT)) * _MIX
    result: NDArray[np.uint64] = mixed ^ (mixed >> _SHIFT)
    return result


class WordNgramHasher(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Word 1..`ngram_max`-grams of normalized text, hashed into `n_features` count columns.

    Stateless (like `HashingVectorizer`): `fit` learns nothing. Tokens are those of
    `word_tokens` (ASCII punctuation separates, whitespace splits).

    Args:
        ngram_max: Longest n-gram (>= 1).
        n_features: Number of columns.
        norm: `l2` to scale each row to unit length (after summing colliding counts), or None.
    """

    def __init__(
        self, ngram_max: int = 2, n_features: int = 2**20, norm: Literal["l2"] | None = "l2"
    ) -> None:
        self.ngram_max = ngram_max
        self.n_features = n_features
        self.norm = norm

    def __sklearn_is_fitted__(self) -> bool:
        """Stateless: always ready to transform."""
        return True

    def __sklearn_tags__(self) -> Any:
        """As scikit-learn's `HashingVectorizer`: string input, no fit needed."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def fit(self, X: Iterable[str], y: Any = None) -> WordNgramHasher:  # noqa: N803
        """Check the parameters; nothing is learned."""
        if self.ngram_max < 1:
            raise ValueError(f"ngram_max must be >= 1, got {self.ngram_max}")
        if self.n_features < 1:
            raise ValueError(f"n_features must be >= 1, got {self.n_features}")
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:  # noqa: N803
        """The (n_texts, n_features) float64 CSR matrix of hashed n-gram counts."""
        self.fit(())
        docs = list(X)
        tokens, keep, doc_of = _batch_tokens(docs)
        hashes = np.fromiter(
            map(_TOKEN_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens)
        )
        size = np.uint64(self.n_features)
        rows = [doc_of[keep]]
        cols = [hashes[keep] % size]
        gram = hashes
        valid = keep
        for order in range(2, self.ngram_max + 1):
            # n-grams starting at token i: the (n-1)-gram at i, then token i + n - 1
            gram = combine_hashes(gram[:-1], hashes[order - 1 :], order)
            valid = valid[:-1] & keep[order - 1 :]
            rows.append(doc_of[: len(valid)][valid])
            cols.append(gram[valid] % size)
        row = np.concatenate(rows)
        col = np.concatenate(cols).astype(np.int64)
        matrix = sparse.csr_matrix(
            (np.ones(len(row), dtype=np.float64), (row, col)),
            shape=(len(docs), self.n_features),
        )
        matrix.sum_duplicates()
        if self.norm == "l2":
            per_row = np.diff(matrix.indptr)
            squares = np.bincount(
                np.repeat(np.arange(len(docs)), per_row),
                weights=matrix.data**2,
                minlength=len(docs),
            )
            norms = np.sqrt(squares)
            norms[norms == 0.0] = 1.0
            matrix.data /= np.repeat(norms, per_row)
        elif self.norm is not None:
            raise ValueError(f"norm must be 'l2' or None, got {self.norm!r}")
        return matrix


_POLY = np.uint64(0x100000001B3)
_CHUNK = 4096


def char_window_hash(window_hash: NDArray[np.uint64], order: int) -> NDArray[np.uint64]:
    """Final mix of a character window's polynomial hash, salted with its length."""
    mixed = window_hash ^ np.uint64((order * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    mixed = (mixed ^ (mixed >> _SHIFT)) * _MIX
    result: NDArray[np.uint64] = mixed ^ (mixed >> _SHIFT)
    return result


class CharNgramHasher(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Character n-grams inside word boundaries, hashed into `n_features` count columns.

    The n-grams are those of scikit-learn's `analyzer="char_wb"`: each whitespace-separated
    word is padded with one space on each side and every window of `ngram_min`..`ngram_max`
    characters inside the padded word counts once. Computed for a batch at once: the padded
    words laid end to end as code points, a rolling polynomial hash per window length, and
    only windows that start and end in the same padded word kept. Stateless.

    Args:
        ngram_min: Shortest window (>= 1).
        ngram_max: Longest window (>= `ngram_min`).
        n_features: Number of columns.
    """

    def __init__(self, ngram_min: int = 3, ngram_max: int = 5, n_features: int = 2**20) -> None:
        self.ngram_min = ngram_min
        self.ngram_max = ngram_max
        self.n_features = n_features

    def __sklearn_is_fitted__(self) -> bool:
        """Stateless: always ready to transform."""
        return True

    def __sklearn_tags__(self) -> Any:
        """As scikit-learn's `HashingVectorizer`: string input, no fit needed."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def fit(self, X: Iterable[str], y: Any = None) -> CharNgramHasher:  # noqa: N803
        """Check the parameters; nothing is learned."""
        if not 1 <= self.ngram_min <= self.ngram_max:
            raise ValueError(
                f"need 1 <= ngram_min <= ngram_max, got {self.ngram_min}, {self.ngram_max}"
            )
        if self.n_features < 1:
            raise ValueError(f"n_features must be >= 1, got {self.n_features}")
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:  # noqa: N803
        """The (n_texts, n_features) float64 CSR matrix of hashed n-gram counts."""
        self.fit(())
        docs = list(X)
        if len(docs) <= _CHUNK:
            return self._transform_chunk(docs)
        chunks = [self._transform_chunk(docs[i : i + _CHUNK]) for i in range(0, len(docs), _CHUNK)]
        stacked: sparse.csr_matrix = sparse.vstack(chunks, format="csr")
        return stacked

    def _transform_chunk(self, docs: list[str]) -> sparse.csr_matrix:
        word_lists = [doc.split() for doc in docs]
        per_doc = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(docs))
        words = list(chain.from_iterable(word_lists))
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        padded = " " + "  ".join(words) + " " if words else ""
        codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
            np.uint64
        )
        word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        doc_of_word = np.repeat(np.arange(len(docs), dtype=np.int64), per_doc)
        size = np.uint64(self.n_features)
        rows: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        cols: list[NDArray[np.uint64]] = [np.zeros(0, dtype=np.uint64)]
        window = codes
        for order in range(1, self.ngram_max + 1):
            if order > 1:
                window = window[:-1] * _POLY + codes[order - 1 :]
            if order >= self.ngram_min and len(window):
                starts = word_of[: len(window)]
                inside = starts == word_of[order - 1 :]
                rows.append(doc_of_word[starts[inside]])
                cols.append(char_window_hash(window[inside], order) % size)
        row = np.concatenate(rows)
        matrix = sparse.csr_matrix(
            (np.ones(len(row), dtype=np.float64), (row, np.concatenate(cols).astype(np.int64))),
            shape=(len(docs), self.n_features),
        )
        matrix.sum_duplicates()
        return matrix


_MARKER = "\x00"
# `word_tokens`' separators as a bytes table: ASCII punctuation → space. UTF-8 never puts an
# ASCII byte inside a multi-byte character, so translating the encoded bytes is exact.
_SEPARATE_BYTES = bytes(ord(" ") if chr(b) in string.punctuation else b for b in range(256))


def _batch_tokens(
    docs: list[str],
) -> tuple[list[str], NDArray[np.bool_], NDArray[np.int64]]:
    """`word_tokens` of every text in one pass, a separator between texts.

    Returns the tokens, which of them are real (not a separator) and the text each belongs to.
    The separator is a NUL token, or, when a text holds NUL itself, the empty string (which
    `str.split` never yields), the texts then being tokenized one by one.
    """
    joined = f" {_MARKER} ".join(docs)
    if joined.count(_MARKER) == max(len(docs) - 1, 0):
        encoded = joined.encode("utf-8", "surrogatepass").translate(_SEPARATE_BYTES)
        tokens = encoded.decode("utf-8", "surrogatepass").split()
        separator = _MARKER
    else:
        tokens = list(chain.from_iterable([*word_tokens(doc), ""] for doc in docs))[:-1]
        separator = ""
    is_separator = np.fromiter(map(separator.__eq__, tokens), dtype=bool, count=len(tokens))
    doc_of = np.cumsum(is_separator, dtype=np.int64)
    return tokens, ~is_separator, doc_of


__all__ = ["CharNgramHasher", "WordNgramHasher", "char_window_hash", "combine_hashes", "token_hash"]
