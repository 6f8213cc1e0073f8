"""Roles of web UI accounts and what each may do (pure)."""

from __future__ import annotations

from typing import Literal

Role = Literal["viewer", "reviewer", "analyst", "admin"]
"""An account's role."""

Capability = Literal["read", "review", "sql", "operate", "deploy", "admin"]
"""What a page or form needs: `read` the dashboards, `review` queues granted to the account,
`sql` the read-only console, `operate` alerts and incidents, `deploy` roll back, `admin` users."""

ROLES: tuple[Role, ...] = ("viewer", "reviewer", "analyst", "admin")

_CAPABILITIES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    # reviewers see their queues and appeals only, never dashboards or other queues
    "reviewer": frozenset({"review"}),
    "analyst": frozenset({"read", "review", "sql", "operate"}),
    "admin": frozenset({"read", "review", "sql", "operate", "deploy", "admin"}),
}


def role_allows(role: str, capability: Capability) -> bool:
    """Whether an account of `role` may use pages and forms that need `capability`."""
    return capability in _CAPABILITIES.get(role, frozenset())


def sees_every_queue(role: str) -> bool:
    """Admins review every queue; other roles only the queues granted to them."""
    return role == "admin"


__all__ = ["ROLES", "Capability", "Role", "role_allows", "sees_every_queue"]
