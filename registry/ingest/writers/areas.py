"""Areas of the gap taxonomy, matched by slug; a parent must come before its children."""

from sqlalchemy import select

from registry.ingest import coverage, ids
from registry.ingest.records import Entry, Outcome, duplicate
from registry.ingest.run import Run
from registry.ingest.writers.common import Row, upsert
from registry.models import Area

FIELDS = ("slug", "title", "kind", "description", "source", "parent", "position")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    table = Area.__table__
    found = {r.slug: r for r in run.session.execute(
        select(table).where(table.c.slug.in_([e.data["slug"] for e in entries])))}
    existing = {slug: (r.id, {"slug": r.slug, "title": r.title, "kind": r.kind,
                              "description": r.description, "source": r.source,
                              "parent": run.area_slugs.get(r.parent_id),
                              "position": r.position}) for slug, r in found.items()}
    fresh = list(dict.fromkeys(e.data["slug"] for e in entries if e.data["slug"] not in found
                               and e.data["slug"] not in run.areas))
    # Ids first, so a child later in the chunk can name a parent created earlier in it.
    new_ids = dict(zip(fresh, ids.take(run.session, table, len(fresh)), strict=True))
    known = set(run.areas)
    outcomes, rows, moved = [], [], False
    for entry in entries:
        data, slug = entry.data, entry.data["slug"]
        if first := run.first_seen("area", slug, entry.location):
            outcomes.append(duplicate("area", slug, entry.location, first))
            continue
        parent = data.get("parent")
        if parent and parent not in known:
            outcomes.append(Outcome("rejected", "area", slug, entry.location,
                                    f"unknown parent area '{parent}' (list parents first)"))
            continue
        known.add(slug)
        view = {f: data.get(f) for f in FIELDS}
        columns = {f: view[f] for f in FIELDS if f != "parent"}
        columns["parent_id"] = (run.areas.get(parent) or new_ids[parent]) if parent else None
        rows.append(Row(slug, entry.location, view, columns))
        moved = moved or (slug in existing and existing[slug][1]["parent"] != parent)

    def written(area_id: int, row: Row, created: bool) -> None:
        run.areas[row.key], run.area_slugs[area_id] = area_id, row.key

    outcomes += upsert(run, table, "area", rows, existing, written,
                       {k: v for k, v in new_ids.items() if k in {r.key for r in rows}})
    if moved:
        run.coverage.rebuild = True  # what every area covers changed: count it again
    run.tree = coverage.Tree(run.session)
    return outcomes
