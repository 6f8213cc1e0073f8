from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from modgate.golden import SplitItem, assign_splits

RATIOS = {"train": 0.8, "dev": 0.1, "test": 0.1}

items_strategy = st.lists(
    st.builds(
        SplitItem,
        item_id=st.text("abcdef0123", min_size=1, max_size=6),
        label=st.sampled_from(["violating", "non_violating"]),
        keys=st.lists(st.sampled_from([f"group:{k}" for k in range(8)]), max_size=2).map(tuple),
    ),
    max_size=60,
    unique_by=lambda i: i.item_id,
)


@settings(max_examples=150, deadline=None)
@given(items=items_strategy, seed=st.integers(0, 3), data=st.data())
def test_splits_are_total_grouped_and_independent_of_input_order(
    items: list[SplitItem], seed: int, data: st.DataObject
) -> None:
    result = assign_splits(items, RATIOS, seed=seed)
    assert set(result) == {i.item_id for i in items}
    # items sharing any key are in the same split
    split_of_key: dict[str, str] = {}
    for item in items:
        for key in item.keys:
            assert split_of_key.setdefault(key, result[item.item_id][0]) == result[item.item_id][0]
    shuffled = data.draw(st.permutations(items))
    assert assign_splits(shuffled, RATIOS, seed=seed) == result


def test_ungrouped_items_are_stratified_close_to_the_ratios() -> None:
    items = [
        SplitItem(item_id=f"i{n}", label="violating" if n % 5 == 0 else "non_violating")
        for n in range(1000)
    ]
    result = assign_splits(items, RATIOS, seed=0)
    per = Counter((result[i.item_id][0], i.label) for i in items)
    assert per[("train", "violating")] == 160 and per[("test", "violating")] == 20
    assert per[("train", "non_violating")] == 640 and per[("dev", "non_violating")] == 80


def test_seed_changes_assignment_but_not_proportions() -> None:
    items = [SplitItem(item_id=f"i{n}", label="x") for n in range(200)]
    a = assign_splits(items, RATIOS, seed=0)
    b = assign_splits(items, RATIOS, seed=1)
    assert a != b
    assert Counter(s for s, _ in a.values()) == Counter(s for s, _ in b.values())
