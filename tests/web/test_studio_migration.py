"""The studio's migration page: running cases per version, a preview that changes nothing, then the move;
a case that cannot move is named with the reason in Chinese."""
from __future__ import annotations

import re

from webtools import page_csrf, signed_in

from tests.migration.processes import CLOSE, PRECHECK, VERIFY, co_handling, deploy_version, start_co_handling


def _version_of_case(web_db, case_id: int) -> int:
    from engine.store.models.cases import Case
    from engine.store.models.definitions import ProcessVersion

    with web_db.transaction(readonly=True) as session:
        return session.get(ProcessVersion, session.get(Case, case_id).process_version_id).version


def test_an_analyst_previews_then_migrates_running_cases_from_the_studio(app, web_db):
    deploy_version(web_db, co_handling([VERIFY, CLOSE]))
    case_id = start_co_handling(web_db)
    deploy_version(web_db, co_handling([PRECHECK, VERIFY, CLOSE]))
    analyst = signed_in(app, "ana")

    page = analyst.get("/studio/processes/co_handling/migration").get_data(as_text=True)
    assert 'data-version="1" data-running="1"' in page and "预览迁移到 v2" in page

    preview = analyst.get("/studio/processes/co_handling/migration?from=1&to=2&map=")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "迁移预览（尚未做任何更改）" in text
    assert f'data-case="{case_id}" data-movable="true"' in text and "主办处理 → 主办处理" in text
    assert _version_of_case(web_db, case_id) == 1

    moved = analyst.post("/studio/processes/co_handling/migration",
                         data={"csrf_token": page_csrf(analyst, "/studio/processes/co_handling/migration"),
                               "from": "1", "to": "2", "map": ""})
    assert moved.status_code == 200 and "已迁移 1 个案件，0 个不能迁移。" in moved.get_data(as_text=True)
    assert _version_of_case(web_db, case_id) == 2
    timeline = analyst.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "迁移到流程的另一版本" in timeline


def test_the_preview_names_why_a_case_cannot_move_in_chinese_and_offers_no_button_for_it(app, web_db):
    deploy_version(web_db, co_handling([VERIFY, CLOSE]))
    case_id = start_co_handling(web_db)
    deploy_version(web_db, co_handling([VERIFY], assist_items="agencies"))
    analyst = signed_in(app, "ana")

    text = analyst.get("/studio/processes/co_handling/migration?from=1&to=2").get_data(as_text=True)

    assert f'data-case="{case_id}" data-movable="false"' in text
    assert "多实例环节「协办」正在办理，新版本改变了它的实例定义。" in text
    assert 'id="cg-migration-run"' not in text
    assert not re.search(r"changed_multi_instance|multi-instance task", text)


def test_bad_migration_input_gets_a_clear_refusal_and_others_may_not_enter(app, web_db):
    deploy_version(web_db, co_handling([VERIFY]))
    deploy_version(web_db, co_handling([PRECHECK, VERIFY]))
    analyst = signed_in(app, "ana")
    same = analyst.get("/studio/processes/co_handling/migration?from=1&to=1")
    assert same.status_code == 422 and "源版本和目标版本不能相同" in same.get_data(as_text=True)
    typo = analyst.get("/studio/processes/co_handling/migration?from=1&to=2&map=verfy%3Dverify")
    assert typo.status_code == 422 and "verfy" in typo.get_data(as_text=True)
    assert analyst.get("/studio/processes/co_handling/migration?from=x&to=2").status_code == 422
    assert analyst.get("/studio/processes/nope/migration").status_code == 404
    assert signed_in(app, "h_cg").get("/studio/processes/co_handling/migration").status_code == 403
