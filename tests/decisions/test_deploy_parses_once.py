"""Validating a bundle parses each DMN file once; the routing and option checks read those tables."""
from __future__ import annotations

from engine.config import PROJECT_ROOT
from engine.decisions import loader
from engine.definitions.bundle import load_root
from engine.definitions.validation import validate_bundle


def test_validating_the_shipped_bundle_parses_each_dmn_file_exactly_once(monkeypatch) -> None:
    bundle = load_root(PROJECT_ROOT)
    parsed: list[str] = []
    real = loader.read_dmn

    def counting(source: bytes, filename: str):  # type: ignore[no-untyped-def]
        parsed.append(filename)
        return real(source, filename)

    monkeypatch.setattr(loader, "read_dmn", counting)
    problems, catalogue = validate_bundle(bundle)
    assert problems == []
    assert sorted(parsed) == sorted(bundle.of_kind("dmn"))
    assert "se_catalogue" in catalogue.decisions
