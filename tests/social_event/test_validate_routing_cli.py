"""`casegrid validate` rejects an analyst's responsibility matrix with a gap or an overlap, naming the rows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.app.cli import main
from engine.config import PROJECT_ROOT

SHIPPED = (PROJECT_ROOT / "rules" / "social_event_routing.dmn").read_text(encoding="utf-8")
EXTRA_0102_S02 = """      <rule id="r0102_S02">
        <inputEntry><text>"0102"</text></inputEntry>
        <inputEntry><text>"S02"</text></inputEntry>
        <outputEntry><text>"chengguan"</text></outputEntry>
        <annotationEntry><text>analyst's addition</text></annotationEntry>
      </rule>
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "social_event_routing.dmn"  # replaces the shipped file of the same name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    return result.exit_code, result.output


def _without_rule(text: str, rule_id: str) -> str:
    changed = re.sub(rf'      <rule id="{rule_id}">.*?</rule>\n', "", text, flags=re.S)
    assert changed != text
    return changed


def test_the_shipped_matrix_validates(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHIPPED)
    assert code == 0, output


def test_a_matrix_with_a_gap_is_rejected_naming_the_missing_street_and_the_rows_around_it(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, _without_rule(SHIPPED, "r0101_S03"))
    assert code != 0
    line = next(line for line in output.splitlines() if "routing matrix has a gap" in line)
    assert '事件小类 = "0101", 街道 = "S03"' in line  # the columns as analysts read them: their labels
    assert "rule 'r0101_S01' (row 1)" in line and "rule 'r0101_S05' (row 4)" in line


def test_a_matrix_with_an_overlap_is_rejected_naming_both_rows(tmp_path: Path) -> None:
    text = SHIPPED.replace('      <rule id="r0103">', EXTRA_0102_S02 + '      <rule id="r0103">', 1)
    code, output = _validate(tmp_path, text)
    assert code != 0
    assert "rule 'r0102' (row 6) and rule 'r0102_S02' (row 7): rules overlap" in output
    assert '事件小类 = "0102", 街道 = "S02"' in output


def test_a_matrix_naming_an_unknown_department_is_rejected_naming_the_row(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHIPPED.replace('"shuiwu"', '"shuiwu_typo"', 1))
    assert code != 0
    assert re.search(r"rule 'r0105_shuiwu' \(row \d+\): responsible_department 'shuiwu_typo' is not a department",
                     output)


@pytest.mark.parametrize("streets", ['"S01","S02","S03","S04"', '"S01","S02","S03","S04","S05","S06"'])
def test_a_street_column_must_list_exactly_the_streets_of_the_organisation(tmp_path: Path, streets: str) -> None:
    text = SHIPPED.replace('<inputValues><text>"S01","S02","S03","S04","S05"</text>',
                           f"<inputValues><text>{streets}</text>", 1)
    code, output = _validate(tmp_path, text)
    assert code != 0 and "column '街道'" in output
