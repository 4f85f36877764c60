"""The audit trail: every change to a public entry, with who, when, what and through which path."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.clock import utcnow
from registry.models import Definition, Revision
from registry.services.paging import Page, paginate


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


def history(session: Session, entity: str, entity_id: int, limit: int = 50) -> list[Revision]:
    """Newest first: the changes to one entry; a concept's include its definitions'."""
    where = (Revision.entity == entity) & (Revision.entity_id == entity_id)
    if entity == "concepts":
        definition_ids = select(Definition.id).where(Definition.concept_id == entity_id)
        where = or_(where, (Revision.entity == "definitions")
                    & Revision.entity_id.in_(definition_ids))
    return list(session.scalars(
        select(Revision).where(where).options(selectinload(Revision.actor))
        .order_by(Revision.at.desc(), Revision.id.desc()).limit(limit)))


def activity(session: Session, filters: dict[str, Any]) -> Page[Revision]:
    """Every change, newest first, filtered by actor, path, entity kind and date range."""
    stmt: Select = select(Revision).options(selectinload(Revision.actor))
    if filters.get("user") is not None:
        stmt = stmt.where(Revision.actor_id == filters["user"])
    if filters.get("path"):
        stmt = stmt.where(Revision.path == filters["path"])
    if filters.get("entity"):
        stmt = stmt.where(Revision.entity == filters["entity"])
    if filters.get("since"):
        stmt = stmt.where(Revision.at >= datetime.combine(filters["since"], datetime.min.time()))
    if filters.get("until"):
        next_day = filters["until"] + timedelta(days=1)
        stmt = stmt.where(Revision.at < datetime.combine(next_day, datetime.min.time()))
    stmt = stmt.order_by(Revision.at.desc(), Revision.id.desc())
    return paginate(session, stmt, filters.get("page", 1), filters.get("per_page", 50))


def entity_kinds(session: Session) -> list[str]:
    return list(session.scalars(select(Revision.entity).distinct().order_by(Revision.entity)))
