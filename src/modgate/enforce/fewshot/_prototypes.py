"""Embeddings of a policy's examples and criteria, cached per policy version.

In memory, keyed by (policy content hash, backend identity): a process embeds one policy
version once. On disk, an `.npz` artifact (no pickle) registered with the enforcer version, so
the version hash covers exactly the embeddings it scores with.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from modgate.enforce.fewshot._backends import EmbeddingBackend
from modgate.enforce.fewshot._features import PolicyTexts, Prototypes
from modgate.errors import ConfigError
from modgate.policy import Policy, policy_content_hash

_ROLES = ("violating", "allowed", "criteria", "contexts")
_CACHE_SIZE = 256
_CACHE: OrderedDict[tuple[str, str], Prototypes] = OrderedDict()


def embed_policy(
    policy: Policy, backend: EmbeddingBackend, *, batch_size: int = 512
) -> tuple[PolicyTexts, Prototypes]:
    """The policy's texts and their embeddings (one batch; cached per policy version)."""
    texts = PolicyTexts.of_policy(policy)
    key = (policy_content_hash(policy), backend.identity)
    found = _CACHE.get(key)
    if found is None:
        found = Prototypes.split(texts, backend.encode(texts.all_texts(), batch_size=batch_size))
        _CACHE[key] = found
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return texts, found


def save_prototypes(path: Path, prototypes: Prototypes, *, policy_hash: str, backend: str) -> None:
    """Write embeddings as an `.npz` (dense arrays, or the CSR parts of sparse ones)."""
    arrays: dict[str, Any] = {
        "meta": np.frombuffer(
            json.dumps({"policy_sha256": policy_hash, "backend": backend}).encode(), dtype=np.uint8
        )
    }
    for role in _ROLES:
        rows = getattr(prototypes, role)
        if hasattr(rows, "tocsr"):
            csr = rows.tocsr()
            arrays |= {
                f"{role}.data": csr.data,
                f"{role}.indices": csr.indices,
                f"{role}.indptr": csr.indptr,
                f"{role}.shape": np.asarray(csr.shape),
            }
        else:
            arrays[role] = np.asarray(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def load_prototypes(path: Path) -> tuple[Prototypes, dict[str, str]]:
    """Read an artifact written by `save_prototypes`: (embeddings, its policy and backend).

    Raises:
        ConfigError: Not such an artifact.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            roles: dict[str, Any] = {}
            for role in _ROLES:
                if role in data:
                    roles[role] = data[role]
                else:
                    from scipy import sparse

                    shape = tuple(int(v) for v in data[f"{role}.shape"])
                    roles[role] = sparse.csr_matrix(
                        (data[f"{role}.data"], data[f"{role}.indices"], data[f"{role}.indptr"]),
                        shape=shape,
                    )
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{path}: not a few-shot embeddings artifact: {exc}") from exc
    return Prototypes(**roles), meta


__all__ = ["embed_policy", "load_prototypes", "save_prototypes"]
