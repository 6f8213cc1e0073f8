"""Persistence of the web UI: accounts, queue grants, sessions, login attempts, saved queries.

Every change records an audit event in the same transaction. Sessions are server-side rows
(the cookie carries a random token; the table keeps its SHA-256), so logging out, disabling an
account or changing its role ends its sessions at once, and expiry is checked by the server.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, delete, func, insert, select, update

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.store import (
    Store,
    record_audit_event,
    ui_accounts,
    ui_login_attempts,
    ui_queue_grants,
    ui_saved_queries,
    ui_sessions,
)
from modgate.ui._passwords import (
    check_password_strength,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from modgate.ui._roles import ROLES

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
ALL_COMMUNITIES = "*"
"""The community of a grant that covers every community of the policy."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QueueGrant(_Frozen):
    """A review queue an account may see and work."""

    policy: str
    """Policy id (no version)."""
    community: str | None
    """Community, or None for every community of the policy."""


class Account(_Frozen):
    """A web UI account (never its password or hash)."""

    username: str
    """Login name."""
    role: str
    """viewer, reviewer, analyst or admin."""
    disabled: bool
    """Disabled accounts cannot log in."""
    created_at: datetime
    """When it was created (UTC)."""
    created_by: str
    """Who created it."""
    grants: tuple[QueueGrant, ...] = ()
    """Review queues granted to it."""


class Session(_Frozen):
    """A logged-in session (the token itself is only in the cookie)."""

    username: str
    """Whose session."""
    role: str
    """The account's role now."""
    csrf_token: str
    """The per-session token every form must send back."""
    expires_at: datetime
    """When it stops being accepted."""
    grants: tuple[QueueGrant, ...]
    """The account's review queues."""


class NewSession(_Frozen):
    """A session just opened: the cookie token (shown once) and the session."""

    token: str
    """Value of the session cookie."""
    session: Session
    """The session."""


class SavedQuery(_Frozen):
    """A named read-only SQL query of the console."""

    id: int
    """Id."""
    name: str
    """Name shown in the console."""
    sql: str
    """The statement."""
    created_at: datetime
    """When it was saved."""
    created_by: str
    """Who saved it."""


