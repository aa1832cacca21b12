"""Demo cases for `casegrid init --demo`: a living district to click through."""
from __future__ import annotations

from engine.store.database import Database


def seed_demo_cases(db: Database) -> int:
    """Seed realistic cases in different steps; returns how many were started. Idempotent."""
    return 0
