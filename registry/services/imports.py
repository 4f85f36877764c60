"""Import batches for administrators: the list, one batch, and what it created or changed."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from registry.models import ImportBatch, Standard
from registry.services.paging import Page, paginate


def list_batches(
    session: Session,
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    fmt: str | None = None,
) -> Page[ImportBatch]:
    """Newest first; filtered by status and format when given."""
    stmt = select(ImportBatch).options(selectinload(ImportBatch.user))
    if status:
        stmt = stmt.where(ImportBatch.status == status)
    if fmt:
        stmt = stmt.where(ImportBatch.format == fmt)
    return paginate(session, stmt.order_by(ImportBatch.id.desc()), page, per_page)


def get_batch(session: Session, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)


def standards_of(session: Session, batch_id: int, limit: int = 50) -> tuple[list[Standard], int]:
    """The standards this batch created or last changed (some of them, and how many in all)."""
    where = Standard.batch_id == batch_id
    total = session.scalar(select(func.count(Standard.id)).where(where)) or 0
    items = list(
        session.scalars(select(Standard).where(where).order_by(Standard.reference).limit(limit))
    )
    return items, total
