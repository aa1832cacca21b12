"""A form posts once (web/static/js/submit-once.js, on every page): a second submit while the first post is on
its way (a double click, a second Enter) is not sent, so a step is not posted twice with the second answered
409 although the first went through; a form the page refused (a required field left empty) is sent once
corrected, and a page shown again from the back/forward cache may post again."""
from __future__ import annotations

from playwright.sync_api import Browser, Page

from engine.config import PROJECT_ROOT

SCRIPT = (PROJECT_ROOT / "web" / "static" / "js" / "submit-once.js").read_text(encoding="utf-8")
PAGE = """<!doctype html><html><body>
<form method="post" action="/tasks/1/complete">
  <input name="summary" required>
  <button type="submit" name="decision" value="approve">批准</button>
</form>
<script>{script}</script>
<script>
  // What would leave for the server: submits nobody prevented (held here, as a slow server would).
  window.sent = 0;
  window.addEventListener("submit", function (e) {{ if (!e.defaultPrevented) {{ window.sent++; }} e.preventDefault(); }});
</script></body></html>"""


def _page(browser: Browser, script: str = SCRIPT) -> Page:
    page = browser.new_context().new_page()
    page.set_content(PAGE.format(script=script))
    return page


def test_a_second_submit_while_the_first_post_is_on_its_way_is_not_sent(browser: Browser) -> None:
    page = _page(browser)
    page.fill("input[name=summary]", "已清理")
    page.dblclick("button[type=submit]")
    page.keyboard.press("Enter")
    assert page.evaluate("window.sent") == 1
    # Without the guard the same clicks send it twice (the check sees a real difference).
    unguarded = _page(browser, script="")
    unguarded.fill("input[name=summary]", "已清理")
    unguarded.dblclick("button[type=submit]")
    assert unguarded.evaluate("window.sent") == 2


def test_a_form_refused_in_the_page_is_sent_once_corrected(browser: Browser) -> None:
    page = _page(browser)
    page.click("button[type=submit]")  # the required field is empty: the browser refuses, nothing is sent
    assert page.evaluate("window.sent") == 0
    page.fill("input[name=summary]", "已清理")
    page.click("button[type=submit]")
    assert page.evaluate("window.sent") == 1


def test_a_page_shown_again_from_the_back_forward_cache_may_post_again(browser: Browser) -> None:
    page = _page(browser)
    page.fill("input[name=summary]", "已清理")
    page.click("button[type=submit]")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    page.click("button[type=submit]")
    assert page.evaluate("window.sent") == 2
