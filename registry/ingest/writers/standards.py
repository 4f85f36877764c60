"""Standards, in bulk: one SELECT per chunk finds the existing ones, new rows go out with ids
taken up front, changed rows in one ``executemany`` UPDATE, merged by ``registry.ingest.merge``.

A standard is matched by its reference key. A record whose checksum equals the stored one is
unchanged without being compared field by field; a changed one is merged over what is stored
(source-owned fields from the record, registry-owned ones kept unless named), and only the
fields that moved go into its audit row.
"""

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.ingest import coverage, ids
from registry.ingest.merge import STANDARD_RULES, merge_standard
from registry.ingest.records import Entry, Outcome, RecordError, duplicate
from registry.ingest.run import Run
from registry.ingest.writers import committees
from registry.models import (
    Area,
    Body,
    Standard,
    StandardRelation,
    standard_areas,
    standard_bodies,
)
from registry.references import reference_key
from registry.text import checksum

FIELDS = (*STANDARD_RULES, "published_precision")
# The registry-owned fields a record may leave out: whether it named them is part of its
# checksum (leaving out "areas" and naming no areas are not the same write).
_OPTIONAL = tuple(f for f, rule in STANDARD_RULES.items() if rule == "registry")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    prepared: list[tuple[Entry, str]] = []
    for entry in entries:
        data = entry.data
        key = reference_key(data["reference"])
        if first := run.first_seen("standard", key, entry.location):
            outcomes.append(duplicate("standard", data["reference"], entry.location, first))
            continue
        try:
            for code in data["bodies"]:
                run.body_id(code)
            run.area_ids(data["areas"])
        except RecordError as exc:
            outcomes.append(Outcome("rejected", "standard", data["reference"], entry.location,
                                    str(exc)))
            continue
        prepared.append((entry, key))
    if not prepared:
        return outcomes
    _create_committees(run, prepared)

    existing = {row.reference_key: row for row in run.session.execute(
        select(Standard.id, Standard.reference_key, Standard.checksum, Standard.source_checksum)
        .where(Standard.reference_key.in_([key for _, key in prepared])))}
    creates, candidates, quiet = [], [], []
    for entry, key in prepared:
        digest = None if run.edit else _checksum(entry)
        row = existing.get(key)
        if row is None:
            if run.edit:
                outcomes.append(Outcome("rejected", "standard", entry.data["reference"],
                                        entry.location, "there is no such standard to edit"))
            else:
                creates.append((entry, key, digest))
        elif digest is not None and row.checksum == digest:
            outcomes.append(Outcome("unchanged", "standard", entry.data["reference"],
                                    entry.location))
            if entry.digest and entry.digest != row.source_checksum:
                quiet.append({"_id": row.id, "checksum": digest,
                              "source_checksum": entry.digest})
        else:
            candidates.append((entry, key, digest, row.id))
    outcomes += _create(run, creates)
    outcomes += _update(run, candidates, quiet)
    return outcomes


def _checksum(entry: Entry) -> str:
    return checksum({**entry.data, "named": sorted(entry.named.intersection(_OPTIONAL))})


def _view(data: dict[str, Any]) -> dict[str, Any]:
    """A record in the shape merge rules and audit rows compare (every field present)."""
    view = {f: data.get(f) for f in FIELDS}
    if view["published_precision"] == "day":
        view["published_precision"] = None  # stored as null: the default
    return view


def _committee_id(run: Run, view: dict[str, Any]) -> int | None:
    return run.committees[view["committee"]] if view.get("committee") else None


def _create_committees(run: Run, prepared: list[tuple[Entry, str]]) -> None:
    """Committees named by standards but not yet known, created with those standards' bodies."""
    wanted: dict[str, list[str]] = {}
    for entry, _ in prepared:
        reference = entry.data.get("committee")
        if reference and reference not in run.committees:
            wanted.setdefault(reference, entry.data["bodies"])
    committees.create_bare(run, wanted, "created for a standard that names it")


def _columns(run: Run, view: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "reference": view["reference"],
        "reference_key": key,
        "title": view["title"],
        "doc_type": view["type"],
        "status": view["status"],
        "stage_code": view["stage"],
        "published": view["published"],
        "published_precision": view["published_precision"],
        "edition": view["edition"],
        "committee_id": _committee_id(run, view),
        "scope": view["scope"],
        "url": view["url"],
        "ics": view["ics"] or [],
        "languages": view["languages"] or [],
        "keywords": view["keywords"] or [],
        "measurement_evaluation": bool(view["measurement_evaluation"]),
        "socio_technical": bool(view["socio_technical"]),
        "human_rights_considered": bool(view["human_rights_considered"]),
        "text_licence": view["text_licence"],
        "source_id": view["source_id"],
        "extra": {k: view[k] for k in ("titles", "scopes") if view.get(k)},
        "body_set": _body_set(run, view),
    }


