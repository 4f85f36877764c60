"""Bodies: standards-developing organisations and other sources, matched by code."""

from sqlalchemy import select

from registry.ingest.records import Entry, Outcome, duplicate
from registry.ingest.run import Run
from registry.ingest.writers.common import Row, upsert
from registry.models import Body

FIELDS = ("code", "name", "kind", "url", "country", "description")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    outcomes, rows = [], []
    for entry in entries:
        code = entry.data["code"]
        if first := run.first_seen("body", code, entry.location):
            outcomes.append(duplicate("body", code, entry.location, first))
            continue
        view = {f: entry.data.get(f) for f in FIELDS}
        rows.append(Row(code, entry.location, view, dict(view)))
    table = Body.__table__
    existing = {r.code: (r.id, {f: r._mapping[f] for f in FIELDS}) for r in run.session.execute(
        select(table).where(table.c.code.in_([r.key for r in rows])))} if rows else {}

    def written(body_id: int, row: Row, created: bool) -> None:
        run.bodies[row.key], run.body_codes[body_id] = body_id, row.key

    return outcomes + upsert(run, table, "body", rows, existing, written)
