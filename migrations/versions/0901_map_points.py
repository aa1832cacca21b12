"""map points: case points with a geohash index, unit outlines, the map and screen abilities

Revision ID: 0901_map_points
Revises: 0802_api_token_ability
Create Date: 2026-12-05

一图感知 and 一屏 (docs/map-and-screen.md): a case's point (`latitude`, `longitude` from its data) and its
geohash, indexed with the status so the map reads open cases in a box by prefix ranges; the outline of
each street, community and grid cell (GeoJSON, loaded by `casegrid init` from rules/geometry/); and the
abilities `see_map` and `operations_screen` for the shipped role codes that get them in the organisation
file, until init loads it again (a row's list is extended, never replaced). Running cases get their
point from the data they already hold; closed ones keep none (the map shows open cases).
"""
from __future__ import annotations

import math

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0901_map_points"
down_revision = "0802_api_token_ability"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
GRANTED = {
    "dispatcher": ["see_map", "operations_screen"],
    "supervisor": ["see_map", "operations_screen"],
    "admin": ["see_map", "operations_screen"],
}
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def _geohash(latitude: float, longitude: float, precision: int = 9) -> str:
    """engine.geo.geohash.encode, copied: a migration does not import the code it migrates."""
    bounds = [[-90.0, 90.0], [-180.0, 180.0]]
    out, bits, value, even = [], 0, 0, True
    while len(out) < precision:
        axis, coordinate = (1, longitude) if even else (0, latitude)
        middle = sum(bounds[axis]) / 2
        value = value * 2 + (coordinate >= middle)
        bounds[axis][0 if coordinate >= middle else 1] = middle
        even, bits = not even, bits + 1
        if bits == 5:
            out.append(BASE32[value])
            bits = value = 0
    return "".join(out)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("geohash", sa.String(12), nullable=True))
    op.create_index("ix_cases_status_geohash", "cases", ["status", "geohash"])
    with op.batch_alter_table("org_units") as batch:
        batch.add_column(sa.Column("geometry", JSON, nullable=True))
    connection = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("data", JSON),
                     sa.column("latitude", sa.Float), sa.column("longitude", sa.Float),
                     sa.column("geohash", sa.String))
    last = 0
    while True:
        rows = connection.execute(sa.select(cases.c.id, cases.c.data).where(cases.c.status == "running",
                                                                            cases.c.id > last)
                                  .order_by(cases.c.id).limit(500)).all()
        if not rows:
            break
        for case_id, data in rows:
            data = data or {}
            latitude, longitude = _number(data.get("latitude")), _number(data.get("longitude"))
            if latitude is not None and longitude is not None and -90 <= latitude <= 90 and -180 <= longitude <= 180:
                connection.execute(cases.update().where(cases.c.id == case_id).values(
                    latitude=latitude, longitude=longitude, geohash=_geohash(latitude, longitude)))
        last = rows[-1][0]
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            current = list(may or [])
            merged = current + [ability for ability in added if ability not in current]
            connection.execute(roles.update().where(roles.c.code == code).values(may=merged))


def downgrade() -> None:
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            connection.execute(roles.update().where(roles.c.code == code).values(
                may=[ability for ability in (may or []) if ability not in added]))
    with op.batch_alter_table("org_units") as batch:
        batch.drop_column("geometry")
    op.drop_index("ix_cases_status_geohash", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("geohash")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
