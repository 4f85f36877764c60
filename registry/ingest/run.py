"""The shared context of one write: look-up caches, buffers, derived data, and the end of it.

Writers (``registry.ingest.writers``) add to the run's buffers as they go: audit rows, search
outbox entries, coverage deltas, concepts whose definitions changed. ``flush`` sends the
buffers to the database in bulk after each chunk, so memory stays flat however long the file;
``finish`` resolves what needed the whole run, recomputes divergence for the concepts touched,
applies the coverage deltas and moves ``catalogue_version`` when anything changed. A run never
commits: its caller owns the transaction.
"""

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.ingest import coverage, ids, version
from registry.ingest.bulk import insert_rows
from registry.ingest.records import RecordError, Warning
from registry.models import Area, Body, Committee, Revision, SearchOutbox, Standard
from registry.references import reference_key
from registry.search.outbox import DIRTY
from registry.services import divergence
from registry.services.audit import jsonable
from registry.services.bodies import KNOWN_BODIES


class Run:
    """One write of exchange records: an import, a demo load, an approval, a panel edit.

    ``path`` is the audit path (import, demo, review, web, api, cli); ``note`` is added to the
    summary of every audit row (who submitted and who approved); ``edit`` marks a person's
    edit, which sets exactly the fields it names (no merge rules).
    """

    def __init__(self, session: Session, *, path: str = "import", batch_id: int | None = None,
                 actor_id: int | None = None, note: str | None = None,
                 edit: bool = False) -> None:
        self.session = session
        self.path = path
        self.batch_id = batch_id
        self.actor_id = actor_id
        self.note = note
        self.edit = edit
        self.dialect = session.get_bind().dialect.name
        version.claim_writer(session)
        self.bodies: dict[str, int] = dict(session.execute(select(Body.code, Body.id)).all())
        self.body_codes: dict[int, str] = {v: k for k, v in self.bodies.items()}
        self.areas: dict[str, int] = dict(session.execute(select(Area.slug, Area.id)).all())
        self.area_slugs: dict[int, str] = {v: k for k, v in self.areas.items()}
        self.committees: dict[str, int] = dict(
            session.execute(select(Committee.reference, Committee.id)).all())
        self.committee_refs: dict[int, str] = {v: k for k, v in self.committees.items()}
        self.tree = coverage.Tree(session)
        self.coverage = coverage.Delta()
        # Keys written in this run, to report a second record with the same key.
        self.seen: dict[str, dict[str, str]] = {}
        self.seen_definitions: set[int] = set()
        self.merged_concepts: set[int] = set()  # concepts termbase entries of this run went to
        # A termbase slug that went to a concept of another slug (matched by its label, or
        # created as slug-2): definitions and relations naming it follow it there.
        self.concept_aliases: dict[str, int] = {}
        self.pending_relations: list[tuple[int, str, str, str]] = []
        # Standards a definition cites, by reference key (hits and misses: few distinct ones).
        self.cited: dict[str, tuple[int, Any] | None] = {}
        self.audit_rows: list[dict[str, Any]] = []
        self.outbox: dict[str, set[int]] = {}
        self.touched_concepts: set[int] = set()
        self.warnings: list[Warning] = []
        self.queued = 0  # search outbox rows written
        self.changed = False

    # -- look-ups ------------------------------------------------------------------------------

    def body_id(self, code: str) -> int:
        """The body's id; a body of ``KNOWN_BODIES`` is created on first use."""
        if code not in self.bodies:
            if code not in KNOWN_BODIES:
                raise RecordError(
                    f"unknown body '{code}': add it first, e.g. flask --app wsgi bodies add "
                    f"{code} --name \"...\" --kind national")
            name, kind, url = KNOWN_BODIES[code]
            [body_id] = ids.take(self.session, Body.__table__, 1)
            now = utcnow()
            self.session.execute(insert(Body.__table__), [{
                "id": body_id, "code": code, "name": name, "kind": kind, "url": url,
                "created_at": now, "updated_at": now}])
            self.audit("bodies", body_id, "create", after={"code": code, "name": name,
                                                           "kind": kind, "url": url},
                       summary="created on first use")
            self.bodies[code], self.body_codes[body_id] = body_id, code
        return self.bodies[code]

    def area_ids(self, slugs: list[str]) -> list[int]:
        missing = [s for s in slugs if s not in self.areas]
        if missing:
            raise RecordError(f"unknown area {', '.join(repr(s) for s in missing)}")
        return [self.areas[s] for s in slugs]

    def first_seen(self, kind: str, key: str, location: str) -> str | None:
        """The location of an earlier record with the same key in this run, if any."""
        seen = self.seen.setdefault(kind, {})
        if key in seen:
            return seen[key]
        seen[key] = location
        return None

    def cited_standard(self, reference: str) -> tuple[int, Any] | None:
        """(id, published) of the standard a definition cites, or None (a citation)."""
        key = reference_key(reference)
        if key not in self.cited:
            row = self.session.execute(select(Standard.id, Standard.published)
                                       .where(Standard.reference_key == key)).first()
            self.cited[key] = (row.id, row.published) if row else None
        return self.cited[key]

    def standards_created(self, created: dict[str, tuple[int, Any]]) -> None:
        """Standards this run created, for definitions that cite them later in the run."""
        for key in self.cited.keys() & created.keys():
            self.cited[key] = created[key]

    # -- buffers -------------------------------------------------------------------------------

    def audit(self, entity: str, entity_id: int, action: str, *, before: dict | None = None,
              after: dict | None = None, summary: str | None = None,
              checksum: str | None = None) -> None:
        if self.note:
            summary = f"{summary}; {self.note}" if summary else self.note
        self.audit_rows.append({
            "entity": entity, "entity_id": entity_id, "action": action,
            "before": jsonable(before), "after": jsonable(after),
            "summary": summary[:500] if summary else None, "checksum": checksum,
            "path": self.path, "batch_id": self.batch_id, "actor_id": self.actor_id,
        })
        self.changed = True

    def index(self, entity: str, entity_ids) -> None:
        """Queue these entries for the search index (in this transaction)."""
        self.outbox.setdefault(entity, set()).update(entity_ids)

    def warn(self, warnings: list[Warning]) -> None:
        self.warnings += warnings

    def flush(self) -> None:
        """Send the buffered rows to the database (after each chunk)."""
        now = utcnow()
        if self.audit_rows:
            for row in self.audit_rows:
                row["at"] = now
            insert_rows(self.session, Revision.__table__, self.audit_rows)
            self.audit_rows = []
        rows = [{"entity": entity, "entity_id": i, "op": "upsert", "created_at": now}
                for entity, entity_ids in self.outbox.items() for i in sorted(entity_ids)]
        if rows:
            insert_rows(self.session, SearchOutbox.__table__, rows)
            self.session.info[DIRTY] = True
            self.queued += len(rows)
            self.outbox = {}
        if self.touched_concepts:
            divergence.recompute(self.session, self.touched_concepts)
            self.touched_concepts = set()
            self.changed = True

    def finish(self) -> None:
        """The end of the write: derived data follows, in the same transaction."""
        self.flush()
        self.coverage.apply(self.session)
        if self.changed:
            version.bump(self.session)
            self.changed = False
