"""Password hashing with argon2 (argon2-cffi): memory-hard, salted, with parameters upgraded on login.

The cost is configuration (engine.config, docs/operations.md): an operator sizes it to the servers, and a
hash made at another cost still verifies and is rehashed at the next sign-in."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.config import settings


@lru_cache(maxsize=4)
def _hasher_at(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    configured = settings()
    return _hasher_at(configured.password_time_cost, configured.password_memory_kib, configured.password_parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
