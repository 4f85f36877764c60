"""What the writers of the small kinds (bodies, committees, areas) share: compare, then write
the new rows and the changed ones in one statement each."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, update

from registry.clock import utcnow
from registry.ingest import ids
from registry.ingest.records import Outcome
from registry.ingest.run import Run
from registry.text import checksum


@dataclass(slots=True)
class Row:
    key: str
    location: str
    view: dict[str, Any]  # the record's fields, as the audit trail shows them
    columns: dict[str, Any]  # what goes into the table


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f for f in new if old.get(f) != new[f]]


def upsert(run: Run, table: Table, kind: str, rows: list[Row],
           existing: dict[str, tuple[int, dict[str, Any]]],
           written: Callable[[int, Row, bool], None] | None = None,
           new_ids: dict[str, int] | None = None) -> list[Outcome]:
    """Insert the rows whose key is new, update those whose view changed; ``written`` is told
    of each row written (its id, the row, whether it was created). ``new_ids``: ids already
    taken for new keys (rows of the same chunk refer to them)."""
    now = utcnow()
    outcomes, creates, updates = [], [], []
    for row in rows:
        found = existing.get(row.key)
        if found is None:
            creates.append(row)
            outcomes.append(Outcome("created", kind, row.key, row.location))
            continue
        row_id, old = found
        changed = changed_fields(old, row.view)
        if not changed:
            outcomes.append(Outcome("unchanged", kind, row.key, row.location))
            continue
        updates.append({**row.columns, "_id": row_id, "updated_at": now})
        run.audit(table.name, row_id, "update", before={f: old.get(f) for f in changed},
                  after={f: row.view[f] for f in changed}, checksum=checksum(row.view))
        if written:
            written(row_id, row, False)
        outcomes.append(Outcome("updated", kind, row.key, row.location))
    if creates:
        taken = [new_ids[r.key] for r in creates] if new_ids \
            else ids.take(run.session, table, len(creates))
        run.session.execute(insert(table), [
            {**row.columns, "id": i, "created_at": now, "updated_at": now}
            for i, row in zip(taken, creates, strict=True)])
        for i, row in zip(taken, creates, strict=True):
            run.audit(table.name, i, "create", checksum=checksum(row.view))
            if written:
                written(i, row, True)
    if updates:
        values = {c: bindparam(c) for c in updates[0] if c != "_id"}
        run.session.connection().execute(
            update(table).where(table.c.id == bindparam("_id")).values(values), updates)
    return outcomes
