"""The argon2id cost of password hashes is configuration: production defaults to argon2-cffi's (RFC 9106
low-memory profile), a bad value is refused at start-up, and a hash made at another cost still signs in
and is rehashed at the configured cost."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from webtools import PASSWORD, login

from engine.config import load_settings, settings
from engine.store.models.org import User


def test_without_settings_the_cost_is_argon2_cffis_default() -> None:
    configured = load_settings({})
    default = PasswordHasher()
    assert (configured.password_time_cost, configured.password_memory_kib, configured.password_parallelism) == \
        (default.time_cost, default.memory_cost, default.parallelism) == (3, 65536, 4)


@pytest.mark.parametrize(("variable", "value"), [
    ("CASEGRID_PASSWORD_TIME_COST", "0"),
    ("CASEGRID_PASSWORD_PARALLELISM", "0"),
    ("CASEGRID_PASSWORD_MEMORY_KIB", "7"),
])
def test_a_cost_argon2_would_refuse_is_refused_at_start_up_naming_the_setting(variable: str, value: str) -> None:
    with pytest.raises(ValueError, match=variable):
        load_settings({"CASEGRID_PASSWORD_PARALLELISM": "1", variable: value})


def test_a_hash_made_at_another_cost_signs_in_and_is_rehashed_at_the_configured_cost(web_db, client) -> None:
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=2).hash(PASSWORD)
    with web_db.transaction() as session:
        session.execute(update(User).where(User.username == "h_cg").values(password_hash=older))
    assert login(client, "h_cg", PASSWORD).status_code == 302
    with web_db.transaction(readonly=True) as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "h_cg")).one()
    configured = settings()
    assert stored != older and stored.startswith(
        f"$argon2id$v=19$m={configured.password_memory_kib},t={configured.password_time_cost},"
        f"p={configured.password_parallelism}$")
