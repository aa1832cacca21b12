"""Configuration from the environment (CASEGRID_*); see docs/operations.md for every variable."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str | None
    definitions_root: Path
    instance_dir: Path
    key_prefix: str
    timezone: str
    worker_poll_seconds: float

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_database_url(instance_dir: Path) -> str:
    return f"sqlite:///{instance_dir / 'casegrid.sqlite3'}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    instance_dir = Path(env.get("CASEGRID_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    return Settings(
        database_url=env.get("CASEGRID_DATABASE_URL") or _default_database_url(instance_dir),
        secret_key=env.get("CASEGRID_SECRET_KEY"),
        definitions_root=Path(env.get("CASEGRID_DEFINITIONS", PROJECT_ROOT)),
        instance_dir=instance_dir,
        key_prefix=env.get("CASEGRID_KEY_PREFIX", "LH"),
        timezone=env.get("CASEGRID_TIMEZONE", "Asia/Shanghai"),
        worker_poll_seconds=float(env.get("CASEGRID_WORKER_POLL_SECONDS", "2")),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()
