"""The hostile-input corpus reuses the web tests' fixtures: a deployed database with one user per role and an app.

tests/web/conftest.py is loaded under its own module name and its fixtures re-exported here, so the corpus
runs on exactly the setup the web tests use (and `webtools` is importable, as it is there).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))

_spec = importlib.util.spec_from_file_location("hostile_web_fixtures", WEB_TESTS / "conftest.py")
assert _spec is not None and _spec.loader is not None
_web = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _web  # so a corpus test may import its helpers (fixture_bundle)
_spec.loader.exec_module(_web)

web_db = _web.web_db
app = _web.app
client = _web.client