class LoginRefusedError(ValidationError):
    """Too many failed logins: wait before trying again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _check_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise ValidationError(
            f"username {username!r} is not valid: 1–128 letters, digits or . _ @ -, "
            "starting with a letter or digit"
        )
    return username


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _grants(conn: Any, username: str) -> tuple[QueueGrant, ...]:
    rows = conn.execute(
        select(ui_queue_grants.c.policy, ui_queue_grants.c.community)
        .where(ui_queue_grants.c.username == username)
        .order_by(ui_queue_grants.c.policy, ui_queue_grants.c.community)
    )
    return tuple(
        QueueGrant(
            policy=r.policy, community=None if r.community == ALL_COMMUNITIES else r.community
        )
        for r in rows
    )


def _account(conn: Any, row: Any) -> Account:
    return Account(
        username=row.username, role=row.role, disabled=bool(row.disabled),
        created_at=_aware(row.created_at), created_by=row.created_by,
        grants=_grants(conn, row.username),
    )  # fmt: skip


def create_account(
    store: Store,
    username: str,
    password: str,
    role: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> Account:
    """Create a local account with an argon2id password hash.

    Raises:
        ValidationError: Bad username, role, or a password too short.
        ConflictError: The username exists.
    """
    _check_username(username)
    _check_role(role)
    check_password_strength(password)
    at = _now(now)
    encoded = hash_password(password)
    with store.begin() as conn:
        exists = conn.execute(
            select(ui_accounts.c.username).where(ui_accounts.c.username == username)
        ).first()
        if exists:
            raise ConflictError(f"account {username!r} exists")
        conn.execute(
            insert(ui_accounts).values(
                username=username,
                password_hash=encoded,
                role=role,
                disabled=False,
                created_at=at,
                created_by=actor,
                password_changed_at=at,
            )  # fmt: skip
        )
        record_audit_event(
            conn, actor=actor, action="ui.account.create", object_type="ui_account",
            object_id=username, details={"role": role}, at=at,
        )  # fmt: skip
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).one()
        return _account(conn, row)


def get_account(store: Store, username: str) -> Account:
    """One account.

    Raises:
        NotFoundError: No such account.
    """
    with store.connect() as conn:
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).first()
        if row is None:
            raise NotFoundError(f"no account {username!r}")
        return _account(conn, row)


def list_accounts(store: Store) -> list[Account]:
    """Every account, by username."""
    with store.connect() as conn:
        rows = conn.execute(select(ui_accounts).order_by(ui_accounts.c.username)).all()
        return [_account(conn, r) for r in rows]


def set_role(
    store: Store, username: str, role: str, *, actor: str, now: datetime | None = None
) -> Account:
    """Change an account's role; its open sessions end (they carried the old role).

    Raises:
        ValidationError: Unknown role.
        NotFoundError: No such account.
    """
    _check_role(role)
    at = _now(now)
    with store.begin() as conn:
        old = conn.execute(
            select(ui_accounts.c.role).where(ui_accounts.c.username == username)
        ).first()
        if old is None:
            raise NotFoundError(f"no account {username!r}")
        conn.execute(
            update(ui_accounts).where(ui_accounts.c.username == username).values(role=role)
        )
        conn.execute(delete(ui_sessions).where(ui_sessions.c.username == username))
        record_audit_event(
            conn, actor=actor, action="ui.account.set_role", object_type="ui_account",
            object_id=username, details={"from": old.role, "to": role}, at=at,
        )  # fmt: skip
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).one()
        return _account(conn, row)


def set_disabled(
    store: Store, username: str, disabled: bool, *, actor: str, now: datetime | None = None
) -> Account:
    """Disable (ending its sessions) or re-enable an account.

    Raises:
        NotFoundError: No such account.
    """
    at = _now(now)
    with store.begin() as conn:
        result = conn.execute(
            update(ui_accounts).where(ui_accounts.c.username == username).values(disabled=disabled)
        )
        if result.rowcount == 0:
            raise NotFoundError(f"no account {username!r}")
        if disabled:
            conn.execute(delete(ui_sessions).where(ui_sessions.c.username == username))
        record_audit_event(
            conn, actor=actor, action="ui.account.disable" if disabled else "ui.account.enable",
            object_type="ui_account", object_id=username, at=at,
        )  # fmt: skip
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).one()
        return _account(conn, row)


def set_password(
    store: Store, username: str, password: str, *, actor: str, now: datetime | None = None
) -> None:
    """Set a new password; the account's sessions end.

    Raises:
        ValidationError: Password too short.
        NotFoundError: No such account.
    """
    check_password_strength(password)
    at = _now(now)
    encoded = hash_password(password)
    with store.begin() as conn:
        result = conn.execute(
            update(ui_accounts)
            .where(ui_accounts.c.username == username)
            .values(password_hash=encoded, password_changed_at=at)
        )
        if result.rowcount == 0:
            raise NotFoundError(f"no account {username!r}")
        conn.execute(delete(ui_sessions).where(ui_sessions.c.username == username))
        record_audit_event(
            conn, actor=actor, action="ui.account.set_password", object_type="ui_account",
            object_id=username, at=at,
        )  # fmt: skip


def grant_queue(
    store: Store,
    username: str,
    policy: str,
    community: str | None = None,
    *,
    revoke: bool = False,
    actor: str,
    now: datetime | None = None,
) -> Account:
    """Grant (or revoke) a review queue: a policy, and one community or all of them.

    Raises:
        ValidationError: Empty policy id, or a policy reference with a version.
        NotFoundError: No such account, or revoking a grant it does not have.
    """
    if not policy.strip() or "@" in policy:
        raise ValidationError(f"policy {policy!r}: give the policy id without a version")
    stored_community = ALL_COMMUNITIES if community is None else community
    at = _now(now)
    with store.begin() as conn:
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).first()
        if row is None:
            raise NotFoundError(f"no account {username!r}")
        match = and_(
            ui_queue_grants.c.username == username,
            ui_queue_grants.c.policy == policy,
            ui_queue_grants.c.community == stored_community,
        )
        present = conn.execute(select(ui_queue_grants.c.id).where(match)).first()
        if revoke:
            if present is None:
                raise NotFoundError(f"{username!r} has no grant on {policy}/{stored_community}")
            conn.execute(delete(ui_queue_grants).where(match))
        elif present is None:
            conn.execute(
                insert(ui_queue_grants).values(
                    username=username,
                    policy=policy,
                    community=stored_community,
                    granted_at=at,
                    granted_by=actor,
                )  # fmt: skip
            )
        record_audit_event(
            conn, actor=actor,
            action="ui.account.revoke_queue" if revoke else "ui.account.grant_queue",
            object_type="ui_account", object_id=username,
            details={"policy": policy, "community": community}, at=at,
        )  # fmt: skip
        return _account(conn, row)


# --- login, rate limiting and sessions -------------------------------------------------------


def _recent_failures(conn: Any, column: Any, value: str, since: datetime) -> tuple[int, Any]:
    row = conn.execute(
        select(func.count(), func.min(ui_login_attempts.c.at)).where(
            column == value,
            ui_login_attempts.c.at >= since,
            ui_login_attempts.c.succeeded.is_(False),
        )
    ).one()
    return int(row[0]), row[1]


def login(
    store: Store,
    username: str,
    password: str,
    *,
    client: str,
    session_ttl: timedelta = timedelta(hours=8),
    max_failures: int = 5,
    window: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> NewSession:
    """Check a password and open a session.

    Failed attempts are kept per username and per client address; past `max_failures` of
    either within `window` every attempt is refused (even with the right password) until the
    oldest failure leaves the window.

    Raises:
        LoginRefusedError: Too many failures; the error carries the seconds to wait.
        ValidationError: Wrong username or password, or a disabled account (one message).
    """
    at = _now(now)
    since = at - window
    client = client[:128] or "unknown"
    username = username[:128]
    with store.begin() as conn:
        for column, value in (
            (ui_login_attempts.c.username, username),
            (ui_login_attempts.c.client, client),
        ):
            failures, oldest = _recent_failures(conn, column, value, since)
            if failures >= max_failures:
                wait = (_aware(oldest) + window - at).total_seconds() if oldest else 60
                raise LoginRefusedError(
                    f"too many failed logins; try again in {max(1, int(wait) + 1)} s",
                    max(1, int(wait) + 1),
                )
        row = conn.execute(select(ui_accounts).where(ui_accounts.c.username == username)).first()
        ok = verify_password(row.password_hash if row else dummy_hash(), password)
        ok = ok and row is not None and not row.disabled
        conn.execute(
            insert(ui_login_attempts).values(username=username, client=client, at=at, succeeded=ok)
        )
        record_audit_event(
            conn, actor=username, action="ui.login" if ok else "ui.login_failed",
            object_type="ui_account", object_id=username, details={"client": client}, at=at,
        )  # fmt: skip
    if not ok or row is None:
        raise ValidationError("wrong username or password")
    if needs_rehash(row.password_hash):
        set_password(store, username, password, actor=username, now=at)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = at + session_ttl
    with store.begin() as conn:
        conn.execute(delete(ui_sessions).where(ui_sessions.c.expires_at < at))
        conn.execute(
            insert(ui_sessions).values(
                token_hash=_token_hash(token),
                username=username,
                csrf_token=csrf,
                created_at=at,
                expires_at=expires,
                client=client,
            )  # fmt: skip
        )
        grants = _grants(conn, username)
    return NewSession(
        token=token,
        session=Session(
            username=username, role=row.role, csrf_token=csrf, expires_at=expires, grants=grants
        ),
    )


def get_session(store: Store, token: str, *, now: datetime | None = None) -> Session | None:
    """The live session of a cookie token (None when unknown, expired or the account disabled)."""
    at = _now(now)
    s, a = ui_sessions, ui_accounts
    with store.connect() as conn:
        row = conn.execute(
            select(s.c.username, s.c.csrf_token, s.c.expires_at, a.c.role, a.c.disabled)
            .select_from(s.join(a, a.c.username == s.c.username))
            .where(s.c.token_hash == _token_hash(token))
        ).first()
        if row is None or row.disabled or _aware(row.expires_at) <= at:
            return None
        return Session(
            username=row.username, role=row.role, csrf_token=row.csrf_token,
            expires_at=_aware(row.expires_at), grants=_grants(conn, row.username),
        )  # fmt: skip


def logout(store: Store, token: str, *, now: datetime | None = None) -> None:
    """End the session of a cookie token (nothing when unknown)."""
    at = _now(now)
    with store.begin() as conn:
        row = conn.execute(
            select(ui_sessions.c.username).where(ui_sessions.c.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return
        conn.execute(delete(ui_sessions).where(ui_sessions.c.token_hash == _token_hash(token)))
        record_audit_event(
            conn, actor=row.username, action="ui.logout", object_type="ui_account",
            object_id=row.username, at=at,
        )  # fmt: skip


# --- saved queries of the SQL console ---------------------------------------------------------


def save_query(
    store: Store, name: str, sql: str, *, actor: str, now: datetime | None = None
) -> SavedQuery:
    """Save (or replace) a named query of the SQL console.

    Raises:
        ValidationError: Empty name or SQL.
    """
    if not name.strip() or not sql.strip():
        raise ValidationError("a saved query needs a name and a statement")
    at = _now(now)
    with store.begin() as conn:
        conn.execute(delete(ui_saved_queries).where(ui_saved_queries.c.name == name))
        conn.execute(
            insert(ui_saved_queries).values(name=name, sql=sql, created_at=at, created_by=actor)
        )
        record_audit_event(
            conn, actor=actor, action="ui.query.save", object_type="ui_saved_query",
            object_id=name, details={"sql": sql}, at=at,
        )  # fmt: skip
        row = conn.execute(select(ui_saved_queries).where(ui_saved_queries.c.name == name)).one()
    return SavedQuery(
        id=row.id, name=row.name, sql=row.sql, created_at=_aware(row.created_at),
        created_by=row.created_by,
    )  # fmt: skip


def list_saved_queries(store: Store) -> list[SavedQuery]:
    """Saved queries by name."""
    with store.connect() as conn:
        rows = conn.execute(select(ui_saved_queries).order_by(ui_saved_queries.c.name)).all()
    return [
        SavedQuery(
            id=r.id,
            name=r.name,
            sql=r.sql,
            created_at=_aware(r.created_at),
            created_by=r.created_by,
        )  # fmt: skip
        for r in rows
    ]


__all__ = [
    "ALL_COMMUNITIES",
    "Account",
    "LoginRefusedError",
    "NewSession",
    "QueueGrant",
    "SavedQuery",
    "Session",
    "create_account",
    "get_account",
    "get_session",
    "grant_queue",
    "list_accounts",
    "list_saved_queries",
    "login",
    "logout",
    "save_query",
    "set_disabled",
    "set_password",
    "set_role",
]
