"""Who may use a feature is what the organisation declares (a role's `may` list), not a role name in code:
a role the organisation grants a feature gets it, one without is refused with a worded 403."""
from __future__ import annotations

import pytest
from webtools import PASSWORD, bearer, csrf_from, signed_in

from engine.definitions.service import deploy
from engine.org.abilities import Ability
from engine.org.config import OrgConfig, RoleAccess, UserSpec
from engine.org.service import load_organisation
from engine.store.database import Database
from tests.sla.conftest import demo_bundle
from tests.sla.helpers import start_demo

# A role of a district the code has never heard of: it sees all cases and oversees every department,
# and the organisation lets it use the dashboard and urge, nothing else.
INSPECTOR = RoleAccess(sees="all", oversees="all", may=frozenset({Ability.DASHBOARD, Ability.URGE}))
# The hotline, granted the studio.
MODELLING_HOTLINE = RoleAccess(may=frozenset({Ability.MODEL_PROCESSES}))


@pytest.fixture
def declared(web_db: Database) -> Database:
    users = [UserSpec("insp", "督察甲", None, PASSWORD, "zh", (("inspector", None),)),
             UserSpec("hl", "坐席甲", "rexian", PASSWORD, "zh", (("hotline", None),))]
    org = OrgConfig(roles={"inspector": ("督察员", "Inspector"), "hotline": ("热线坐席", "Hotline operator")},
                    access={"inspector": INSPECTOR, "hotline": MODELLING_HOTLINE}, users=users)
    with web_db.transaction() as session:
        load_organisation(session, org)
        deploy(session, demo_bundle(), actor="test")
    return web_db


def test_a_role_declared_to_use_the_dashboard_sees_it_in_the_menu_and_opens_it(app, declared):
    client = signed_in(app, "insp")
    assert 'href="/dashboard"' in client.get("/").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200


def test_a_role_declared_to_urge_urges_and_one_without_is_refused_with_the_worded_reason(app, declared):
    case_id = start_demo(declared)
    response = app.test_client().post(f"/api/v1/sla/cases/{case_id}/urge", json={"message": "请尽快处置"},
                                      headers=bearer(declared, "insp"))
    assert response.status_code == 201
    # The analyst oversees nothing and may not urge: refused by the command, worded from its key.
    response = app.test_client().post(f"/api/v1/sla/cases/{case_id}/urge", json={"message": "快"},
                                      headers=bearer(declared, "ana"))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    client = signed_in(app, "h_cg")
    token = csrf_from(client.get("/").get_data(as_text=True))
    page = client.post(f"/dashboard/cases/{case_id}/urge", data={"csrf_token": token, "message": "快"})
    assert page.status_code == 403 and "您没有督办案件的权限。" in page.get_data(as_text=True)


def test_a_role_not_declared_to_decide_extensions_is_refused_though_it_oversees_every_department(app, declared):
    client = signed_in(app, "insp")
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    page = client.post("/dashboard/extensions/1/decision", data={"csrf_token": token, "decision": "approve"})
    assert page.status_code == 403 and "您没有审批延期申请的权限。" in page.get_data(as_text=True)


def test_a_role_granted_the_studio_opens_it_and_the_validate_api_and_a_role_without_is_refused(app, declared):
    assert signed_in(app, "hl").get("/studio/").status_code == 200
    body = {"files": {"forms/x.json": "{}"}}
    assert app.test_client().post("/api/v1/definitions/validate", json=body,
                                  headers=bearer(declared, "hl")).status_code == 200
    page = signed_in(app, "insp").get("/studio/")
    assert page.status_code == 403 and "您的岗位不能使用流程建模" in page.get_data(as_text=True)
    refused = app.test_client().post("/api/v1/definitions/validate", json=body, headers=bearer(declared, "insp"))
    assert refused.status_code == 403


def test_incidents_open_to_the_roles_declared_to_see_or_operate_them(app, declared):
    assert signed_in(app, "sup").get("/incidents").status_code == 200  # see_incidents
    assert signed_in(app, "ana").get("/incidents").status_code == 200  # operate_incidents
    page = signed_in(app, "insp").get("/incidents")
    assert page.status_code == 403 and "您的岗位不能查看异常列表。" in page.get_data(as_text=True)
    assert app.test_client().get("/api/v1/incidents", headers=bearer(declared, "insp")).status_code == 403
