"""A stream of records into the registry: validate once, write in chunks, report.

Whatever brought the records (a file's reader, the demo loader, an approved submission), they
go through ``load``: each record is validated by its kind's compiled schema, chunks of them go
to the writers in dependency order (bodies before the standards that name them), and every
outcome, warning and rejection lands in the ``Report``. A record carrying the digest of its raw
source that the registry last wrote an entry from is unchanged at once.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.ingest import writers
from registry.ingest.records import Deferred, Entry, Outcome, Record, Rejected, named_fields
from registry.ingest.run import Run
from registry.models import Standard
from registry.schemas.compiled import compile_schema
from registry.schemas.records import KIND_ORDER, RECORD_SCHEMAS, error_text

MAX_CHANGES_LISTED = 1000  # in a report's list of changes (a dry run's preview)


@dataclass
class Report:
    """What one run did: counts, the changes (capped), every rejection and warning."""

    filename: str
    format: str
    dry_run: bool = False
    batch_id: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    refused: str | None = None
    changes: list[dict[str, str]] = field(default_factory=list)
    queued: int = 0  # search index entries queued by this run

    @property
    def exit_code(self) -> int:
        if self.refused:
            return 2
        return 1 if self.rejected else 0

    def count(self, outcome: Outcome) -> None:
        if outcome.action == "rejected":
            self.rejected.append({"location": outcome.location, "reason": outcome.reason or ""})
            return
        setattr(self, outcome.action, getattr(self, outcome.action) + 1)
        if outcome.action != "unchanged" and len(self.changes) < MAX_CHANGES_LISTED:
            self.changes.append({"action": outcome.action, "kind": outcome.kind,
                                 "key": outcome.key, "location": outcome.location})

    def summary(self) -> str:
        if self.refused:
            return f"{self.filename}: refused: {self.refused}"
        prefix = "dry run, would have: " if self.dry_run else ""
        warned = f", warnings {len(self.warnings)}" if self.warnings else ""
        return (f"{self.filename}: {prefix}created {self.created}, updated {self.updated}, "
                f"unchanged {self.unchanged}, rejected {len(self.rejected)}{warned}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "format": self.format,
            "dry_run": self.dry_run,
            "batch": self.batch_id,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "refused": self.refused,
            "changes": self.changes,
        }

    def forget(self) -> None:
        """A refused file: nothing it said counts."""
        self.created = self.updated = self.unchanged = 0
        self.rejected, self.changes, self.warnings = [], [], []


@functools.cache
def validator(kind: str) -> Callable[[Any], dict[str, Any]] | None:
    """The compiled schema of a record kind (built once: building costs more than loading)."""
    cls = RECORD_SCHEMAS.get(kind)
    return compile_schema(cls()) if cls else None


def validate(kind: str, raw: Any) -> dict[str, Any]:
    """The validated record; raises ValidationError (marshmallow's messages) or KeyError."""
    load = validator(kind)
    if load is None:
        raise KeyError(kind)
    return load(raw)


@dataclass
class Stream:
    """How many records a stream held, and how many of its items were unreadable."""

    records: int = 0
    unreadable: int = 0


def load(run: Run, items: Iterable[Record | Deferred | Rejected], report: Report,
         chunk_size: int = 1000) -> Stream:
    """Validate and write every record of ``items``; never commits."""
    stream = Stream()
    chunk: list[Record | Deferred] = []
    for item in items:
        if isinstance(item, Rejected):
            stream.unreadable += 1
            report.rejected.append({"location": item.location, "reason": item.reason})
            continue
        stream.records += 1
        chunk.append(item)
        if len(chunk) >= chunk_size:
            write_chunk(run, chunk, report)
            chunk = []
    write_chunk(run, chunk, report)
    for outcome in writers.finish(run):
        report.count(outcome)
    report.warnings += [w.as_dict() for w in run.warnings]
    run.warnings = []
    report.queued = run.queued
    return stream


def write_chunk(run: Run, chunk: list[Record | Deferred], report: Report) -> None:
    if not chunk:
        return
    records = _skip_unchanged(run, chunk, report)
    by_kind: dict[str, list[Entry]] = {}
    for record in records:
        try:
            data = validate(record.kind, record.data)
        except KeyError:
            report.rejected.append({"location": record.location,
                                    "reason": f"unknown record kind '{record.kind}'"})
            continue
        except ValidationError as exc:
            report.rejected.append({"location": record.location,
                                    "reason": error_text(exc.messages)})
            continue
        by_kind.setdefault(record.kind, []).append(
            Entry(data, record.location, named_fields(record.data), record.digest))
    for kind in KIND_ORDER:
        if kind in by_kind:
            for outcome in writers.WRITERS[kind](run, by_kind[kind]):
                report.count(outcome)
    run.flush()


def _skip_unchanged(run: Run, chunk: list[Record | Deferred], report: Report) -> list[Record]:
    """Records whose raw source the registry last wrote an entry from are unchanged at once,
    unmapped and unvalidated; the others are mapped (``Deferred``) and returned."""
    digests = {r.digest for r in chunk if r.digest and r.kind == "standard"}
    known = set(run.session.scalars(select(Standard.source_checksum)
                                    .where(Standard.source_checksum.in_(digests)))) \
        if digests else set()
    records = []
    for item in chunk:
        if item.digest in known and not run.first_seen("digest", item.digest, item.location):
            report.count(Outcome("unchanged", item.kind, item.digest, item.location))
            continue
        if isinstance(item, Deferred):
            mapped = item.map()
            if isinstance(mapped, Rejected):
                report.rejected.append({"location": mapped.location, "reason": mapped.reason})
                continue
            item = Record(mapped.kind, mapped.data, mapped.location, item.digest)
        records.append(item)
    return records
