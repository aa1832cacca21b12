"""Apps of one process share compiled templates (web.templatecache), and an edited template is compiled
afresh."""
from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from web import create_app
from web.templatecache import ProcessBytecodeCache


def _app(tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / name}", "SECRET_KEY": "test-secret",
                       "TESTING": True})


def test_a_second_app_loads_the_templates_the_first_compiled_without_compiling_them(tmp_path, monkeypatch):
    first = _app(tmp_path, "a.sqlite3")
    first.jinja_env.get_template("auth/login.html")
    second = _app(tmp_path, "b.sqlite3")

    def compile_refused(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("compiled again")

    monkeypatch.setattr(second.jinja_env, "compile", compile_refused)
    assert second.jinja_env.get_template("auth/login.html").render is not None
    with pytest.raises(AssertionError, match="compiled again"):
        second.jinja_env.from_string("{{ 1 }}")  # a template no app compiled before is compiled


def test_an_edited_template_is_compiled_again_not_served_from_the_cache():
    cache = ProcessBytecodeCache()
    sources = {"page.html": "old {{ x }}"}
    first = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert first.get_template("page.html").render(x=1) == "old 1"
    sources["page.html"] = "new {{ x }}"
    second = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert second.get_template("page.html").render(x=2) == "new 2"
