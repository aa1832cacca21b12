"""Filling casegrid's server-rendered forms the way a person does: by field name, through the widgets."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page


def fill_form(page: Page, values: dict[str, Any], scope: str = "form.cg-form") -> None:
    """Set each field by name: radios and checkboxes are clicked, selects chosen, text typed."""
    form = page.locator(scope).first
    for name, value in values.items():
        controls = form.locator(f'[name="{name}"]')
        first = controls.first
        tag = first.evaluate("el => el.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            first.select_option([str(v) for v in value] if isinstance(value, list) else str(value))
        elif kind == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox" and isinstance(value, list):
            for item in value:
                form.locator(f'[name="{name}"][value="{item}"]').check()
        elif kind == "checkbox":
            first.set_checked(bool(value))
        else:
            first.fill(str(value))


def submit_form(page: Page, scope: str = "form.cg-form") -> None:
    with page.expect_navigation():
        page.locator(scope).first.locator("button[type=submit]").last.click()


def flash_text(page: Page) -> str:
    return " ".join(page.locator(".cg-flash").all_inner_texts())


def case_id_from(url: str) -> int:
    match = re.search(r"/cases/(\d+)", url)
    assert match, f"not a case page: {url}"
    return int(match.group(1))


def open_from_inbox(page: Page, business_key: str) -> None:
    """The person's inbox lists the case's task among what they may claim (or have claimed): open it."""
    page.goto("/")
    row = page.locator("tr", has=page.locator(f"a:text-is('{business_key}')")).first
    row.wait_for()
    row.locator("a[href*='/tasks/']").first.click()
    page.wait_for_url("**/tasks/**")


def claim_and_complete(journey: Any, page: Page, values: dict[str, Any], shot: str) -> None:
    """On an open task page: claim it if nobody has, fill the form, complete. The person's next task of
    the case follows if they have one, their inbox otherwise; either says the step is done."""
    claim = page.locator("form[action$='/claim'] button[type=submit]")
    if claim.count():
        with page.expect_navigation():
            claim.click()
    fill_form(page, values)
    journey.shot(page, shot)
    submit_form(page)
    path = page.url.split("://", 1)[-1].split("/", 1)[-1]
    assert (path == "" or path.startswith("tasks/")) and ("已完成" in flash_text(page) or "done" in flash_text(page)), \
        (page.url, flash_text(page))
