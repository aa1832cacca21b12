"""Event ingestion (placeholder until the rules layer lands in this module)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def ingest_internal(session: Session, event: dict[str, Any]) -> list[dict[str, Any]]:
    return []
