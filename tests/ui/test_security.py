"""Access rules of the web UI: roles, CSRF on every form, login limits, expiring sessions."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from modgate.store import list_audit_events
from tests.ui.conftest import composed_app, log_in, login_csrf
from tests.ui.world import PASSWORD, UiWorld


def _ui_post_routes() -> list[str]:
    from modgate.ui import _pages_auth, _pages_dash, _pages_data, _pages_ops, _pages_review

    paths = []
    for module in (_pages_auth, _pages_dash, _pages_data, _pages_ops, _pages_review):
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                paths.append("/ui" + re.sub(r"\{[^}]+\}", "1", route.path))
    return sorted(paths)


def test_every_form_refuses_a_missing_or_wrong_csrf_token(
    client: TestClient, ui_world: UiWorld
) -> None:
    token = log_in(client, "admin")
    posts = _ui_post_routes()
    assert "/ui/deployments/1/rollback" in posts and "/ui/sql" in posts and len(posts) >= 12
    for path in posts:
        if path == "/ui/login":
            continue
        missing = client.post(path, data={"reason": "x", "confirm": "1"}, follow_redirects=False)
        assert missing.status_code == 403, (path, missing.status_code)
        wrong = client.post(path, data={"csrf_token": token[:-2] + "xx"}, follow_redirects=False)
        assert wrong.status_code == 403, (path, wrong.status_code)
        header = client.post(path, headers={"X-CSRF-Token": "nope"}, follow_redirects=False)
        assert header.status_code == 403, (path, header.status_code)
    # the deployment did not move: nothing a refused form asked for happened
    assert not list_audit_events(ui_world.world.store, action="deploy.rollback")


def test_the_login_form_refuses_a_token_that_is_not_its_cookie(client: TestClient) -> None:
    login_csrf(client)
    refused = client.post(
        "/ui/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "modgate_session" not in refused.cookies


def test_a_valid_token_is_accepted_and_the_change_is_audited(
    client: TestClient, ui_world: UiWorld
) -> None:
    token = log_in(client, "admin")
    done = client.post(
        "/ui/admin/users/vic/role",
        data={"csrf_token": token, "role": "analyst"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    events = list_audit_events(ui_world.world.store, action="ui.account.set_role")
    assert events[0].actor == "admin" and events[0].details == {"from": "viewer", "to": "analyst"}


@pytest.mark.parametrize(
    "path", ["/ui/admin/users", "/ui/overview", "/ui/sql", "/ui/deployments", "/ui/evals"]
)
def test_a_reviewer_cannot_reach_admin_or_dashboard_pages(client: TestClient, path: str) -> None:
    log_in(client, "rita")
    assert client.get(path).status_code == 403


def test_roles_gate_forms_even_with_a_valid_token(client: TestClient) -> None:
    token = log_in(client, "vic")
    assert client.get("/ui/overview").status_code == 200
    assert client.get("/ui/sql").status_code == 403
    rollback = client.post(
        "/ui/deployments/hate/rollback",
        data={"csrf_token": token, "reason": "x", "confirm": "hate"},
    )
    assert rollback.status_code == 403
    users = client.post(
        "/ui/admin/users",
        data={"csrf_token": token, "username": "x", "password": PASSWORD, "role": "admin"},
    )
    assert users.status_code == 403


def test_pages_need_a_session(client: TestClient) -> None:
    page = client.get("/ui/overview", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/ui/login?next=")
    assert client.post("/ui/sql", data={"sql": "select 1"}).status_code == 401


def test_logins_are_rate_limited_per_username(ui_world: UiWorld) -> None:
    app = composed_app(ui_world, login_max_failures=3)
    with TestClient(app) as c:
        for _ in range(3):
            token = login_csrf(c)
            bad = c.post(
                "/ui/login",
                data={"username": "ana", "password": "wrong password!", "csrf_token": token},
            )
            assert bad.status_code == 401
        token = login_csrf(c)
        right = c.post(
            "/ui/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
        )
        assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
        assert "too many failed logins" in right.text
        # another account from another address is not locked out by ana's failures
        token = login_csrf(c)
    failed = list_audit_events(ui_world.world.store, action="ui.login_failed")
    assert len(failed) == 3


def test_sessions_expire_on_the_server(ui_world: UiWorld) -> None:
    from datetime import timedelta

    app = composed_app(ui_world, session_ttl=timedelta(seconds=1))
    with TestClient(app) as c:
        log_in(c, "vic")
        import time

        time.sleep(1.2)
        assert c.get("/ui/overview", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_server_side(client: TestClient) -> None:
    token = log_in(client, "vic")
    cookie = client.cookies.get("modgate_session")
    assert (
        client.post("/ui/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set("modgate_session", cookie or "", path="/ui/")
    assert client.get("/ui/overview", follow_redirects=False).status_code == 303


def test_a_reviewer_cannot_reach_another_policys_queue(
    client: TestClient, ui_world: UiWorld
) -> None:
    from modgate.domain import Item
    from modgate.review import claim_task, enqueue, list_tasks
    from modgate.store import save_items

    store = ui_world.world.store
    save_items(store, [Item(id="spam-1", body="buy now")], actor="t")
    spam = enqueue(store, item_id="spam-1", policy="spam", community=None, source="manual")
    claim_task(store, spam.id, "rita")  # even a claim held by her does not open another queue
    token = log_in(client, "rita")
    page = client.get("/ui/review")
    assert page.status_code == 200 and "spam" not in page.text and "hate" in page.text
    assert client.get(f"/ui/review/task/{spam.id}").status_code == 403
    decide = client.post(
        f"/ui/review/task/{spam.id}/decide", data={"csrf_token": token, "label": "violating"}
    )
    assert decide.status_code == 403
    for _ in range(3):  # claiming through the UI only ever takes tasks of her queues
        claimed = client.post("/ui/review/next", data={"csrf_token": token}, follow_redirects=False)
        task_id = int(claimed.headers["location"].rsplit("/", 1)[1])
        task = next(t for t in list_tasks(store, limit=500) if t.id == task_id)
        assert task.policy == "hate"
        client.post(
            f"/ui/review/task/{task_id}/decide",
            data={"csrf_token": token, "label": "non_violating"},
        )
    assert next(t for t in list_tasks(store, limit=500) if t.id == spam.id).status == "claimed"
