"""read -> validate -> write -> report: the one pipeline the CLI, the web, the API and the demo
loader call, whatever the format.

A reader (one module per format) turns a file into a stream of ``Record`` (an exchange record
with its location) and ``Rejected`` (an element it could not map). The pipeline hands the
stream to ``registry.ingest.load`` (validated once, written in bulk chunks) and commits once
per file, together with the batch's final counts:

* every record accepted: exit 0; some rejected: exit 1 and the good ones are committed;
* the file refused whole (unreadable, not that format, unsafe): exit 2 and nothing is written;
* a dry run does everything, then rolls back.

The batch row is committed first, with status ``running`` and the process's host and pid, so a
run killed halfway leaves a batch that ``fail_abandoned_batches`` marks failed later.
"""

import hashlib
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from registry import policy
from registry.clock import utcnow
from registry.ingest import Deferred, Record, Refused, Rejected, Report, Run, load
from registry.models import ImportBatch
from registry.policy import Actor

MAX_ERRORS_STORED = 1000  # on the batch row; the report and --report file keep them all

ImportReport = Report  # what the pipeline returns: registry.ingest's report of a run

__all__ = ["Deferred", "ImportOptions", "ImportReport", "Reader", "Record", "RefusedFile",
           "Rejected", "Screen", "screened",
           "Source", "fail_abandoned_batches", "file_checksum", "run_import"]


class RefusedFile(Refused):
    """The whole file is refused: nothing from it is written."""


class _CountingReader:
    """Wraps a binary file and tells the progress callback how many bytes were read."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._progress and data:
            self._progress(len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._raw.readline(size)
        if self._progress and data:
            self._progress(len(data))
        return data

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> "_CountingReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Source:
    """A file to import: where it is, how to call it in messages, how big it is."""

    path: Path
    name: str = ""
    progress: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.name = self.name or self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def open(self) -> _CountingReader:
        return _CountingReader(self.path.open("rb"), self.progress)


@dataclass
class ImportOptions:
    body: str | None = None  # the source body, when the file does not say it
    licence: str | None = None  # the licence of definition texts, when the file does not say it
    # Glossary sheets: what the sheet's citation keys stand for, and the reviewed mapping of
    # its terms to concepts (importers.glossary_sheet).
    citations: Path | None = None
    concept_map: Path | None = None
    dry_run: bool = False
    origin: str = "cli"  # an AUDIT_PATHS value: cli, web, api, demo, review
    # Who imports: a User, or policy.OPERATOR at the command line. A real import (not a dry
    # run) needs the policy's "import.run" for it.
    actor: Actor | None = None
    max_bytes: int | None = None
    chunk_size: int = 1000
    progress: Callable[[int], None] | None = None


class Reader(Protocol):
    def __call__(self, source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
        ...


Screen = Callable[[str, dict], "str | None"]  # a raw record -> the reason to reject it, or None


def screened(reader: Reader, screen: Screen) -> Reader:
    """The reader, with the records ``screen`` refuses turned into rejections (the records of
    a file submitted for review must be the submitting body's own)."""

    def check(item: Record | Rejected) -> Record | Rejected:
        if isinstance(item, Record) and (reason := screen(item.kind, item.data)):
            return Rejected(item.location, reason)
        return item

    def read(source: Source, options: ImportOptions):
        for item in reader(source, options):
            if isinstance(item, Deferred):
                yield Deferred(item.kind, item.location, item.digest,
                               lambda item=item: check(item.map()))
            else:
                yield check(item)

    return read


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def run_import(sessions: sessionmaker[Session], fmt: str, reader: Reader, source: Source,
               options: ImportOptions) -> ImportReport:
    """Import one file. Never raises for bad input: the report says what happened."""
    if not options.dry_run:
        policy.require(options.actor, "import.run", options.body)
    report = ImportReport(filename=source.name, format=fmt, dry_run=options.dry_run)
    try:
        size = source.size
    except OSError as exc:
        report.refused = f"cannot read the file: {exc.strerror or exc}"
        return report
    if options.max_bytes is not None and size > options.max_bytes:
        report.refused = f"the file is {size:,} bytes; the limit is {options.max_bytes:,}"
        return report

    batch_id = None if options.dry_run else _open_batch(sessions, fmt, source, options)
    report.batch_id = batch_id
    session = sessions()
    try:
        _write_all(session, reader, source, options, report, batch_id)
        if options.dry_run:
            session.rollback()
        else:
            batch = session.get(ImportBatch, batch_id)
            _close_batch(batch, report, "committed")
            session.commit()
    except RefusedFile as exc:
        session.rollback()
        report.refused = str(exc)
        report.forget()
        if batch_id is not None:
            _forget_batch(sessions, batch_id)
            report.batch_id = None
    except BaseException as exc:
        session.rollback()
        if batch_id is not None:
            _fail_batch(sessions, batch_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        session.close()
    return report


def _write_all(session: Session, reader: Reader, source: Source, options: ImportOptions,
               report: ImportReport, batch_id: int | None) -> None:
    path = {"cli": "import"}.get(options.origin, options.origin)
    run = Run(session, path=path, batch_id=batch_id, actor_id=_actor_id(options))
    stream = load(run, reader(source, options), report, options.chunk_size)
    if stream.records == 0:
        if stream.unreadable:
            first = report.rejected[0]
            raise RefusedFile(f"no {_format_noun(report.format)} record could be read; "
                              f"first problem at {first['location']}: {first['reason']}")
        raise RefusedFile("the file holds no records")


def _actor_id(options: ImportOptions) -> int | None:
    return options.actor.id if options.actor is not None else None


def _format_noun(fmt: str) -> str:
    return fmt.replace("-", " ")


# -- batch bookkeeping, each in its own short transaction ------------------------------------

def _open_batch(sessions: sessionmaker[Session], fmt: str, source: Source,
                options: ImportOptions) -> int:
    with sessions() as session:
        batch = ImportBatch(
            format=fmt, filename=source.name[:500], checksum=file_checksum(source.path),
            origin=options.origin, status="running", body_code=options.body,
            licence=options.licence, user_id=_actor_id(options), host=socket.gethostname(),
            pid=os.getpid(), started_at=utcnow(),
        )
        session.add(batch)
        session.commit()
        return batch.id


def _close_batch(batch: ImportBatch, report: ImportReport, status: str) -> None:
    batch.status = status
    batch.created = report.created
    batch.updated = report.updated
    batch.unchanged = report.unchanged
    batch.rejected = len(report.rejected)
    batch.errors = report.rejected[:MAX_ERRORS_STORED]
    batch.finished_at = utcnow()


def _forget_batch(sessions: sessionmaker[Session], batch_id: int) -> None:
    """A refused file leaves no trace in the database, not even its batch."""
    with sessions() as session:
        session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        session.commit()


def _fail_batch(sessions: sessionmaker[Session], batch_id: int, message: str) -> None:
    with sessions() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is not None:
            batch.status = "failed"
            batch.message = message[:1000]
            batch.finished_at = utcnow()
            session.commit()


def fail_abandoned_batches(session: Session) -> int:
    """Mark failed the batches left ``running`` by a process of this host that no longer runs."""
    host = socket.gethostname()
    count = 0
    for batch in session.scalars(
        select(ImportBatch).where(ImportBatch.status == "running", ImportBatch.host == host)
    ):
        if batch.pid and not _process_alive(batch.pid):
            batch.status = "failed"
            batch.message = "the importing process stopped before it finished"
            batch.finished_at = utcnow()
            count += 1
    return count


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
