"""Where every entry came from (import batches) and what happened to it (the audit trail)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.clock import utcnow
from registry.models.base import Base
from registry.models.people import User


class ImportBatch(Base):
    """One run of the import pipeline over one file (or one form submission)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str | None] = mapped_column(String(64), index=True)  # sha256 of the file
    origin: Mapped[str] = mapped_column(String(16), default="cli")  # an AUDIT_PATHS value
    status: Mapped[str] = mapped_column(String(16), default="running")
    # running | committed | dry_run | refused | failed
    dry_run: Mapped[bool] = mapped_column(default=False)
    body_code: Mapped[str | None] = mapped_column(String(32))
    licence: Mapped[str | None] = mapped_column(String(300))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{"location": "file:line or XPath", "reason": "..."}], capped (see pipeline).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    message: Mapped[str | None] = mapped_column(String(1000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The process that ran it, so a batch left "running" by a killed process can be failed.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()


class Revision(Base):
    """One change to a public entry: who, when, through which path, before and after."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))  # table name: standards, definitions, ...
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | <verb>
    # SQL NULL when absent (creations have no "before", imported ones no "after"), not JSON null.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    summary: Mapped[str | None] = mapped_column(String(500))
    # Imported records: the checksum of the record written. Their before/after hold only the
    # fields that changed (the entry itself holds the rest).
    checksum: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    path: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
