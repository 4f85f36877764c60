"""Many rows into one table, the fastest way the database offers.

PostgreSQL: ``COPY ... FROM STDIN`` (psycopg's binary-free text COPY, in the session's own
transaction): one stream instead of one statement per row. Elsewhere (SQLite, in-process):
``executemany``. The rows must name every column they fill, the same ones in every row; a
column with a Python-side default the rows leave out sends them down the ``executemany`` path,
where SQLAlchemy applies it.
"""

from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

COPY_FROM = 100  # fewer rows than this: a statement is as quick


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM \
            and _copyable(table, rows):
        _copy(session, table, rows)
    else:
        session.execute(insert(table), rows)


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
