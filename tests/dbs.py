"""Test databases: SQLite in a temporary folder, or an isolated schema on PostgreSQL.

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test`` runs the suite on
PostgreSQL. Each run gets its own schema (dropped at the end), so several runs can share one
database without seeing each other's rows.
"""

import os
import uuid
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.config import normalise_database_url

TEST_DATABASE_URL = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


def postgres_unavailable_reason(server_url: str | None = None) -> str | None:
    """None when the server answers; otherwise why it does not."""
    server_url = normalise_database_url(server_url or TEST_DATABASE_URL)
    try:
        engine = create_engine(server_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "skip", with the reason
        return f"PostgreSQL at {server_url} does not answer: {exc}"
    return None


@contextmanager
def postgres_schema(prefix: str = "t", server_url: str | None = None):
    """A URL whose connections live in a new schema, dropped on exit."""
    server_url = normalise_database_url(server_url or TEST_DATABASE_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = quote(f"-csearch_path={schema},public")
    url = make_url(server_url).render_as_string(hide_password=False)
    url += ("&" if "?" in url else "?") + f"options={options}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def wipe(engine) -> None:
    """Empty every table: a fresh database for the next test, without recreating the schema."""
    from registry.models import Base

    tables = [t for t in reversed(Base.metadata.sorted_tables)
              if inspect(engine).has_table(t.name)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
