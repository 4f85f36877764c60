"""Long work done off the request path (jobs), and the sources harvested on a schedule.

A job row is what people follow: its state, its progress when done, its report or the reason it
failed. The queue (huey, in ``app.jobs``) only carries the job's id; this table is the record.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.clock import utcnow
from registry.models.base import Base
from registry.models.people import User

JOB_KINDS = ("import", "approval", "harvest", "reindex")
JOB_STATUSES = ("queued", "running", "done", "failed")
HARVEST_RUN_STATUSES = ("running", "not_modified", "unchanged", "imported", "refused", "failed")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    label: Mapped[str] = mapped_column(String(500), default="")  # what the job is, for people
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A worker that dies mid-way leaves the job "running": it is queued again while attempts
    # remain, then failed, and ``message`` says which happened.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=2)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # final count; live in the queue
    total: Mapped[int | None]
    report: Mapped[dict[str, Any] | None]
    message: Mapped[str | None] = mapped_column(String(1000))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class HarvestSource(Base):
    """A feed an administrator registered: fetched on its schedule, imported when it changed."""

    __tablename__ = "harvest_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    body_code: Mapped[str | None] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))  # http(s) URL, or a path under a file root
    licence: Mapped[str | None] = mapped_column(String(300))  # of definition texts, if named
    # Complete feeds list everything the source publishes: what disappears is withdrawn.
    complete: Mapped[bool] = mapped_column(default=False)
    interval_hours: Mapped[int] = mapped_column(Integer, default=24)  # 0: only when asked
    enabled: Mapped[bool] = mapped_column(default=True)
    # What the last fetch saw: for conditional requests and to skip unchanged content.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checksum: Mapped[str | None] = mapped_column(String(64))
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    # The one job harvesting this source now (one run per source at a time).
    running_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    runs: Mapped[list["HarvestRun"]] = relationship(
        back_populates="source", order_by="HarvestRun.id.desc()", lazy="dynamic",
        passive_deletes=True)


class HarvestRun(Base):
    """One fetch of a source and what it changed."""

    __tablename__ = "harvest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("harvest_sources.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="running")
    http_status: Mapped[int | None]
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(default=list)  # location + reason
    message: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    source: Mapped[HarvestSource] = relationship(back_populates="runs")


class HarvestItem(Base):
    """A standard a source has brought: what a complete feed no longer lists is withdrawn."""

    __tablename__ = "harvest_items"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("harvest_sources.id", ondelete="CASCADE"), primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_run_id: Mapped[int] = mapped_column(Integer)
