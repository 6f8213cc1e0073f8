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


def _task(page: Any) -> tuple[str, str]:
    heading = page.locator("h1#task")
    return heading.get_attribute("data-task"), heading.get_attribute("data-item")


def test_review_ten_items_by_keyboard_then_appeal_and_overturn_as_another_user(
    live_server: str, browser: Any, browser_world: UiWorld, artifacts: Path
) -> None:
    from modgate.golden import browse_golden_items
    from modgate.review import exposure_counts, get_appeal, list_appeals

    store = browser_world.world.store
    rita = browser.new_page()
    browser_login(rita, live_server, "rita")
    assert rita.url.endswith("/ui/review")
    rita.keyboard.press("Enter")  # start reviewing
    rita.wait_for_url("**/review/task/*")
    assert rita.locator("#text .masked").count() > 0  # the rule set's keyword is masked
    assert "number" not in rita.locator("#text").inner_text()
    rita.keyboard.press("r")  # reveal: counted as an exposure
    rita.wait_for_selector("#text:not(:has(.masked))")
    assert "number" in rita.locator("#text").inner_text()
    rita.screenshot(path=str(artifacts / "review-revealed.png"), full_page=True)
    decided: dict[str, str] = {}
    for k in range(10):
        task, item = _task(rita)
        label = "violating" if k % 2 == 0 else "non_violating"
        rita.keyboard.press("v" if label == "violating" else "n")
        rita.wait_for_function(
            f"!document.querySelector('h1#task') || "
            f"document.querySelector('h1#task').dataset.task !== '{task}'"
        )
        decided[item] = label
        if k == 9:
            rita.screenshot(path=str(artifacts / "review-next.png"), full_page=True)
    # undo the last decision: its task comes back, claimed by rita again; decide it once more
    with rita.expect_navigation():  # the page is already a task page: wait for the undo's own
        rita.keyboard.press("u")
    rita.wait_for_url("**/review/task/*")
    rita.wait_for_load_state()  # review.js listens for keys once the page has loaded
    undone_task, undone_item = _task(rita)
    assert undone_item in decided
    rita.keyboard.press("v")
    rita.wait_for_function(
        f"!document.querySelector('h1#task') || "
        f"document.querySelector('h1#task').dataset.task !== '{undone_task}'"
    )
    decided[undone_item] = "violating"
    assert exposure_counts(store, "rita").get("reveals") == 1
    golden = {
        i.item_id: {a.annotator: a.label for a in i.annotations}
        for i in browse_golden_items(store, "review", limit=1000).items
    }
    assert {item: golden[item]["rita"] for item in decided} == decided

    # open an appeal of one of rita's removals from the appeals page
    rita.goto(f"{live_server}/ui/appeals")
    removed = next(item for item, label in decided.items() if label == "violating")
    row = rita.locator("#decided tr", has_text=removed)
    row.get_by_role("link", name="Appeal…").click()
    rita.get_by_label("Statement").fill("this is a quote I was criticising")
    rita.get_by_role("button", name="Open appeal").click()
    rita.wait_for_url("**/appeals/*")
    assert "someone else decides this appeal" in rita.content()
    appeal = list_appeals(store, status="open")[0]
    assert appeal.item_id == removed and appeal.first_reviewer == "rita"
    rita.screenshot(path=str(artifacts / "appeal-opened.png"), full_page=True)

    # rob re-reviews it from the queue, keyboard only, and overturns it
    rob = browser.new_context().new_page()
    browser_login(rob, live_server, "rob")
    rob.keyboard.press("Enter")
    rob.wait_for_url("**/review/task/*")
    assert rob.locator("#appeal").count() == 1 and _task(rob)[1] == removed
    rob.screenshot(path=str(artifacts / "appeal-rereview.png"), full_page=True)
    appeal_task = _task(rob)[0]
    rob.keyboard.press("n")  # not violating: overturned
    rob.wait_for_function(
        f"!document.querySelector('h1#task') || "
        f"document.querySelector('h1#task').dataset.task !== '{appeal_task}'"
    )
    done = get_appeal(store, appeal.id)
    assert done.status == "overturned" and done.decided_by == "rob"
    rob.goto(f"{live_server}/ui/appeals/{appeal.id}")
    assert "overturned by rob" in rob.locator("#outcome").inner_text()
    rob.screenshot(path=str(artifacts / "appeal-overturned.png"), full_page=True)
