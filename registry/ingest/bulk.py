"""Many rows into one table, the fastest way the database offers.

PostgreSQL: ``COPY ... FROM STDIN`` (psycopg's text COPY, in the session's own transaction):
one stream instead of one statement per row, and ``ANALYZE`` of the table each time a run has
doubled what it wrote into it (from 1,000 rows on): the planner must know a table that a bulk
load just filled, or the run's own look-ups (a checksum ``IN`` list, say) turn into sequential
scans; nothing else would tell it in time, and autovacuum may be off.

SQLite (in-process): the driver's ``executemany`` with the values converted by the columns' own
SQLAlchemy type processors (only where a column has one), but without SQLAlchemy building a
parameter dictionary per row.

The rows must name every column they fill, the same ones in every row; otherwise (or when a
column with a Python-side default is left out) they go through SQLAlchemy's ``executemany``,
which applies the defaults.
"""

from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

COPY_FROM = 100  # fewer rows than this: a statement is as quick
ANALYZE_FROM = 1000  # rows written into one table in one session before its first ANALYZE


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect
    if len(rows) < COPY_FROM or not _copyable(table, rows):
        session.execute(insert(table), rows)
    elif dialect.name == "postgresql":
        _copy(session, table, rows)
    elif dialect.name == "sqlite":
        _executemany(session, table, rows)
    else:
        session.execute(insert(table), rows)
    if dialect.name == "postgresql":
        _analyze_when_grown(session, table, len(rows))


def _executemany(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect
    names = list(rows[0])
    processors = [(i, p) for i, n in enumerate(names)
                  if (p := table.c[n].type.dialect_impl(dialect).bind_processor(dialect))]
    columns = ", ".join(f'"{table.c[n].name}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" for _ in names)})'
    # Most columns (text, integers) need no conversion: only the others are touched per row.
    pick = itemgetter(*names) if len(names) > 1 else (lambda r: (r[names[0]],))
    if processors:
        values = []
        for row in rows:
            value = list(pick(row))
            for i, process in processors:
                value[i] = process(value[i])
            values.append(tuple(value))
    else:
        values = [pick(row) for row in rows]
    session.connection().exec_driver_sql(sql, values)


def _copyable(table: Table, rows: list[dict[str, Any]]) -> bool:
    names = rows[0].keys()
    defaults_left_out = any(c.default is not None and c.key not in names for c in table.columns)
    return not defaults_left_out and all(r.keys() == names for r in rows)


def _copy(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Json

    names = list(rows[0])
    json_columns = {c.key for c in table.columns if isinstance(c.type, JSON)}
    wrap = [name in json_columns for name in names]
    columns = ", ".join(f'"{table.c[name].name}"' for name in names)
    connection = session.connection().connection.driver_connection
    with connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(row[n]) if w and row[n] is not None else row[n]
                            for n, w in zip(names, wrap, strict=True)])


def _analyze_when_grown(session: Session, table: Table, added: int) -> None:
    """ANALYZE at 1,000, 2,000, 4,000 ... rows written: a few samples per run, O(log n)."""
    copied = session.info.setdefault("bulk_written", {})
    before, after = copied.get(table.name, 0), copied.get(table.name, 0) + added
    copied[table.name] = after
    threshold = ANALYZE_FROM
    while threshold <= before:
        threshold *= 2
    if after >= threshold:
        # Inside the run's transaction: ANALYZE samples the rows this transaction wrote.
        session.connection().exec_driver_sql(f'ANALYZE "{table.name}"')
