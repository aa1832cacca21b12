"""No button in the product always fails: every demo user of a seeded demo database signs in, opens their
inbox, the pages of their tasks, a case page and the dashboard, and clicks the actions they are shown,
filled as a person would (a reason, an amount, the form's first choices). Any 4xx/5xx page fails the test,
except a 422 that puts field errors next to a form the generic filler could not satisfy.

Every demo user works their tasks (two in shard 0, one elsewhere) through every action offered (claim, extension, stage,
release, then complete, return or transfer in turn), opens a case, acts on the dashboard and marks a
notice read. The users are dealt into shards, each with its own copy of the seeded district and its own
server, so the xdist workers share the sweep: the n-th user of each combination of roles goes to shard
n mod SHARDS, and shard 0 (the first user of every combination) must have exercised every kind of action.
"""
from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
import yaml

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import Page, Response  # noqa: E402

from engine.config import PROJECT_ROOT  # noqa: E402

SHARDS = 4
TASKS_PER_USER = 2  # in shard 0 (the first user of each combination of roles); one in the other shards
SCREENSHOTS_PER_SHARD = 4  # users whose pages are kept as pictures: enough to see them, cheap to keep
TEXT = "现场已核实，情况属实，已按要求处理"
# A real 1×1 PNG, for a required photo.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


@dataclass
class Sweep:
    """Every page answered with its status; the ones that were not fine."""

    failures: list[str] = field(default_factory=list)
    clicks: Counter[str] = field(default_factory=Counter)

    def watch(self, page: Page, who: str) -> None:
        def seen(response: Response) -> None:
            if response.request.resource_type != "document" or response.status < 400:
                return
            if response.status == 422 and response.request.method == "POST" and "/complete" in response.url:
                try:
                    body = response.text()
                except Exception:  # noqa: BLE001 - a body already gone cannot show field errors
                    body = ""
                if "cg-error-summary" in body and 'aria-invalid="true"' in body:
                    self.clicks["form refused by its own validation"] += 1
                    return
            self.failures.append(f"{who}: {response.request.method} {response.url} -> {response.status}")

        page.on("response", seen)


def _demo_users() -> list[tuple[str, tuple[str, ...]]]:
    users = yaml.safe_load((PROJECT_ROOT / "rules" / "demo_users.yaml").read_text(encoding="utf-8"))["users"]
    return [(u["username"], tuple(sorted(r["role"] for r in u.get("roles", [])))) for u in users]


def _shard_of_users(shard: int) -> list[str]:
    """The n-th user of each combination of roles, for every n with n mod SHARDS == shard."""
    seen: Counter[tuple[str, ...]] = Counter()
    dealt: list[str] = []
    for username, roles in _demo_users():
        if seen[roles] % SHARDS == shard:
            dealt.append(username)
        seen[roles] += 1
    return dealt


def test_the_shards_deal_every_demo_user_exactly_once() -> None:
    dealt = [username for shard in range(SHARDS) for username in _shard_of_users(shard)]
    assert sorted(dealt) == sorted(username for username, _roles in _demo_users())
    first_of_each = {roles: username for username, roles in reversed(_demo_users())}
    assert set(first_of_each.values()) <= set(_shard_of_users(0))


def _submit(page: Page, form_selector: str, sweep: Sweep, what: str) -> None:
    form = page.locator(form_selector).first
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    sweep.clicks[what] += 1


def _fill_generic(page: Page, form_selector: str = "form.cg-form") -> None:
    """Fill what is empty as a person would: first choices, 1 for numbers, today for dates, a sentence for text."""
    form = page.locator(form_selector).first
    for radio in form.locator("input[type=radio]").all():  # choices first: they show or hide the rest
        name = radio.get_attribute("name")
        if radio.is_visible() and not form.locator(f'input[type=radio][name="{name}"]:checked').count():
            radio.check()
    for select in form.locator("select").all():
        if select.is_visible() and not select.input_value():
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            if values:
                select.select_option(values[0])
    seen_boxes: set[str] = set()
    for box in form.locator("input[type=checkbox]").all():
        name = box.get_attribute("name") or ""
        if box.is_visible() and name not in seen_boxes:
            box.check()
            seen_boxes.add(name)
    for control in form.locator("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea").all():
        if not control.is_visible() or control.is_disabled():
            continue
        kind = (control.get_attribute("type") or "text").lower()
        name = control.get_attribute("name") or ""
        if kind == "file":
            if control.get_attribute("required") is not None:
                control.set_input_files({"name": "photo.png", "mimeType": "image/png", "buffer": PNG})
            continue
        if control.input_value():
            continue
        if kind == "number":
            control.fill(control.get_attribute("min") or "1")
        elif kind == "date":
            control.fill(date.today().isoformat())
        elif kind == "datetime-local":
            control.fill(f"{date.today().isoformat()}T09:00")
        elif kind == "tel" or "phone" in name:
            control.fill("13800138000")
        elif kind == "email":
            control.fill("demo@example.com")
        else:
            control.fill(TEXT)


