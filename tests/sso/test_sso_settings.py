"""The SSO settings from the environment (engine.auth.sso) and what claims say about a user: a wrong
setting is refused naming its variable, before any browser is sent anywhere."""
from __future__ import annotations

import pytest

from engine.auth.sso import SsoSettings, identity_from_claims, load_sso_settings
from engine.errors import InvalidInput

ROLES = {"handler", "grid_worker", "supervisor"}
UNITS = {"chengguan", "huanwei", "S01C01G01"}


def test_sso_is_off_and_passwords_on_when_nothing_is_configured():
    settings = load_sso_settings({})
    assert not settings.enabled and settings.local_passwords


def test_the_environment_configures_the_provider_and_the_claim_mapping():
    settings = load_sso_settings({
        "CASEGRID_OIDC_ISSUER": "https://idp.example.gov.cn/realms/district",
        "CASEGRID_OIDC_CLIENT_ID": "casegrid", "CASEGRID_OIDC_CLIENT_SECRET": "s",
        "CASEGRID_OIDC_USERNAME_CLAIM": "employee_no",
        "CASEGRID_OIDC_DEPARTMENT_CLAIM": "dept", "CASEGRID_OIDC_DEPARTMENT_MAP": "城管局=chengguan; 环卫处=huanwei",
        "CASEGRID_OIDC_ROLES_CLAIM": "groups", "CASEGRID_OIDC_ROLE_MAP": '{"网格员": "grid_worker"}',
        "CASEGRID_OIDC_DEFAULT_ROLE": "hotline", "CASEGRID_LOCAL_PASSWORDS": "0",
    })
    assert settings.enabled and not settings.local_passwords
    assert settings.metadata_url == "https://idp.example.gov.cn/realms/district/.well-known/openid-configuration"
    assert settings.username_claim == "employee_no" and settings.default_role == "hotline"
    assert settings.department_map == {"城管局": "chengguan", "环卫处": "huanwei"}
    assert settings.role_map == {"网格员": "grid_worker"}


@pytest.mark.parametrize("env, variable", [
    ({"CASEGRID_LOCAL_PASSWORDS": "0"}, "CASEGRID_LOCAL_PASSWORDS"),
    ({"CASEGRID_OIDC_ISSUER": "https://idp"}, "CASEGRID_OIDC_CLIENT_ID"),
    ({"CASEGRID_OIDC_ISSUER": "https://idp", "CASEGRID_OIDC_CLIENT_ID": "c", "CASEGRID_OIDC_SCOPES": "profile"},
     "CASEGRID_OIDC_SCOPES"),
    ({"CASEGRID_OIDC_ROLE_MAP": "网格员"}, "CASEGRID_OIDC_ROLE_MAP"),
    ({"CASEGRID_OIDC_DEPARTMENT_MAP": "{not json"}, "CASEGRID_OIDC_DEPARTMENT_MAP"),
    ({"CASEGRID_LOCAL_PASSWORDS": "maybe"}, "CASEGRID_LOCAL_PASSWORDS"),
])
def test_a_wrong_setting_is_refused_naming_its_variable(env, variable):
    with pytest.raises(InvalidInput) as refused:
        load_sso_settings(env)
    assert variable in refused.value.details


SETTINGS = SsoSettings(issuer="https://idp", client_id="c", department_claim="dept",
                       department_map={"城管局": "chengguan"}, roles_claim="groups",
                       role_map={"网格员": "grid_worker@S01C01G01", "处置员": "handler"})


def test_claims_map_through_the_maps_or_as_codes_and_the_rest_is_listed_as_unmapped():
    identity = identity_from_claims(SETTINGS, {"sub": "1", "preferred_username": "h1", "name": "甲",
                                               "dept": "城管局", "groups": ["处置员", "supervisor", "局长"]},
                                    ROLES, UNITS)
    assert identity.department == "chengguan"
    assert identity.roles == (("handler", None), ("supervisor", None))
    assert identity.unmapped == ("局长",)


def test_a_role_may_map_to_a_role_in_a_grid_cell():
    identity = identity_from_claims(SETTINGS, {"sub": "2", "preferred_username": "g", "groups": "网格员"}, ROLES,
                                    UNITS)
    assert identity.roles == (("grid_worker", "S01C01G01"),)


def test_claims_that_are_absent_leave_department_and_roles_alone():
    identity = identity_from_claims(SETTINGS, {"sub": "2", "preferred_username": "g"}, ROLES, UNITS)
    assert identity.department is None and identity.roles is None and identity.display_name == "g"


def test_the_identity_carries_the_tokens_issuer_and_subject():
    identity = identity_from_claims(SETTINGS, {"sub": "u-7", "iss": "https://idp/realm", "preferred_username": "g"},
                                    ROLES, UNITS)
    assert (identity.issuer, identity.subject) == ("https://idp/realm", "u-7")
    assert identity_from_claims(SETTINGS, {"sub": "u-7", "preferred_username": "g"}, ROLES, UNITS).issuer == "https://idp"


@pytest.mark.parametrize("sub", [None, "", "  ", "x" * 256])
def test_an_identity_without_a_usable_subject_is_refused(sub):
    # (issuer, sub) is what a user is bound to: without it two people could not be told apart.
    claims = {"preferred_username": "g", **({} if sub is None else {"sub": sub})}
    with pytest.raises(InvalidInput) as refused:
        identity_from_claims(SETTINGS, claims, ROLES, UNITS)
    assert refused.value.key == "sso.no_subject"


def test_an_identity_without_the_username_claim_is_refused():
    with pytest.raises(InvalidInput) as refused:
        identity_from_claims(SETTINGS, {"sub": "1", "name": "甲"}, ROLES, UNITS)
    assert refused.value.key == "sso.no_username"


def test_the_app_takes_its_sso_settings_from_the_environment(db, monkeypatch, tmp_path):
    from web import create_app

    monkeypatch.setenv("CASEGRID_OIDC_ISSUER", "http://127.0.0.1:9/never-asked-until-someone-clicks")
    monkeypatch.setenv("CASEGRID_OIDC_CLIENT_ID", "casegrid")
    monkeypatch.setenv("CASEGRID_LOCAL_PASSWORDS", "0")
    app = create_app({"DATABASE_URL": db.url, "SECRET_KEY": "s", "TESTING": True, "UPLOAD_DIR": str(tmp_path)})
    try:
        page = app.test_client().get("/login").get_data(as_text=True)
        assert "统一身份认证登录" in page and 'name="password"' not in page
    finally:
        app.extensions["casegrid_db"].dispose()
