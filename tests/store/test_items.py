from __future__ import annotations

from datetime import UTC, datetime

from modgate.domain import AuthorInfo, Item
from modgate.store import (
    Store,
    count_items,
    get_item,
    list_audit_events,
    list_items,
    save_items,
)


def _item(n: int, body: str = "hello", community: str | None = "c1") -> Item:
    return Item(
        id=f"item-{n}",
        kind="comment",
        community=community,
        body=f"{body} {n}",
        created_at=datetime(2026, 1, 1 + n % 28, tzinfo=UTC),
        author=AuthorInfo(account_age_days=3.5, karma=10, is_moderator=False),
        meta={"score": n, "nested": {"a": [1, 2]}},
    )


def test_round_trip_keeps_every_field(store: Store) -> None:
    original = _item(1)
    save_items(store, [original], actor="t")
    assert get_item(store, "item-1") == original


def test_reimport_is_idempotent(store: Store) -> None:
    batch = [_item(n) for n in range(20)]
    first = save_items(store, batch, actor="t")
    second = save_items(store, batch, actor="t")
    assert (first.inserted, first.updated, first.unchanged) == (20, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 20)
    assert count_items(store) == 20


def test_changed_item_is_updated_and_audited(store: Store) -> None:
    save_items(store, [_item(1), _item(2)], actor="t")
    result = save_items(store, [_item(1, body="edited"), _item(2)], actor="alice", source="f.csv")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert get_item(store, "item-1").body == "edited 1"
    updates = list_audit_events(store, action="items.update")
    assert len(updates) == 1
    assert updates[0].actor == "alice"
    assert updates[0].details["ids"] == ["item-1"]


def test_list_filters(store: Store) -> None:
    save_items(
        store,
        [
            _item(n, community="a" if n % 2 else "b", body="cat" if n < 3 else "dog")
            for n in range(6)
        ],
        actor="t",
    )
    assert {i.id for i in list_items(store, community="a")} == {"item-1", "item-3", "item-5"}
    assert {i.id for i in list_items(store, text="CAT")} == {"item-0", "item-1", "item-2"}
    since = datetime(2026, 1, 4, tzinfo=UTC)
    assert {i.id for i in list_items(store, since=since)} == {"item-3", "item-4", "item-5"}
    newest_first = [i.id for i in list_items(store)]
    assert newest_first[0] == "item-5"
