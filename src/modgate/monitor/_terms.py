"""Emerging terms: log-odds ratios with an informative Dirichlet prior (pure).

Monroe, Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", *Political Analysis* 16(4), §3.5. For term w with
counts y_w^c in the current window (total n^c), y_w^r in the reference window (total n^r) and
prior pseudo-counts α_w (α_0 = Σ_w α_w):

    δ_w = log[(y_w^c + α_w) / (n^c + α_0 − y_w^c − α_w)]
          − log[(y_w^r + α_w) / (n^r + α_0 − y_w^r − α_w)]          (eq. 16)
    σ²(δ_w) ≈ 1/(y_w^c + α_w) + 1/(y_w^r + α_w)                     (eq. 20)
    z_w = δ_w / √σ²(δ_w)

The informative prior (α_w proportional to the term's frequency in a background corpus, here the
two windows pooled unless one is given) shrinks rare terms strongly, so a word seen three times
does not top the list; a positive z means the term is more frequent now. Under "no change" each
z_w is approximately standard normal, so with V terms about V·P(|Z| > z) pass a z threshold by
chance: the check also requires a minimum current count and reports Benjamini–Hochberg q-values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import regex
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict

from modgate.monitor._rates import benjamini_hochberg
from modgate.text import normalize_text

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'_-]*")


class TermScore(BaseModel):
    """One term's log-odds ratio between the current and the reference window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    term: str
    """The term (a normalized word)."""
    count_current: int
    """Occurrences in the current window."""
    count_reference: int
    """Occurrences in the reference window."""
    delta: float
    """Log-odds ratio δ_w (current vs reference) with the prior."""
    variance: float
    """Approximate variance of δ_w."""
    z: float
    """δ_w / √variance."""
    q_value: float
    """Benjamini–Hochberg adjusted two-sided p-value of z across all terms."""
    examples: list[int]
    """Positions (in the current window's texts) of up to a few items using the term."""


def tokenize_terms(text: str) -> list[str]:
    """Words of `modgate.text.normalize_text(text)` (so `k1ll` and `kill` count as one)."""
    return _WORD.findall(normalize_text(text).text)


def count_terms(texts: Iterable[str]) -> Counter[str]:
    """Term counts over texts (one document may count a term several times)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize_terms(text))
    return counts


def log_odds_dirichlet(
    current: ArrayLike, reference: ArrayLike, prior: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Monroe et al.'s δ, its variance and z for aligned count vectors.

    Args:
        current: Count of each term in the current window.
        reference: Count of each term in the reference window (same term order).
        prior: Prior pseudo-count α_w > 0 of each term.

    Returns:
        (δ, variance, z), one entry per term.
    """
    yc = np.asarray(current, dtype=float)
    yr = np.asarray(reference, dtype=float)
    a = np.asarray(prior, dtype=float)
    if not (yc.shape == yr.shape == a.shape) or yc.ndim != 1:
        raise ValueError("current, reference and prior must be 1-d arrays of one length")
    if (a <= 0).any():
        raise ValueError("prior pseudo-counts must be positive")
    a0 = a.sum()
    nc, nr = yc.sum(), yr.sum()
    delta = np.log((yc + a) / (nc + a0 - yc - a)) - np.log((yr + a) / (nr + a0 - yr - a))
    variance = 1.0 / (yc + a) + 1.0 / (yr + a)
    return delta, variance, delta / np.sqrt(variance)


def emerging_terms(
    current_texts: Sequence[str],
    reference_counts: Mapping[str, int],
    *,
    background: Mapping[str, int] | None = None,
    prior_size: float | None = None,
    min_count: int = 5,
    z_threshold: float = 3.29,
    top: int = 20,
    examples: int = 3,
) -> list[TermScore]:
    """Terms markedly more frequent in the current window than in the reference one.

    Args:
        current_texts: Texts of the current window.
        reference_counts: Term counts of the reference window (`count_terms`).
        background: Counts defining the prior's shape (default: both windows pooled).
        prior_size: α_0, the prior's total pseudo-count (default: the background's total, as
            in the paper's use of the whole corpus).
        min_count: Minimum occurrences in the current window.
        z_threshold: Minimum z (3.29 ≈ two-sided p 0.001 per term).
        top: At most this many terms, highest z first.
        examples: Example items per term.

    Returns:
        Emerging terms with their figures and example positions.
    """
    from scipy import stats

    current = count_terms(current_texts)
    vocab = sorted(set(current) | set(reference_counts))
    if not vocab:
        return []
    yc = np.array([current.get(w, 0) for w in vocab], dtype=float)
    yr = np.array([reference_counts.get(w, 0) for w in vocab], dtype=float)
    if background is None:
        bg = yc + yr
    else:
        bg = np.array([background.get(w, 0) for w in vocab], dtype=float)
    bg = bg + 0.01  # every term gets some prior mass
    scale = (prior_size if prior_size is not None else float(bg.sum())) / float(bg.sum())
    delta, var, z = log_odds_dirichlet(yc, yr, bg * scale)
    q = benjamini_hochberg(2 * stats.norm.sf(np.abs(z)))
    order = np.argsort(-z)
    chosen = [int(i) for i in order if z[i] >= z_threshold and yc[i] >= min_count][:top]
    wanted = {vocab[i] for i in chosen}
    found: dict[str, list[int]] = {w: [] for w in wanted}
    if examples > 0 and wanted:
        for pos, text in enumerate(current_texts):
            for w in set(tokenize_terms(text)) & wanted:
                if len(found[w]) < examples:
                    found[w].append(pos)
            if all(len(v) >= examples for v in found.values()):
                break
    return [
        TermScore(
            term=vocab[i],
            count_current=int(yc[i]),
            count_reference=int(yr[i]),
            delta=float(delta[i]),
            variance=float(var[i]),
            z=float(z[i]),
            q_value=float(q[i]),
            examples=found[vocab[i]],
        )
        for i in chosen
    ]
