"""Jobs: long work that people follow, whatever runs it (``app.jobs`` puts them on a queue).

Each state change is its own short transaction, so a page shows it at once. A job runs once:
a worker claims it (queued -> running) before doing anything, so a message delivered twice is
harmless. A worker killed mid-way leaves its job "running"; ``reap`` puts it back in the queue
while attempts remain, then fails it, and the message says which. The work itself is atomic
(an import commits once), so a killed job has written nothing.
"""

import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry import policy
from registry.clock import utcnow
from registry.models import Job
from registry.policy import Actor
from registry.services.paging import Page, paginate


class JobError(ValueError):
    """A job cannot be created as asked (the message says why)."""


def create(session: Session, actor: Actor, kind: str, params: dict[str, Any], label: str,
           *, action: str, target: Any = None, max_attempts: int = 2) -> Job:
    """A queued job, committed, once ``actor`` may do ``action`` (the work's own policy)."""
    policy.require(actor, action, target)
    job = Job(kind=kind, params=params, label=label[:500], user_id=getattr(actor, "id", None),
              max_attempts=max_attempts)
    session.add(job)
    session.commit()
    return job


def get(session: Session, actor: Actor | None, job_id: int) -> Job | None:
    """The job, if ``actor`` may follow it (its owner and administrators); None otherwise, so
    a job's existence is not told to others."""
    job = session.get(Job, job_id, populate_existing=True)  # a worker changes it, not us
    if job is None or not policy.can(actor, "job.read", job):
        return None
    return job


def listing(session: Session, actor: Actor, *, page: int = 1, per_page: int = 50,
            status: str | None = None) -> Page[Job]:
    """Newest first: every job for administrators, one's own for everyone else."""
    policy.require(actor, "job.read")
    stmt = select(Job)
    if getattr(actor, "role", None) != "admin":
        stmt = stmt.where(Job.user_id == actor.id)
    if status:
        stmt = stmt.where(Job.status == status)
    return paginate(session, stmt.order_by(Job.id.desc()), page, per_page)


def claim(session: Session, job_id: int) -> Job | None:
    """Mark the job running in this process, if it is still queued; None when another worker
    has it or it is finished."""
    claimed = session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued").values(
            status="running", attempts=Job.attempts + 1, host=socket.gethostname(),
            pid=os.getpid(), started_at=utcnow())
    ).rowcount
    session.commit()
    return session.get(Job, job_id) if claimed else None


def finish(session: Session, job: Job, report: dict[str, Any], *, progress: int = 0,
           total: int | None = None, failed: str | None = None) -> None:
    """Done with its report, or failed with the reason (the report may still say more)."""
    job.status = "failed" if failed else "done"
    job.message = failed[:1000] if failed else job.message
    job.report = report
    job.progress, job.total = progress, total
    job.finished_at = utcnow()
    session.commit()


def reap(session: Session, alive: Callable[[Job], bool],
         release: Callable[[Job], None] | None = None) -> tuple[list[int], list[int]]:
    """Jobs left running by a worker that is gone (``alive`` says false): queued again while
    attempts remain, failed after that, ``release`` (what the job left behind) called before the
    failure is committed. Returns (queued again, failed)."""
    again, failed = [], []
    for job in session.scalars(select(Job).where(Job.status == "running")):
        if alive(job):
            continue
        stopped = "the worker running it stopped"
        if job.attempts < job.max_attempts:
            job.status = "queued"
            job.message = f"{stopped} (attempt {job.attempts} of {job.max_attempts}); queued again"
            again.append(job.id)
        else:
            job.status = "failed"
            job.message = (f"{stopped} (attempt {job.attempts} of {job.max_attempts}); "
                           "nothing it was writing was kept")
            job.finished_at = utcnow()
            if release is not None:
                release(job)
            failed.append(job.id)
    session.commit()
    return again, failed


def stale_queued(session: Session, older_than: timedelta) -> list[int]:
    """Jobs queued for longer than ``older_than``: their message may have been lost (a broker
    that keeps nothing on disk was restarted); sending it again is safe, see ``claim``."""
    cutoff = utcnow() - older_than
    return list(session.scalars(select(Job.id).where(Job.status == "queued",
                                                     Job.created_at < cutoff)))