def _body_set(run: Run, view: dict[str, Any]) -> str:
    return coverage.body_set(run.bodies[c] for c in view["bodies"])


def _facts(run: Run, view: dict[str, Any], columns: dict | None = None) -> coverage.Facts:
    return coverage.Facts(
        frozenset(run.areas[s] for s in view["areas"] or []),
        columns["body_set"] if columns else _body_set(run, view),
        view["status"], view["type"], bool(view["measurement_evaluation"]), view["published"])


def _create(run: Run, creates: list[tuple[Entry, str, str | None]]) -> list[Outcome]:
    if not creates:
        return []
    session = run.session
    new_ids = ids.take(session, Standard.__table__, len(creates))
    now = utcnow()
    rows, body_rows, area_rows, relations = [], [], [], []
    created: dict[str, tuple[int, Any]] = {}
    for std_id, (entry, key, digest) in zip(new_ids, creates, strict=True):
        view = _view(entry.data)
        columns = _columns(run, view, key)
        rows.append({**columns, "id": std_id, "checksum": digest,
                     "source_checksum": entry.digest, "batch_id": run.batch_id,
                     "created_batch_id": run.batch_id, "created_at": now, "updated_at": now})
        body_rows += [{"standard_id": std_id, "body_id": run.bodies[c]} for c in view["bodies"]]
        area_rows += [{"standard_id": std_id, "area_id": run.areas[s]} for s in view["areas"]]
        relations.append((std_id, view["relations"] or []))
        created[key] = (std_id, view["published"])
        run.coverage.count(_facts(run, view, columns), run.tree, +1)
        run.audit("standards", std_id, "create", checksum=digest)
    session.execute(insert(Standard.__table__), rows)
    session.execute(insert(standard_bodies), body_rows)
    if area_rows:
        session.execute(insert(standard_areas), area_rows)
    _insert_relations(session, relations)
    _resolve_waiting(session, created)
    run.standards_created(created)
    run.index("standard", new_ids)
    return [Outcome("created", "standard", e.data["reference"], e.location)
            for e, _, _ in creates]


def _insert_relations(session: Session, relations: list[tuple[int, list[dict]]]) -> None:
    rows = {}
    for std_id, items in relations:
        for rel in items:
            rows[(std_id, rel["type"], rel["reference"])] = {
                "standard_id": std_id, "type": rel["type"], "target_reference": rel["reference"],
                "target_key": reference_key(rel["reference"])}
    if not rows:
        return
    targets = dict(session.execute(
        select(Standard.reference_key, Standard.id)
        .where(Standard.reference_key.in_({r["target_key"] for r in rows.values()}))).all())
    session.execute(insert(StandardRelation.__table__), [
        {**r, "target_id": targets.get(r["target_key"])} for r in rows.values()])


def _resolve_waiting(session: Session, created: dict[str, tuple[int, Any]]) -> None:
    """Relations recorded before their target arrived now point at it."""
    table = StandardRelation.__table__
    waiting = set(session.scalars(
        select(table.c.target_key).where(table.c.target_id.is_(None),
                                         table.c.target_key.in_(list(created)))))
    if waiting:
        session.connection().execute(
            update(table).where(table.c.target_key == bindparam("key"),
                                table.c.target_id.is_(None))
            .values(target_id=bindparam("target")),
            [{"key": k, "target": created[k][0]} for k in waiting])


