import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.monitor import count_terms, emerging_terms, log_odds_dirichlet, tokenize_terms


def _paper_direct(yc, yr, alpha):
    """Monroe, Colaresi & Quinn (2008) eqs. 16 and 20, term by term with math only."""
    a0 = sum(alpha)
    nc, nr = sum(yc), sum(yr)
    out = []
    for w in range(len(yc)):
        omega_c = (yc[w] + alpha[w]) / (nc + a0 - yc[w] - alpha[w])
        omega_r = (yr[w] + alpha[w]) / (nr + a0 - yr[w] - alpha[w])
        delta = math.log(omega_c) - math.log(omega_r)
        var = 1 / (yc[w] + alpha[w]) + 1 / (yr[w] + alpha[w])
        out.append((delta, var, delta / math.sqrt(var)))
    return out


def test_log_odds_equals_the_papers_equations_on_zipf_counts():
    rng = np.random.default_rng(0)
    vocab = 500
    base = 1 / np.arange(1, vocab + 1)
    base /= base.sum()
    yr = rng.multinomial(20000, base)
    shifted = base.copy()
    shifted[[7, 100, 333]] *= [3, 10, 30]
    yc = rng.multinomial(5000, shifted / shifted.sum())
    alpha = (yc + yr + 0.01) * 0.5
    delta, var, z = log_odds_dirichlet(yc, yr, alpha)
    direct = _paper_direct(yc.tolist(), yr.tolist(), alpha.tolist())
    assert np.allclose(delta, [d[0] for d in direct], rtol=1e-12)
    assert np.allclose(var, [d[1] for d in direct], rtol=1e-12)
    assert np.allclose(z, [d[2] for d in direct], rtol=1e-12)
    top = set(np.argsort(-z)[:3].tolist())
    assert top == {7, 100, 333}


def test_emerging_terms_finds_a_coded_word_with_examples_and_normalizes_leet():
    rng = np.random.default_rng(1)
    words = [f"word{i}" for i in range(200)]
    probs = 1 / np.arange(1, 201)
    probs /= probs.sum()

    def text():
        return " ".join(rng.choice(words, 12, p=probs))

    reference = [text() for _ in range(3000)]
    current = [text() for _ in range(800)]
    for i in range(0, 800, 10):
        current[i] += " g1mp" if i % 20 else " gimp"
    found = emerging_terms(current, count_terms(reference), min_count=5)
    assert found[0].term == "gimp"
    assert found[0].count_current == 80 and found[0].count_reference == 0
    assert found[0].z > 3.29 and found[0].q_value < 0.01
    assert all("gimp" in tokenize_terms(current[i]) for i in found[0].examples)
    assert len(found[0].examples) == 3


def test_stationary_vocabulary_gives_few_emerging_terms():
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(300)]
    probs = 1 / np.arange(1, 301)
    probs /= probs.sum()
    windows_with_false_terms = 0
    for _ in range(20):
        ref = [" ".join(rng.choice(words, 10, p=probs)) for _ in range(1000)]
        cur = [" ".join(rng.choice(words, 10, p=probs)) for _ in range(300)]
        found = emerging_terms(cur, count_terms(ref))
        windows_with_false_terms += any(t.q_value <= 0.01 for t in found)
    assert windows_with_false_terms <= 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.floats(0.01, 20)),
        min_size=2,
        max_size=40,
    )
)
def test_properties_variance_positive_and_swapping_windows_negates_delta(rows):
    yc = [r[0] for r in rows]
    yr = [r[1] for r in rows]
    a = [r[2] for r in rows]
    d, v, _ = log_odds_dirichlet(yc, yr, a)
    d2, v2, _ = log_odds_dirichlet(yr, yc, a)
    assert (v > 0).all()
    assert np.allclose(d, -d2) and np.allclose(v, v2)


def test_count_terms_counts_normalized_words():
    assert count_terms(["K1LL it", "kill"]) == Counter({"kill": 2, "it": 1})
    with pytest.raises(ValueError, match="positive"):
        log_odds_dirichlet([1], [1], [0])
