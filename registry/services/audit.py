"""The audit trail: every change to a public entry, with who, when, what and through which path."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.models import Revision


def jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO strings, so snapshots fit a JSON column on every database."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    action: str,
    path: str,
    before: dict | None = None,
    after: dict | None = None,
    actor_id: int | None = None,
    batch_id: int | None = None,
    summary: str | None = None,
) -> Revision:
    revision = Revision(
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=jsonable(before),
        after=jsonable(after),
        actor_id=actor_id,
        path=path,
        batch_id=batch_id,
        summary=summary,
        at=utcnow(),
    )
    session.add(revision)
    return revision


def record_many(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Bulk form for the import pipeline: one executemany instead of one ORM object per row."""
    now = utcnow()
    batch = [
        {
            "summary": None,
            "actor_id": None,
            "batch_id": None,
            **row,
            "before": jsonable(row.get("before")),
            "after": jsonable(row.get("after")),
            "at": now,
        }
        for row in rows
    ]
    if batch:
        session.execute(insert(Revision), batch)


def changed_fields(before: dict, after: dict) -> list[str]:
    return sorted(k for k in after if before.get(k) != after.get(k))