def stored_views(run: Run, standard_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The standards as exchange records (``_view`` shape), read in four statements."""
    session = run.session
    views: dict[int, dict[str, Any]] = {}
    t = Standard.__table__
    for row in session.execute(select(t).where(t.c.id.in_(standard_ids))):
        extra = row.extra or {}
        views[row.id] = {
            "reference": row.reference, "title": row.title, "titles": extra.get("titles") or {},
            "bodies": [], "type": row.doc_type, "status": row.status, "stage": row.stage_code,
            "published": row.published, "published_precision": row.published_precision,
            "edition": row.edition, "scope": row.scope, "scopes": extra.get("scopes") or {},
            "url": row.url, "ics": list(row.ics or []), "languages": list(row.languages or []),
            "keywords": list(row.keywords or []), "text_licence": row.text_licence,
            "source_id": row.source_id, "committee": run.committee_refs.get(row.committee_id),
            "relations": [], "areas": [],
            "measurement_evaluation": row.measurement_evaluation,
            "socio_technical": row.socio_technical,
            "human_rights_considered": row.human_rights_considered,
            "checksum": row.checksum, "source_checksum": row.source_checksum,
        }
    for std_id, code in session.execute(
            select(standard_bodies.c.standard_id, Body.code)
            .join(Body, Body.id == standard_bodies.c.body_id)
            .where(standard_bodies.c.standard_id.in_(standard_ids)).order_by(Body.code)):
        views[std_id]["bodies"].append(code)
    for std_id, slug in session.execute(
            select(standard_areas.c.standard_id, Area.slug)
            .join(Area, Area.id == standard_areas.c.area_id)
            .where(standard_areas.c.standard_id.in_(standard_ids)).order_by(Area.slug)):
        views[std_id]["areas"].append(slug)
    for std_id, type_, target in session.execute(
            select(StandardRelation.standard_id, StandardRelation.type,
                   StandardRelation.target_reference)
            .where(StandardRelation.standard_id.in_(standard_ids))
            .order_by(StandardRelation.id)):
        views[std_id]["relations"].append({"type": type_, "reference": target})
    return views


def _update(run: Run, candidates: list[tuple[Entry, str, str | None, int]],
            quiet: list[dict]) -> list[Outcome]:
    session = run.session
    table = Standard.__table__
    outcomes: list[Outcome] = []
    stored = stored_views(run, [c[3] for c in candidates]) if candidates else {}
    now = utcnow()
    updates, changed_links = [], {"bodies": [], "areas": [], "relations": []}
    for entry, key, digest, std_id in candidates:
        old = stored[std_id]
        merged, warnings = merge_standard(old, _view(entry.data), entry.named, edit=run.edit,
                                          location=entry.location)
        run.warn(warnings)
        changed = [f for f in FIELDS if merged[f] != old[f]]
        if not changed:
            outcomes.append(Outcome("unchanged", "standard", entry.data["reference"],
                                    entry.location))
            if digest != old["checksum"] or entry.digest != old["source_checksum"]:
                quiet.append({"_id": std_id, "checksum": digest,
                              "source_checksum": entry.digest})
            continue
        updates.append({**_columns(run, merged, key), "_id": std_id, "checksum": digest,
                        "source_checksum": entry.digest, "batch_id": run.batch_id,
                        "updated_at": now})
        for link in changed_links:
            if link in changed:
                changed_links[link].append((std_id, merged[link] or []))
        run.coverage.move(_facts(run, old), _facts(run, merged), run.tree)
        shown = [f for f in changed if f != "published_precision"] or ["published"]
        run.audit("standards", std_id, "update", before={f: old[f] for f in shown},
                  after={f: merged[f] for f in shown}, checksum=digest)
        outcomes.append(Outcome("updated", "standard", entry.data["reference"], entry.location))
    if updates:
        columns = {c: bindparam(c) for c in updates[0] if c != "_id"}
        session.connection().execute(
            update(table).where(table.c.id == bindparam("_id")).values(columns), updates)
        _replace_links(run, changed_links)
        run.index("standard", [u["_id"] for u in updates])
    if quiet:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("_id"))
            .values(checksum=bindparam("checksum"), source_checksum=bindparam("source_checksum")),
            quiet)
    return outcomes


def _replace_links(run: Run, changed: dict[str, list[tuple[int, list]]]) -> None:
    session = run.session
    if changed["bodies"]:
        session.execute(delete(standard_bodies).where(
            standard_bodies.c.standard_id.in_([i for i, _ in changed["bodies"]])))
        session.execute(insert(standard_bodies), [
            {"standard_id": i, "body_id": run.bodies[c]} for i, codes in changed["bodies"]
            for c in codes])
    if changed["areas"]:
        session.execute(delete(standard_areas).where(
            standard_areas.c.standard_id.in_([i for i, _ in changed["areas"]])))
        rows = [{"standard_id": i, "area_id": run.areas[s]} for i, slugs in changed["areas"]
                for s in slugs]
        if rows:
            session.execute(insert(standard_areas), rows)
    if changed["relations"]:
        session.execute(delete(StandardRelation).where(
            StandardRelation.standard_id.in_([i for i, _ in changed["relations"]])))
        _insert_relations(session, changed["relations"])
