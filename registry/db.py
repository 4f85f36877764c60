"""Engines and sessions for code that runs without Flask, and the SQLite connection settings."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers run beside one writer; the busy timeout makes writers queue, not fail."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgres_settings(dbapi_connection, _record) -> None:
    """No JIT compilation: the registry's statements are short, and compiling them cost more
    than running them (the gap rules over 100,000 standards: 55 ms with JIT, 38 without)."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.commit()  # a SET rolled back with its transaction would be undone


# Errors after which a connection stays useless when their cause is gone: SQLite keeps a file
# that was read-only (or unreachable) when the connection opened it read-only for the
# connection's life; a PostgreSQL session that met a read-only server (a standby after a
# failover, default_transaction_read_only) stays read-only. "database is locked" passes and is
# not among them.
_SQLITE_BROKEN = ("readonly database", "unable to open database file", "disk i/o error")
_PG_READ_ONLY_TRANSACTION = "25006"


@event.listens_for(Engine, "handle_error")
def _discard_broken_connections(context) -> None:
    """Treat such an error as a lost connection: SQLAlchemy then discards the connection and
    every other one the pool holds (opened in the same bad moment), so the next request opens
    fresh ones and writes recover without restarting the app."""
    error = context.original_exception
    if isinstance(error, sqlite3.OperationalError):
        broken = any(text in str(error).lower() for text in _SQLITE_BROKEN)
    else:
        broken = getattr(error, "sqlstate", None) == _PG_READ_ONLY_TRANSACTION
    if broken:
        context.is_disconnect = True


def make_engine(url: str, **kwargs) -> Engine:
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """An action's one transaction: committed when the block succeeds, rolled back (and the
    error raised on) when it does not. Core actions (``registry.services``) own theirs."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
