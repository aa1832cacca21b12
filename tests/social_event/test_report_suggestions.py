"""The report form a grid worker opens has their own grid cell and the channel 网格员巡查 chosen already,
and offers the camera and the position button; nobody else gets a guess."""
from __future__ import annotations

import json

import pytest

from engine.cases.starting import suggested_answers
from engine.config import PROJECT_ROOT
from engine.errors import DefinitionInvalid
from engine.forms.loader import load_form
from engine.org.access import Actor
from web.forms.render import render_form

REPORT = (PROJECT_ROOT / "forms" / "se_report.json").read_text(encoding="utf-8")


def test_a_grid_worker_gets_their_own_cell_and_the_patrol_channel():
    worker = Actor("gw_s03c01g01", roles=frozenset({("grid_worker", "S03C01G01")}))

    assert suggested_answers(load_form(REPORT, "se_report.json"), worker) == {
        "grid_cell": "S03C01G01", "report_channel": "grid_worker"}


def test_a_hotline_operator_and_a_worker_of_two_cells_get_no_cell_guessed():
    form = load_form(REPORT, "se_report.json")
    hotline = Actor("hotline1", roles=frozenset({("hotline_operator", None)}))
    two_cells = Actor("gw_two", roles=frozenset({("grid_worker", "S03C01G01"), ("grid_worker", "S03C01G02")}))

    assert suggested_answers(form, hotline) == {}
    assert suggested_answers(form, two_cells) == {"report_channel": "grid_worker"}


def test_the_rendered_report_form_offers_the_camera_and_the_location_button():
    html = render_form(load_form(REPORT, "se_report.json"), {}, {}, "zh", field_script_url="/static/js/form-field.js")

    assert 'capture="environment"' in html and "拍照" in html
    assert "data-cg-locate" in html and "使用当前位置" in html and "/static/js/form-field.js" in html


def test_role_defaults_must_name_an_option_of_the_field():
    doc = json.loads(REPORT)
    doc["uiSchema"]["report_channel"]["ui:options"]["roleDefaults"] = {"grid_worker": "pigeon"}

    with pytest.raises(DefinitionInvalid) as refused:
        load_form(json.dumps(doc, ensure_ascii=False), "se_report.json")

    assert [p.message for p in refused.value.problems] == [
        "ui:options.roleDefaults: 'pigeon' (role 'grid_worker') is not an option"]