def _action_form(page: Page, action: str) -> str | None:
    selector = f"aside form[action$='/{action}']"
    return selector if page.locator(selector).count() else None


def _work_task(page: Page, url: str, sweep: Sweep, turn: int) -> None:
    """Every action the task page offers, ending with one that hands the task on."""
    page.goto(url)
    if _action_form(page, "claim"):
        _submit(page, _action_form(page, "claim") or "", sweep, "claim")
    if selector := _action_form(page, "extension"):
        page.locator(selector).locator("input[name=amount]").fill("1")
        page.locator(selector).locator("textarea[name=reason]").fill(TEXT)
        _submit(page, selector, sweep, "extension")
    if selector := _action_form(page, "stage"):
        _submit(page, selector, sweep, "stage")
    if selector := _action_form(page, "unclaim"):
        _submit(page, selector, sweep, "unclaim")
        if selector := _action_form(page, "claim"):
            _submit(page, selector, sweep, "claim")
    ending = ("complete", "return", "transfer")[turn % 3]
    if ending == "return" and (selector := _action_form(page, "return")):
        page.locator(selector).locator("textarea[name=reason]").fill(TEXT)
        _submit(page, selector, sweep, "return")
    elif ending == "transfer" and (selector := _action_form(page, "transfer")):
        page.locator(selector).locator("textarea[name=reason]").fill(TEXT)
        _submit(page, selector, sweep, "transfer")
    elif page.locator("form[action$='/complete']").count():
        scope = "form.cg-form" if page.locator("form.cg-form").count() else "form[action$='/complete']"
        _fill_generic(page, scope)
        _submit(page, scope, sweep, "complete")


def _act_on_dashboard(page: Page, sweep: Sweep) -> None:
    page.goto("/dashboard")
    urge = page.locator("#cg-overdue form[action*='/urge']")
    if urge.count():
        urge.first.locator("input[name=message]").fill("请今日内处置完毕并反馈")
        _submit(page, "#cg-overdue form[action*='/urge']", sweep, "urge")
    decide = page.locator("#cg-extensions form[action*='/decision']")
    if decide.count():
        decide.first.locator("input[name=note]").fill("同意延期")
        with page.expect_navigation():
            decide.first.locator("button[value=approve]").click()
        sweep.clicks["extension decision"] += 1
    review = page.locator("#cg-extensions a[href*='/tasks/']")
    if review.count():
        with page.expect_navigation():
            review.first.click()
        sweep.clicks["open review step"] += 1


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_action_shown_to_every_demo_user_succeeds(journey, shard):
    sweep = Sweep()
    for turn_of_user, username in enumerate(_shard_of_users(shard)):
        page = journey.sign_in(username, through_form=False)
        sweep.watch(page, username)
        page.goto("/")
        tasks = list(dict.fromkeys(page.locator("main a[href^='/tasks/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")))[:TASKS_PER_USER if shard == 0 else 1]
        cases = page.locator("main a[href^='/cases/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        shown = turn_of_user < SCREENSHOTS_PER_SHARD
        if shown:
            journey.shot(page, f"{username}-inbox")
        for turn, url in enumerate(tasks):
            _work_task(page, url, sweep, turn_of_user + turn)
        if tasks and shown:
            journey.shot(page, f"{username}-after-work")
        for url in cases[:1]:
            page.goto(url)
        if page.locator("nav a[href='/dashboard']").count():
            _act_on_dashboard(page, sweep)
            if shown:
                journey.shot(page, f"{username}-dashboard")
        if page.locator("nav a[href='/notifications']").count():
            page.goto("/notifications")
            read = page.locator("form[action*='/notifications/'][action$='/read']")
            if read.count():
                _submit(page, "form[action*='/notifications/'][action$='/read']", sweep, "mark read")
        page.context.close()
        journey.contexts.remove(page.context)
    print(dict(sweep.clicks))
    assert not sweep.failures, "\n".join(sweep.failures)
    assert not journey.console_errors, journey.console_errors
    if shard != 0:
        return
    # The sweep did act, not only look: each kind of action was exercised at least once. (No demo task
    # offers 退回 beside its form: 签收处置, the one that returns, offers it among its own choices.)
    for action in ("claim", "unclaim", "complete", "transfer", "extension", "urge", "extension decision"):
        assert sweep.clicks[action] > 0, (action, dict(sweep.clicks))
