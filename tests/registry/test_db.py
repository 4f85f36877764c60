"""The core's connection settings hold on the app's own engine: cascades work on SQLite too."""

from sqlalchemy import delete, func, select, text

from app.extensions import db
from registry.models import Standard, standard_areas, standard_bodies
from tests import factories as f


def test_sqlite_connections_of_the_app_enforce_foreign_keys_in_wal_mode(app):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL always enforces foreign keys; the cascade below is checked there too
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_deleting_a_standard_cascades_to_its_bodies_and_areas(session):
    f.load(session, f.area("fairness"), f.standard("ISO/IEC 24027:2021", areas=["fairness"]))
    standard_id = session.scalar(select(Standard.id))
    session.execute(delete(Standard).where(Standard.id == standard_id))
    session.commit()
    for table in (standard_bodies, standard_areas):
        left = session.scalar(select(func.count()).select_from(table)
                              .where(table.c.standard_id == standard_id))
        assert left == 0, f"{table.name} kept rows of a deleted standard"


def test_a_bulk_copy_on_postgresql_leaves_the_planner_statistics_of_what_it_wrote(session):
    """Without them the run's own look-ups by checksum scanned the whole table per chunk
    (100,000 ISO records: 343 re-imported per second instead of ~20,000)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite's planner needs no statistics for an indexed equality
    from registry.ingest.bulk import ANALYZE_FROM, insert_rows
    from registry.models import Body

    def planned_rows() -> float:
        return session.execute(text(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass('bodies')")).scalar()

    count = ANALYZE_FROM + 7
    rows = [{"code": f"B{i}", "name": f"Body {i}", "kind": "sdo"} for i in range(count)]
    insert_rows(session, Body.__table__, rows)
    assert planned_rows() == count  # analysed inside the transaction that wrote them
    session.rollback()


def test_postgresql_connections_of_the_app_do_not_jit_compile(app):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite has no JIT
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"
