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
    # Files attached to task forms (engine.attachments): where they are kept and how large one may be.
    upload_dir: Path
    upload_max_bytes: int
    # Pending uploads (API files no form named) and unnamed files older than this are purged.
    upload_orphan_hours: float = 24.0
    # Budget of one sandboxed evaluation (engine.sandbox.budget, docs/sandbox.md): wall-clock seconds,
    # operations (loop passes and function calls), and the largest sequence or string it may build.
    script_time_limit_seconds: float = 1.0
    script_operation_limit: int = 1_000_000
    script_max_items: int = 1_000_000
    # argon2id cost of password hashes (engine.org.passwords): argon2-cffi's defaults, RFC 9106's
    # low-memory profile. Hashes made at another cost still verify and are upgraded at sign-in.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_parallelism: int = 4

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_database_url(instance_dir: Path) -> str:
    return f"sqlite:///{instance_dir / 'casegrid.sqlite3'}"


def _default_upload_dir(instance_dir: Path) -> Path:
    # Next to the default SQLite file: the two are backed up together (docs/operations.md).
    return instance_dir / "uploads"


DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_UPLOAD_ORPHAN_HOURS = 24.0
DEFAULT_SCRIPT_TIME_LIMIT_SECONDS = 1.0
DEFAULT_SCRIPT_OPERATION_LIMIT = 1_000_000
DEFAULT_SCRIPT_MAX_ITEMS = 1_000_000


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
        upload_dir=Path(env.get("CASEGRID_UPLOAD_DIR") or _default_upload_dir(instance_dir)),
        upload_max_bytes=int(env.get("CASEGRID_UPLOAD_MAX_BYTES") or DEFAULT_UPLOAD_MAX_BYTES),
        upload_orphan_hours=float(env.get("CASEGRID_UPLOAD_ORPHAN_HOURS") or DEFAULT_UPLOAD_ORPHAN_HOURS),
        script_time_limit_seconds=float(env.get("CASEGRID_SCRIPT_TIME_LIMIT") or DEFAULT_SCRIPT_TIME_LIMIT_SECONDS),
        script_operation_limit=int(env.get("CASEGRID_SCRIPT_OPERATION_LIMIT") or DEFAULT_SCRIPT_OPERATION_LIMIT),
        script_max_items=int(env.get("CASEGRID_SCRIPT_MAX_ITEMS") or DEFAULT_SCRIPT_MAX_ITEMS),
        **_password_cost(env),
    )


def _password_cost(env: dict[str, str]) -> dict[str, int]:
    """CASEGRID_PASSWORD_TIME_COST / _MEMORY_KIB / _PARALLELISM, refused at start-up when argon2 would be."""
    cost = {"password_time_cost": int(env.get("CASEGRID_PASSWORD_TIME_COST") or 3),
            "password_memory_kib": int(env.get("CASEGRID_PASSWORD_MEMORY_KIB") or 65536),
            "password_parallelism": int(env.get("CASEGRID_PASSWORD_PARALLELISM") or 4)}
    if cost["password_time_cost"] < 1 or cost["password_parallelism"] < 1:
        raise ValueError("CASEGRID_PASSWORD_TIME_COST and CASEGRID_PASSWORD_PARALLELISM must be at least 1")
    if cost["password_memory_kib"] < 8 * cost["password_parallelism"]:
        raise ValueError("CASEGRID_PASSWORD_MEMORY_KIB must be at least 8 x CASEGRID_PASSWORD_PARALLELISM")
    return cost


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()
