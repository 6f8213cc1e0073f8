from __future__ import annotations

import random

import pytest

from modgate.enforce import TrainingRow

_BAD = ["vermin", "subhuman", "filth", "parasites", "animals", "scum"]
_GOOD = ["neighbours", "friends", "colleagues", "people", "families", "students"]
_GROUPS = ["immigrants", "muslims", "women", "jews", "migrants", "gays"]


def synthetic_rows(n: int = 240, seed: int = 7) -> list[TrainingRow]:
    """Small, learnable rows: hateful templates vs neutral ones about the same groups."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        group = rng.choice(_GROUPS)
        if i % 2:
            text = f"all {group} are {rng.choice(_BAD)} and should leave"
            rows.append(TrainingRow(text=text, label=1))
        else:
            text = f"my {group} {rng.choice(_GOOD)} came over for dinner"
            rows.append(TrainingRow(text=text, label=0))
    return rows


@pytest.fixture(scope="session")
def rows() -> list[TrainingRow]:
    return synthetic_rows()
