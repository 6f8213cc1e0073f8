"""Accounts: argon2id hashes, roles, queue grants, sessions, login limits, audit events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.store import Store, list_audit_events
from modgate.ui import (
    LoginRefusedError,
    create_account,
    get_account,
    get_session,
    grant_queue,
    list_accounts,
    login,
    logout,
    role_allows,
    set_disabled,
    set_role,
)
from modgate.ui._repo import _check_username

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_passwords_are_stored_as_argon2id_hashes_only(store: Store) -> None:
    create_account(store, "ana", PASSWORD, "analyst", actor="t")
    from modgate.store import ui_accounts

    with store.connect() as conn:
        stored = conn.execute(ui_accounts.select()).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)  # the library's own check agrees


def test_bad_input_is_refused_with_the_reason(store: Store) -> None:
    with pytest.raises(ValidationError, match="at least 12"):
        create_account(store, "ana", "short", "viewer", actor="t")
    with pytest.raises(ValidationError, match="role 'boss'"):
        create_account(store, "ana", PASSWORD, "boss", actor="t")
    with pytest.raises(ValidationError, match="username"):
        create_account(store, "../x", PASSWORD, "viewer", actor="t")
    create_account(store, "ana", PASSWORD, "viewer", actor="t")
    with pytest.raises(ConflictError, match="exists"):
        create_account(store, "ana", PASSWORD, "viewer", actor="t")
    with pytest.raises(NotFoundError):
        set_role(store, "nobody", "admin", actor="t")
    with pytest.raises(ValidationError, match="without a version"):
        grant_queue(store, "ana", "hate@2", actor="t")


@given(st.text(max_size=140))
def test_usernames_are_accepted_only_in_the_documented_alphabet(name: str) -> None:
    import re

    ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}", name) is not None
    try:
        _check_username(name)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == ok


def test_sessions_expire_and_end_on_logout_role_change_or_disable(store: Store) -> None:
    create_account(store, "ana", PASSWORD, "analyst", actor="t")
    opened = login(store, "ana", PASSWORD, client="1.2.3.4", session_ttl=timedelta(hours=1), now=T0)
    assert get_session(store, opened.token, now=T0 + timedelta(minutes=59)) is not None
    assert get_session(store, opened.token, now=T0 + timedelta(minutes=61)) is None
    again = login(store, "ana", PASSWORD, client="1.2.3.4", now=T0)
    set_role(store, "ana", "viewer", actor="admin", now=T0)
    assert get_session(store, again.token, now=T0) is None
    third = login(store, "ana", PASSWORD, client="1.2.3.4", now=T0)
    assert get_session(store, third.token, now=T0).role == "viewer"  # type: ignore[union-attr]
    set_disabled(store, "ana", True, actor="admin", now=T0)
    assert get_session(store, third.token, now=T0) is None
    with pytest.raises(ValidationError, match="wrong username or password"):
        login(store, "ana", PASSWORD, client="1.2.3.4", now=T0)
    set_disabled(store, "ana", False, actor="admin", now=T0)
    fourth = login(store, "ana", PASSWORD, client="1.2.3.4", now=T0)
    logout(store, fourth.token, now=T0)
    assert get_session(store, fourth.token, now=T0) is None


def test_failed_logins_lock_a_username_and_a_client_for_the_window(store: Store) -> None:
    create_account(store, "ana", PASSWORD, "analyst", actor="t")
    create_account(store, "bob", PASSWORD, "viewer", actor="t")
    for k in range(3):
        with pytest.raises(ValidationError):
            login(
                store,
                "ana",
                "wrong password",
                client=f"10.0.0.{k}",
                max_failures=3,
                now=T0 + timedelta(minutes=k),
            )
    with pytest.raises(LoginRefusedError) as refused:
        login(
            store, "ana", PASSWORD, client="10.0.0.9", max_failures=3, now=T0 + timedelta(minutes=5)
        )
    # the oldest failure (T0) leaves the 15-minute window at T0+15min: 10 minutes from T0+5min
    assert refused.value.retry_after_s == 10 * 60 + 1
    assert (
        login(
            store,
            "ana",
            PASSWORD,
            client="10.0.0.9",
            max_failures=3,
            now=T0 + timedelta(minutes=15, seconds=1),
        ).session.username
        == "ana"
    )
    for _ in range(3):
        with pytest.raises(ValidationError):
            login(store, "nobody", "x" * 12, client="6.6.6.6", max_failures=3, now=T0)
    with pytest.raises(LoginRefusedError):
        login(store, "bob", PASSWORD, client="6.6.6.6", max_failures=3, now=T0)
    assert login(store, "bob", PASSWORD, client="7.7.7.7", max_failures=3, now=T0)


def test_grants_and_every_change_are_audited(store: Store) -> None:
    create_account(store, "rita", PASSWORD, "reviewer", actor="admin")
    grant_queue(store, "rita", "hate", actor="admin")
    account = grant_queue(store, "rita", "spam", "cats", actor="admin")
    assert [(g.policy, g.community) for g in account.grants] == [("hate", None), ("spam", "cats")]
    account = grant_queue(store, "rita", "hate", revoke=True, actor="admin")
    assert [(g.policy, g.community) for g in get_account(store, "rita").grants] == [
        ("spam", "cats")
    ]
    with pytest.raises(NotFoundError):
        grant_queue(store, "rita", "hate", revoke=True, actor="admin")
    actions = [e.action for e in list_audit_events(store, object_type="ui_account")]
    assert actions == [
        "ui.account.revoke_queue",
        "ui.account.grant_queue",
        "ui.account.grant_queue",
        "ui.account.create",
    ]
    assert [a.username for a in list_accounts(store)] == ["rita"]


def test_role_capabilities() -> None:
    assert role_allows("reviewer", "review") and not role_allows("reviewer", "read")
    assert not role_allows("viewer", "sql") and role_allows("analyst", "sql")
    assert not role_allows("analyst", "deploy") and role_allows("admin", "deploy")
    assert not role_allows("unknown", "read")
