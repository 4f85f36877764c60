"""Harvest sources: the feeds an administrator registers, their schedule, their runs, and what
a complete feed no longer lists (withdrawn by that source, never deleted).

Fetching and importing a source is ``importers.harvest``; this is the bookkeeping around it.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from registry import policy
from registry.clock import utcnow
from registry.db import unit_of_work
from registry.ingest import Record, Report, Run, load
from registry.models import (
    Body,
    HarvestItem,
    HarvestRun,
    HarvestSource,
    Job,
    Standard,
    standard_bodies,
)
from registry.policy import Actor

INTERVALS = {0: "only when asked", 1: "every hour", 24: "every day", 168: "every week"}
IN_CLAUSE = 500  # ids per IN (...) list


class HarvestError(ValueError):
    """A source cannot be added or run as asked (the message says why)."""


def add_source(session: Session, actor: Actor, *, name: str, fmt: str, url: str,
               body: str | None = None, licence: str | None = None, complete: bool = False,
               interval_hours: int = 24, enabled: bool = True) -> HarvestSource:
    """Register a source; its first run is due at once when it has a schedule. The caller has
    checked the format and the location (``importers.harvest.add_source``)."""
    policy.require(actor, "harvest.manage")
    if interval_hours not in INTERVALS:
        raise HarvestError("schedule: choose every hour (1), day (24), week (168) or only when "
                           "asked (0)")
    if session.scalar(select(HarvestSource.id).where(HarvestSource.name == name)):
        raise HarvestError(f"name: a source called {name!r} exists already")
    if body and not session.scalar(select(Body.id).where(Body.code == body)):
        raise HarvestError(f"body: there is no body {body!r}; add it first (flask bodies add)")
    with unit_of_work(session):
        source = HarvestSource(
            name=name, format=fmt, url=url, body_code=body or None, licence=licence or None,
            complete=complete, interval_hours=interval_hours, enabled=enabled,
            next_run_at=utcnow() if interval_hours else None,
            created_by_id=getattr(actor, "id", None))
        session.add(source)
    return source


def sources(session: Session) -> list[HarvestSource]:
    return list(session.scalars(select(HarvestSource).order_by(HarvestSource.name)))


def find_source(session: Session, key: str | int) -> HarvestSource | None:
    """By id, or by name."""
    if isinstance(key, int) or str(key).isdigit():
        return session.get(HarvestSource, int(key))
    return session.scalar(select(HarvestSource).where(HarvestSource.name == key))


def latest_runs(session: Session, source_ids: Iterable[int]) -> dict[int, HarvestRun]:
    """The last run of each source, for the list page, in one query."""
    ids = list(source_ids)
    if not ids:
        return {}
    last = (select(HarvestRun.source_id, HarvestRun.id.label("id"))
            .where(HarvestRun.source_id.in_(ids))
            .order_by(HarvestRun.source_id, HarvestRun.id.desc()))
    newest: dict[int, int] = {}
    for source_id, run_id in session.execute(last):
        newest.setdefault(source_id, run_id)
    runs = session.scalars(select(HarvestRun).where(HarvestRun.id.in_(newest.values())))
    return {run.source_id: run for run in runs}


# -- the schedule ------------------------------------------------------------------------------

def due(session: Session, now: datetime | None = None) -> list[tuple[int, str, datetime, int]]:
    """(id, name, next run, interval) of each source whose run is due."""
    now = now or utcnow()
    return list(session.execute(select(
        HarvestSource.id, HarvestSource.name, HarvestSource.next_run_at,
        HarvestSource.interval_hours).where(
        HarvestSource.enabled.is_(True), HarvestSource.interval_hours > 0,
        HarvestSource.next_run_at <= now)))


def take_turn(session: Session, source_id: int, due_at: datetime, interval_hours: int,
              now: datetime | None = None) -> bool:
    """Move the source's next run one interval on, if it is still ``due_at`` (as the caller
    read it): of several schedulers that read the same due source, exactly one starts it."""
    now = now or utcnow()
    moved = session.execute(
        update(HarvestSource)
        .where(HarvestSource.id == source_id, HarvestSource.next_run_at == due_at)
        .values(next_run_at=now + timedelta(hours=interval_hours))).rowcount
    session.commit()
    return bool(moved)


# -- one run at a time per source --------------------------------------------------------------

def lock(session: Session, source_id: int, job_id: int) -> bool:
    """Hold the source for ``job_id``; False when another job that is not finished holds it."""
    finished = select(Job.id).where(Job.status.in_(("done", "failed")))
    held = session.execute(
        update(HarvestSource)
        .where(HarvestSource.id == source_id,
               or_(HarvestSource.running_job_id.is_(None),
                   HarvestSource.running_job_id == job_id,
                   HarvestSource.running_job_id.in_(finished)))
        .values(running_job_id=job_id).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return bool(held)


def unlock(session: Session, source_id: int, job_id: int) -> None:
    session.execute(update(HarvestSource)
                    .where(HarvestSource.id == source_id, HarvestSource.running_job_id == job_id)
                    .values(running_job_id=None))
    session.commit()


# -- what a complete feed lists ----------------------------------------------------------------

def seen_standards(session: Session, digests: set[str], keys: set[str]) -> set[int]:
    """The standards a run's records were written from (by source checksum) or name (by
    reference key)."""
    found: set[int] = set()
    for column, values in ((Standard.source_checksum, list(digests)),
                           (Standard.reference_key, list(keys))):
        for start in range(0, len(values), IN_CLAUSE):
            found.update(session.scalars(
                select(Standard.id).where(column.in_(values[start:start + IN_CLAUSE]))))
    return found


def record_items(session: Session, source: HarvestSource, run: HarvestRun,
                 standard_ids: set[int]) -> None:
    """Remember which standards this run listed (the session's transaction; not committed).
    Core statements: a feed of 100,000 standards is 100,000 rows here."""
    known = set(session.scalars(select(HarvestItem.standard_id)
                                .where(HarvestItem.source_id == source.id)))
    listed = sorted(standard_ids & known)
    for start in range(0, len(listed), IN_CLAUSE):
        session.execute(update(HarvestItem)
                        .where(HarvestItem.source_id == source.id,
                               HarvestItem.standard_id.in_(listed[start:start + IN_CLAUSE]))
                        .values(last_run_id=run.id).execution_options(synchronize_session=False))
    new = [{"source_id": source.id, "standard_id": i, "last_run_id": run.id}
           for i in sorted(standard_ids - known)]
    if new:
        session.execute(insert(HarvestItem), new)


def withdraw_missing(session: Session, source: HarvestSource, run: HarvestRun) -> Report:
    """Standards this source brought before that its complete feed no longer lists: status
    withdrawn, through the write path (audit trail, followers, search), never deleted."""
    gone = session.execute(
        select(Standard.reference, Standard.title, Standard.doc_type, Standard.id)
        .join(HarvestItem, HarvestItem.standard_id == Standard.id)
        .where(HarvestItem.source_id == source.id, HarvestItem.last_run_id != run.id,
               Standard.status != "withdrawn")).all()
    report = Report(filename=source.name, format=source.format)
    if not gone:
        return report
    bodies = _body_codes(session, [row.id for row in gone])
    note = f"no longer listed by the complete feed of harvest source {source.name!r}"
    run_ctx = Run(session, path="harvest", batch_id=run.batch_id, note=note, edit=True)
    records = [Record("standard", {"reference": row.reference, "title": row.title,
                                   "bodies": bodies[row.id], "type": row.doc_type,
                                   "status": "withdrawn"}, f"{source.name}: {row.reference}")
               for row in gone]
    load(run_ctx, records, report)
    return report


def _body_codes(session: Session, standard_ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {i: [] for i in standard_ids}
    for start in range(0, len(standard_ids), IN_CLAUSE):
        rows = session.execute(
            select(standard_bodies.c.standard_id, Body.code)
            .join(Body, Body.id == standard_bodies.c.body_id)
            .where(standard_bodies.c.standard_id.in_(standard_ids[start:start + IN_CLAUSE])))
        for std_id, code in rows:
            codes[std_id].append(code)
    return codes
