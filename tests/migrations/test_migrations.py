"""Migrations: upgrade from empty works on this database, and the models match them."""

from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from registry.models import Base
from tests import dbs
from tests.conftest import make_app


@contextmanager
def empty_database(tmp_path):
    if dbs.is_postgres():
        reason = dbs.postgres_unavailable_reason()
        if reason:
            pytest.skip(reason)
        with dbs.postgres_schema("m") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"


def test_upgrade_from_empty_then_models_match(tmp_path):
    with empty_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            engine = create_engine(url)
            tables = set(inspect(engine).get_table_names())
            assert {t.name for t in Base.metadata.sorted_tables} <= tables
            with engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True})
                diff = compare_metadata(context, Base.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            downgrade(revision="base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            engine.dispose()


def test_the_rollup_migration_counts_what_the_writers_keep(tmp_path):
    """0008 recounts area_coverage from the standards: the same rows the writers keep."""
    from registry.ingest import coverage
    from tests import factories as f

    with empty_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            from app.extensions import db

            f.load(db.session, f.area("trust"), f.area("fairness", parent="trust"),
                   f.standard("ISO/IEC 1:2020", areas=["fairness"]),
                   f.standard("IEEE 2-2021", bodies=["IEEE"], committee=None,
                              areas=["trust", "fairness"], status="withdrawn"))
            kept = coverage.snapshot(db.session)
            db.session.remove()
            downgrade(revision="0007")
            upgrade()
            assert coverage.snapshot(db.session) == kept
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
