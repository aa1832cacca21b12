"""Who may do what is the organisation's to declare (`may` in rules/organisation.yaml), never a role name
in the code: the engine's Python source names no "admin" role — not in a check, not in the system actor,
not in a list of lanes. Checked on the source, as tests/core/test_status_enums.py checks status words."""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from engine.config import PROJECT_ROOT
from engine.org.abilities import Ability
from engine.org.access import system_actor

ROLE_WORD = re.compile(r"\badmin\b")


def _role_words(source: str, where: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ROLE_WORD.search(node.value):
            yield f"{where}:{node.lineno}: {node.value[:60]!r}"


def test_the_engine_names_no_admin_role_in_python() -> None:
    sources = sorted((PROJECT_ROOT / "engine").rglob("*.py"))
    assert len(sources) > 100  # the scan reads the engine (a wrong root would pass vacuously)
    found = [hit for path in sources
             for hit in _role_words(path.read_text(encoding="utf-8"), str(path.relative_to(PROJECT_ROOT)))]
    assert found == []


def test_the_scan_finds_a_role_name_where_one_is_written_but_not_in_a_plural_word() -> None:
    planted = 'def allowed(actor):\n    """Supervisors and admins."""\n    return "admin" in actor.role_codes\n'
    assert [hit.split(": ")[0] for hit in _role_words(planted, "planted.py")] == ["planted.py:3"]


def test_the_system_actor_holds_no_role_of_the_organisation_but_every_ability() -> None:
    actor = system_actor()
    assert actor.role_codes == set()
    assert all(actor.may(ability) for ability in Ability) and actor.sees_all and actor.oversees("all")
