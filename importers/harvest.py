"""Harvest one source: fetch (conditional, bounded), skip what has not changed, import through
the pipeline like any file, withdraw what a complete feed no longer lists, record the run.

The import commits once (``run_import``): a feed that breaks mid-way, or a run killed halfway,
leaves the registry as it was. Withdrawal only follows a clean read: a feed with rejected
records may be cut short, and what it lacks is then not known to be gone.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from importers import FORMATS
from importers.fetch import FetchError, Limits, check_location, fetch
from importers.pipeline import ImportOptions, Reader, Source, run_import
from registry import policy
from registry.clock import utcnow
from registry.ingest import Deferred, Record
from registry.models import HarvestRun, HarvestSource
from registry.policy import Actor
from registry.references import reference_key
from registry.services import harvest as core
from registry.services.harvest import HarvestError

__all__ = ["HarvestError", "add_source", "harvest"]


def add_source(session: Session, actor: Actor, limits: Limits, **fields: Any) -> HarvestSource:
    """``registry.services.harvest.add_source`` once the format and location are possible."""
    policy.require(actor, "harvest.manage")
    if fields.get("fmt") not in FORMATS:
        raise HarvestError(f"format: choose one of {', '.join(sorted(FORMATS))}")
    try:
        check_location(fields.get("url") or "", limits)
    except FetchError as exc:
        raise HarvestError(f"url: {exc}") from None
    return core.add_source(session, actor, **fields)


class _Listed:
    """The standards a feed lists: raw digests and reference keys of its standard records."""

    def __init__(self) -> None:
        self.digests: set[str] = set()
        self.keys: set[str] = set()

    def watch(self, reader: Reader) -> Reader:
        def read(source: Source, options: ImportOptions):
            for item in reader(source, options):
                if isinstance(item, Deferred | Record) and item.kind == "standard":
                    if item.digest:
                        self.digests.add(item.digest)
                    elif isinstance(item, Record) and item.data.get("reference"):
                        self.keys.add(reference_key(item.data["reference"]))
                yield item
        return read


def harvest(sessions: sessionmaker[Session], source_id: int, *, job_id: int, limits: Limits,
            progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run the source once, for job ``job_id``; returns the run's summary (the job's report).
    Never raises for a bad feed: the run records what went wrong."""
    with sessions() as session:
        source = session.get(HarvestSource, source_id)
        if source is None:
            raise HarvestError(f"there is no harvest source {source_id}")
        if not core.lock(session, source_id, job_id):
            raise HarvestError(f"{source.name} is being harvested by another job already")
        run = HarvestRun(source_id=source_id, job_id=job_id)
        session.add(run)
        session.commit()
        try:
            with tempfile.TemporaryDirectory(prefix="harvest-") as folder:
                _run(sessions, session, source, run, Path(folder) / "feed", limits, progress)
        except Exception as exc:
            session.rollback()
            _end(session, run, "failed", f"{type(exc).__name__}: {exc}")
        finally:
            core.unlock(session, source_id, job_id)
        return _summary(source, run)


def _run(sessions, session: Session, source: HarvestSource, run: HarvestRun, dest: Path,
         limits: Limits, progress) -> None:
    try:
        fetched = fetch(source.url, dest, limits, etag=source.etag,
                        last_modified=source.last_modified)
    except FetchError as exc:
        _end(session, run, "failed", str(exc))
        return
    run.http_status = fetched.http_status
    if fetched.not_modified:
        _end(session, run, "not_modified", "the server says the feed has not changed")
        return
    if fetched.checksum == source.checksum:
        source.etag, source.last_modified = fetched.etag, fetched.last_modified
        _end(session, run, "unchanged", "the feed's content is the same as last time")
        return

    listed = _Listed()
    options = ImportOptions(body=source.body_code, licence=source.licence, origin="harvest",
                            actor=policy.OPERATOR)
    report = run_import(sessions, source.format, listed.watch(FORMATS[source.format]),
                        Source(dest, name=source.name, progress=progress), options)
    run.batch_id = report.batch_id
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.rejected = len(report.rejected)
    run.errors = report.rejected[:200]
    if report.refused:
        _end(session, run, "refused", report.refused)
        return
    # Remembered only now: a refused or failed feed is fetched in full again next time.
    source.etag, source.last_modified = fetched.etag, fetched.last_modified
    source.checksum = fetched.checksum
    core.record_items(session, source, run,
                      core.seen_standards(session, listed.digests, listed.keys))
    message = None
    if source.complete and report.rejected:
        message = (f"{len(report.rejected)} records were rejected, so nothing was withdrawn: "
                   "the feed may be incomplete")
    elif source.complete:
        run.withdrawn = core.withdraw_missing(session, source, run).updated
    _end(session, run, "imported", message)


def _end(session: Session, run: HarvestRun, status: str, message: str | None) -> None:
    run.status = status
    run.message = message[:1000] if message else None
    run.finished_at = utcnow()
    session.commit()


def _summary(source: HarvestSource, run: HarvestRun) -> dict[str, Any]:
    return {"source": source.name, "run": run.id, "status": run.status,
            "http_status": run.http_status, "batch": run.batch_id, "created": run.created,
            "updated": run.updated, "unchanged": run.unchanged, "withdrawn": run.withdrawn,
            "rejected": run.rejected, "errors": run.errors[:20], "message": run.message}
