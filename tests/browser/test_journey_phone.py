"""A grid worker on a phone (390×844): reports an event with a photo from the camera and their position,
then verifies on site a case that waits for it. Every page fits the screen and its buttons are touch-sized.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")
pytest.importorskip("PIL", reason="Pillow is not installed (pip install -e .)")

from browsertools import case_id_from, fill_form, flash_text, open_from_inbox, submit_form  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import Locator, Page, expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.store.models.attachments import Attachment  # noqa: E402
from engine.store.models.cases import Case  # noqa: E402
from engine.store.models.tasks import WorkItem  # noqa: E402

WORKER = "gw_s01c01g01"  # rules/demo_users.yaml: the grid worker of 桂园社区第1网格
CELL = "S01C01G01"
WAITING = "桂园路道路不洁"  # engine/demo/social_event.py: a case of that cell at verification
POSITION = (22.548312, 114.118927)
TOUCH = 44  # px: the smallest touch target
GPS_IFD = 0x8825


def _photo_with_position() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (22.0, 32.0, 53.9), 3: "E", 4: (114.0, 7.0, 8.1)})
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > 391)
        .map(el => el.tagName + '.' + el.className + '#' + el.id + ' ' + Math.round(el.getBoundingClientRect().right))
        .slice(0, 8)""")
    assert width <= 390, f"{page.url} scrolls sideways: {width} px wide: {wide}"


def _touch_sized(target: Locator) -> None:
    box = target.bounding_box()
    assert box is not None and box["height"] >= TOUCH, (target, box)


def test_a_grid_worker_on_a_phone_reports_with_a_photo_and_verifies_a_case(journey, demo_db, upload_dir: Path):
    page = journey.sign_in(WORKER, phone=True, position=POSITION)
    _fits_the_screen(page)  # the inbox
    page.goto("/start/social_event")
    form = page.locator("form.cg-form")

    # Their own grid cell and the channel 网格员巡查 are chosen already.
    assert form.locator("select[name=grid_cell]").input_value() == CELL
    assert form.locator("input[name=report_channel][value=grid_worker]").is_checked()
    fill_form(page, {"title": "手机上报：桂园路护栏倒伏", "category": "0104", "address": "桂园路红宝路口",
                     "description": "护栏倒在非机动车道上"})
    locate = page.get_by_role("button", name="使用当前位置")
    _touch_sized(locate)
    locate.click()
    # A locator assertion, not wait_for_function: the start form's Content-Security-Policy refuses the
    # string evaluation that function polls with (no 'unsafe-eval'), as it should.
    expect(page.locator("[name=latitude]")).not_to_have_value("")
    assert float(form.locator("input[name=latitude]").input_value()) == pytest.approx(POSITION[0], abs=1e-5)
    camera = form.locator(".cg-camera label")
    assert camera.inner_text() == "拍照"
    _touch_sized(camera)
    assert form.locator("input[type=file][capture=environment]").count() == 1
    form.locator("input[type=file][capture]").first.set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_position()})
    assert "已拍 1 张" in form.locator(".cg-camera").inner_text()
    _touch_sized(form.locator(".cg-actions button[type=submit]"))
    _fits_the_screen(page)
    journey.shot(page, "phone-report")
    submit_form(page)

    case_id = case_id_from(page.url)
    assert "已上报" in flash_text(page), flash_text(page)
    _fits_the_screen(page)
    journey.shot(page, "phone-case")
    with demo_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        assert case.opened_by == WORKER
        photo = session.scalars(select(Attachment).where(Attachment.case_id == case_id)).one()
        waiting = session.scalars(select(Case).where(Case.title == WAITING)).one()
    stored = upload_dir / photo.sha256[:2] / photo.sha256[2:4] / photo.sha256
    with Image.open(stored) as kept:
        assert photo.content_type == "image/jpeg" and dict(kept.getexif().get_ifd(GPS_IFD)) == {}

    # The verification (核查) waiting in the demo data: from the inbox, claimed, answered.
    open_from_inbox(page, waiting.business_key)
    _fits_the_screen(page)
    claim = page.locator("form[action$='/claim'] button[type=submit]")
    _touch_sized(claim)
    with page.expect_navigation():
        claim.click()
    fill_form(page, {"verify_result": "solved"})
    _touch_sized(page.locator("form.cg-form label[for$='verify_result-0']").locator(".."))
    _fits_the_screen(page)
    journey.shot(page, "phone-verify")
    submit_form(page)
    assert "已完成" in flash_text(page), flash_text(page)
    with demo_db.transaction(readonly=True) as session:
        verify = session.scalars(select(WorkItem).where(WorkItem.case_id == waiting.id,
                                                        WorkItem.task_spec == "verify")).all()
    assert [(item.status, item.completed_by) for item in verify][-1] == ("completed", WORKER)
    assert journey.console_errors == []


def test_a_case_whose_clock_is_paused_fits_a_phone(journey, demo_db):
    """The pause badge (暂停计时（等待申请人补正材料，自 …起）) is the longest of the time-limit marks: kept on
    one line it pushed the case page's 时限 card past a phone's width."""
    with demo_db.transaction(readonly=True) as session:
        case_id = session.scalars(select(Case.id).where(Case.title == "公共场所卫生许可 悦庭酒店")).one()
    page = journey.sign_in("window1", phone=True)
    page.goto(f"/cases/{case_id}")
    expect(page.locator(".cg-aside .cg-sla-paused")).to_be_visible()
    _fits_the_screen(page)
