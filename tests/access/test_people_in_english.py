"""Every unit and role of the shipped organisation has an English name, so an English page can name every
demo user's unit in English: the person's own name stays as written, the bracket they work in is ours."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.config import PROJECT_ROOT
from engine.org.config import ORGANISATION_FILE, parse_organisation
from engine.org.service import display_names
from engine.store.database import Database
from engine.store.models.org import User
from tests.conftest import sqlite_database_from

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from sqlite_database_from(demo_template, tmp_path_factory.mktemp("demo_names"))


def test_every_shipped_unit_and_role_has_an_english_name() -> None:
    config = parse_organisation((PROJECT_ROOT / ORGANISATION_FILE).read_text(encoding="utf-8"))
    unnamed = [code for code, unit in config.units.items() if not unit.name_en or CJK.search(unit.name_en)]
    unnamed += [code for code, (_zh, en) in config.roles.items() if not en or CJK.search(en)]
    assert unnamed == []


def test_every_demo_user_reads_in_english_with_their_unit_in_english(demo: Database) -> None:
    with demo.transaction(readonly=True) as session:
        shown = dict(session.execute(select(User.username, User.display_name)).all())
        english = display_names(session, shown, "en")
        chinese = display_names(session, shown)
    assert chinese == shown  # Chinese pages: as written
    with_unit = {name for name, text in shown.items() if text.endswith("）")}
    assert len(with_unit) > 50
    wrong = {name: english[name] for name in with_unit
             if not english[name].endswith(")") or CJK.search(english[name].split(" (", 1)[1])}
    assert wrong == {}
