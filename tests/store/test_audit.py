from __future__ import annotations

from datetime import UTC, datetime, timedelta

from modgate.store import Store, list_audit_events, record_audit_event


def test_audit_events_are_listed_newest_first_with_filters(store: Store) -> None:
    base = datetime(2026, 5, 1, tzinfo=UTC)
    with store.begin() as conn:
        for n in range(4):
            record_audit_event(
                conn,
                actor="alice" if n % 2 else "bob",
                action="policy.publish" if n < 2 else "enforcer.register",
                object_type="policy" if n < 2 else "enforcer",
                object_id=f"obj{n}",
                details={"n": n},
                at=base + timedelta(hours=n),
            )
    events = list_audit_events(store)
    assert [e.object_id for e in events] == ["obj3", "obj2", "obj1", "obj0"]
    assert events[0].details == {"n": 3}
    assert events[0].at.tzinfo is not None
    assert [e.object_id for e in list_audit_events(store, actor="alice")] == ["obj3", "obj1"]
    assert [e.object_id for e in list_audit_events(store, action="policy.*")] == ["obj1", "obj0"]
    since = base + timedelta(hours=2)
    assert len(list_audit_events(store, since=since)) == 2


def test_audit_event_rolls_back_with_its_change(store: Store) -> None:
    try:
        with store.begin() as conn:
            record_audit_event(conn, actor="a", action="x.y", object_type="x", object_id="1")
            raise RuntimeError("change failed")
    except RuntimeError:
        pass
    assert list_audit_events(store) == []
