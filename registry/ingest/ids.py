"""Primary keys taken up front, so a chunk's rows and the rows that point at them go out in
plain ``executemany`` statements, without a flush or a RETURNING round trip per row.

PostgreSQL: ``nextval`` of the table's sequence, n at a time. SQLite: ``max(id) + 1``, read
when the ids are taken, inside a transaction that already holds SQLite's one write lock
(``Run`` takes it first), so no other writer can take the same ids before they are inserted.
"""

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


def take(session: Session, table: Table, n: int) -> list[int]:
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n}))
    first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(first, first + n))
