"""The shipped catalogue and responsibility matrix: every category, every street, one department."""
from __future__ import annotations

from engine.config import PROJECT_ROOT
from engine.decisions import parse_dmn
from engine.definitions.bundle import load_root
from engine.definitions.validation import validate_bundle
from engine.org.config import organisation_from_files

RULES = PROJECT_ROOT / "rules"


def _table(name: str):  # type: ignore[no-untyped-def]
    path = RULES / name
    (table,) = parse_dmn(path.read_bytes(), f"rules/{name}")
    return table


def _org():  # type: ignore[no-untyped-def]
    bundle = load_root(PROJECT_ROOT)
    return organisation_from_files(bundle.files)


def test_every_category_routes_to_exactly_one_known_department_on_every_street() -> None:
    routing, catalogue = _table("social_event_routing.dmn"), _table("social_event_catalogue.dmn")
    org = _org()
    departments, streets = org.codes_of("department"), sorted(org.codes_of("street"))
    categories = catalogue.compiled.inputs[0].domain
    assert len(categories) >= 30 and len(streets) >= 4
    assert routing.compiled.inputs[0].domain == categories  # both tables know the same categories
    for category in categories:
        for street in streets:
            context = {"category": category, "street": street}
            matches = routing.compiled.matching_rules(context)
            assert len(matches) == 1, (category, street, [m.rule.id for m in matches])
            department = routing.evaluate(context)["responsible_department"]
            assert department in departments, (category, street, department)


def test_territorial_categories_go_to_the_office_of_the_street_they_happen_in() -> None:
    routing = _table("social_event_routing.dmn")
    for street in ("S01", "S02", "S03", "S04", "S05"):
        for category in ("0101", "0108", "0401", "0402", "0405"):  # 私搭乱建, 乱堆物堆料, 游商, 店外经营, 单车
            assert routing.evaluate({"category": category, "street": street}) == {
                "responsible_department": f"jd_{street}"}


def test_every_category_has_a_time_limit_in_working_time_a_closure_condition_and_a_source() -> None:
    catalogue = _table("social_event_catalogue.dmn")
    classes = set()
    for rule in catalogue.rules:
        (code,) = rule.input_entries
        result = catalogue.evaluate({"category": code.strip('"')})
        classes.add(result["event_class_name"])
        assert result["limit_value"] > 0 and result["limit_unit"] in ("working_hours", "working_days")
        assert result["closure_condition"]
        (source,) = rule.annotations
        # A published example (DOMAIN.md) or a local demo figure, said in Chinese for the analysts who read it.
        assert source.startswith(("公开的市级示例", "本地示例")), rule.id
    assert {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件"} <= classes
    # Figures taken from DOMAIN.md's published examples
    assert catalogue.evaluate({"category": "0102"})["limit_value"] == 4  # 暴露垃圾 4 working hours
    assert catalogue.evaluate({"category": "0104"})["limit_value"] == 5  # 道路不洁 5 working hours
    assert catalogue.evaluate({"category": "0103"})["limit_unit"] == "working_days"  # 渣土 2 working days


def test_the_shipped_definitions_validate_cleanly() -> None:
    problems, catalogue = validate_bundle(load_root(PROJECT_ROOT))
    assert problems == []
    assert {"se_catalogue", "se_routing"} <= set(catalogue.decisions)
    assert "social_event" in catalogue.processes
