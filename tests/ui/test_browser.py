"""End-to-end: a real uvicorn server and headless Debian chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modgate.release import current_deployment, deployment_history
from tests.ui.conftest import browser_login
from tests.ui.world import UiWorld


def test_log_in_and_roll_back_a_deployment_from_the_ui(
    live_server: str, browser: Any, browser_world: UiWorld, artifacts: Path
) -> None:
    store = browser_world.world.store
    before = current_deployment(store, "hate")
    assert before is not None and before.state.active is not None
    assert before.state.active.enforcer == browser_world.world.strict.ref
    page = browser.new_page()
    browser_login(page, live_server, "admin")
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)
    page.goto(f"{live_server}/ui/deployments/hate")
    page.get_by_role("button", name="Roll back…").click()
    page.get_by_label("Reason").fill("strict removes too much")
    page.get_by_label("to confirm").fill("hate")
    page.screenshot(path=str(artifacts / "rollback-dialog.png"))
    page.get_by_role("button", name="Roll back", exact=True).click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "rolled-back.png"), full_page=True)
    after = current_deployment(store, "hate")
    assert after is not None and after.change == "rollback"
    assert after.state.active is not None
    assert after.state.active.enforcer == browser_world.world.lenient.ref
    assert after.reason == "strict removes too much" and after.created_by == "admin"
    assert page.locator("#history").get_by_text("strict removes too much").count() == 1
    assert len(deployment_history(store, "hate")) == 3


def test_eval_report_shows_its_charts_in_the_page_and_offline(
    live_server: str, browser: Any, browser_world: UiWorld, artifacts: Path, tmp_path: Path
) -> None:
    run = browser_world.runs[1]
    page = browser.new_page()
    browser_login(page, live_server, "ana")
    page.goto(f"{live_server}/ui/evals/{run.id}")
    page.wait_for_function("document.querySelectorAll('#charts .vl svg').length >= 3")
    assert page.locator("#charts .vl svg .mark-symbol, #charts .vl svg .mark-rect").count() > 0
    page.screenshot(path=str(artifacts / "eval-run.png"), full_page=True)
    page.get_by_label("Compare with baseline run").select_option(browser_world.runs[0].id)
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare?**")
    assert page.locator("#flips tr").count() > 1
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
    page.goto(f"{live_server}/ui/evals/{run.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="download the offline HTML report").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    offline = browser.new_context(offline=True)
    blocked: list[str] = []
    offline.route("http*://**", lambda route: (blocked.append(route.request.url), route.abort()))
    report = offline.new_page()
    report.goto(saved.as_uri())
    assert report.locator("figure.chart svg").count() == 3
    assert blocked == []
    report.screenshot(path=str(artifacts / "offline-report.png"), full_page=True)
    offline.close()
