"""Committees (ISO/IEC JTC 1/SC 42, ITU-T SG13...), matched by reference, with their bodies.

A committee named as a parent (or by a standard) before it has a record of its own is created
bare, with the bodies of the record that named it; its own record fills it in later.
"""

from sqlalchemy import delete, insert, select

from registry.clock import utcnow
from registry.ingest import ids
from registry.ingest.records import Entry, Outcome, RecordError, duplicate
from registry.ingest.run import Run
from registry.ingest.writers.common import Row, upsert
from registry.models import Body, Committee, committee_bodies

FIELDS = ("reference", "title", "bodies", "parent", "url", "source_id")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    table = Committee.__table__
    found = {r.reference: r for r in run.session.execute(select(table).where(
        table.c.reference.in_([e.data["reference"] for e in entries])))}
    fresh = list(dict.fromkeys(e.data["reference"] for e in entries
                               if e.data["reference"] not in found))
    # Ids first: a committee later in the chunk may name one earlier in it as its parent.
    new_ids = dict(zip(fresh, ids.take(run.session, table, len(fresh)), strict=True))
    parents = {e.data["parent"]: e.data["bodies"] for e in entries if e.data.get("parent")
               and e.data["parent"] not in run.committees and e.data["parent"] not in new_ids}
    outcomes, rows = [], []
    for entry in entries:
        data, ref = entry.data, entry.data["reference"]
        if first := run.first_seen("committee", ref, entry.location):
            outcomes.append(duplicate("committee", ref, entry.location, first))
            continue
        try:
            for code in data["bodies"]:
                run.body_id(code)
        except RecordError as exc:
            outcomes.append(Outcome("rejected", "committee", ref, entry.location, str(exc)))
            continue
        view = {f: data.get(f) for f in FIELDS}
        rows.append(Row(ref, entry.location, view, {
            "reference": ref, "title": view["title"], "url": view["url"],
            "source_id": view["source_id"], "parent": data.get("parent")}))
    create_bare(run, parents, "created as the parent of a committee")
    rows.sort(key=lambda row: _depth(row, {r.key: r for r in rows}))  # parents first
    for row in rows:
        parent = row.columns.pop("parent")
        row.columns["parent_id"] = (run.committees.get(parent) or new_ids[parent]) \
            if parent else None
    codes: dict[int, list[str]] = {}
    for committee_id, code in run.session.execute(
            select(committee_bodies.c.committee_id, Body.code)
            .join(Body, Body.id == committee_bodies.c.body_id)
            .where(committee_bodies.c.committee_id.in_([r.id for r in found.values()]))
            .order_by(Body.code)):
        codes.setdefault(committee_id, []).append(code)
    existing = {ref: (r.id, {"reference": r.reference, "title": r.title,
                             "bodies": codes.get(r.id, []),
                             "parent": run.committee_refs.get(r.parent_id), "url": r.url,
                             "source_id": r.source_id}) for ref, r in found.items()}
    body_rows: list[tuple[int, list[str]]] = []

    def written(committee_id: int, row: Row, created: bool) -> None:
        run.committees[row.key], run.committee_refs[committee_id] = committee_id, row.key
        if created or existing[row.key][1]["bodies"] != row.view["bodies"]:
            body_rows.append((committee_id, row.view["bodies"]))

    outcomes += upsert(run, table, "committee", rows, existing, written,
                       {k: v for k, v in new_ids.items() if k in {r.key for r in rows}})
    if body_rows:
        run.session.execute(delete(committee_bodies).where(
            committee_bodies.c.committee_id.in_([i for i, _ in body_rows])))
        links = [{"committee_id": i, "body_id": run.bodies[c]} for i, cs in body_rows for c in cs]
        if links:
            run.session.execute(insert(committee_bodies), links)
    return outcomes


def _depth(row: Row, in_chunk: dict[str, Row]) -> int:
    depth, seen = 0, {row.key}
    while (parent := row.columns.get("parent")) in in_chunk and parent not in seen:
        seen.add(parent)
        row, depth = in_chunk[parent], depth + 1
    return depth


def create_bare(run: Run, wanted: dict[str, list[str]], summary: str) -> None:
    """Committees known only by reference (and the bodies of whoever named them)."""
    if not wanted:
        return
    table = Committee.__table__
    new_ids = ids.take(run.session, table, len(wanted))
    now = utcnow()
    run.session.execute(insert(table), [
        {"id": i, "reference": ref, "created_at": now, "updated_at": now}
        for i, ref in zip(new_ids, wanted, strict=True)])
    links = [{"committee_id": i, "body_id": run.body_id(code)}
             for i, codes in zip(new_ids, wanted.values(), strict=True)
             for code in sorted(set(codes))]
    if links:
        run.session.execute(insert(committee_bodies), links)
    for i, (ref, codes) in zip(new_ids, wanted.items(), strict=True):
        run.committees[ref], run.committee_refs[i] = i, ref
        run.audit("committees", i, "create", summary=summary,
                  after={"reference": ref, "bodies": sorted(set(codes))})
