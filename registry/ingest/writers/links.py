"""Links between definitions: the one writer for imported link records and panel members' links.

The rules, whoever writes: both ends are current definitions, a definition is not linked to
itself, and a pair of definitions is linked once, whichever way round. An imported record names
its ends by natural key (body, source, clause, language, concept) and is idempotent: the same
link again is unchanged, a changed type, rationale or state updates it. A panel member's new
link (``Run(edit=True)``) names its ends by id, is always "proposed", carries its author, and
is refused when the pair is linked already.
"""

from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from registry.clock import utcnow
from registry.ingest import ids
from registry.ingest.records import Entry, Outcome, RecordError
from registry.ingest.run import Run
from registry.models import Concept, Definition, DefinitionLink
from registry.references import split_clause
from registry.text import checksum

FIELDS = ("source_id", "target_id", "type", "rationale", "state")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    ends = _resolve(run, entries)
    resolved: list[tuple[Entry, int, int]] = []
    for entry in entries:
        found = ends[id(entry)]
        if isinstance(found, str):
            outcomes.append(Outcome("rejected", "link", entry.data["type"], entry.location,
                                    found))
            continue
        source_id, target_id = found
        if source_id == target_id:
            outcomes.append(Outcome("rejected", "link", f"{source_id}->{target_id}",
                                    entry.location, "a definition cannot be linked to itself"))
            continue
        resolved.append((entry, source_id, target_id))
    if not resolved:
        return outcomes
    session = run.session
    table = DefinitionLink.__table__
    touched = {i for _, s, t in resolved for i in (s, t)}
    existing: dict[frozenset, Any] = {
        frozenset((r.source_id, r.target_id)): r for r in session.execute(
            select(table).where(or_(table.c.source_id.in_(touched),
                                    table.c.target_id.in_(touched))))}
    creates, updates = [], []
    for entry, source_id, target_id in resolved:
        data = entry.data
        key = f"{source_id}->{target_id}"
        view = {"source_id": source_id, "target_id": target_id, "type": data["type"],
                "rationale": data.get("rationale"), "state": data.get("state") or "proposed"}
        link = existing.get(frozenset((source_id, target_id)))
        if link is not None and (run.edit or link.source_id != source_id):
            way = "" if link.source_id == source_id else ", the other way round"
            outcomes.append(Outcome(
                "rejected", "link", key, entry.location,
                f"these definitions are already linked (link {link.id}, {link.type}, "
                f"{link.state}{way})"))
            continue
        if link is None:
            row = {**view, "author_id": run.actor_id if run.edit else None,
                   "batch_id": run.batch_id}
            existing[frozenset((source_id, target_id))] = _Pending(row)
            creates.append(row)
            outcomes.append(Outcome("created", "link", key, entry.location))
            continue
        old = {f: getattr(link, f) for f in FIELDS}
        changed = [f for f in FIELDS if old[f] != view[f]]
        if not changed:
            outcomes.append(Outcome("unchanged", "link", key, entry.location))
            continue
        updates.append({"_id": link.id, "type": view["type"], "rationale": view["rationale"],
                        "state": view["state"], "batch_id": link.batch_id or run.batch_id})
        run.audit("definition_links", link.id, "update", before={f: old[f] for f in changed},
                  after={f: view[f] for f in changed}, checksum=checksum(view))
        outcomes.append(Outcome("updated", "link", key, entry.location))
    if creates:
        now = utcnow()
        for i, row in zip(ids.take(session, table, len(creates)), creates, strict=True):
            row["id"], row["created_at"] = i, now
        session.execute(insert(table), creates)
        for row in creates:
            view = {f: row[f] for f in FIELDS}
            run.audit("definition_links", row["id"], "create", checksum=checksum(view),
                      after=view if run.edit else None)
    if updates:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("_id")).values(
                type=bindparam("type"), rationale=bindparam("rationale"),
                state=bindparam("state"), batch_id=bindparam("batch_id")), updates)
    return outcomes


class _Pending:
    """A link created earlier in this chunk (for the already-linked check of later records)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.id = "new"
        self.source_id, self.target_id = row["source_id"], row["target_id"]
        self.type, self.state = row["type"], row["state"]


def _resolve(run: Run, entries: list[Entry]) -> dict[int, tuple[int, int] | str]:
    """Each entry's (source id, target id), or the reason it cannot have them."""
    by_id = {i for e in entries for i in (e.data.get("source_id"), e.data.get("target_id"))
             if isinstance(i, int)}
    current = set(run.session.scalars(select(Definition.id).where(
        Definition.id.in_(by_id), Definition.status == "current"))) if by_id else set()
    keyed = [e for e in entries if "source_id" not in e.data]
    candidates = _candidates(run, [k for e in keyed for k in (e.data["source"],
                                                              e.data["target"])])
    result: dict[int, tuple[int, int] | str] = {}
    for entry in entries:
        data = entry.data
        try:
            if "source_id" in data:
                pair = (data["source_id"], data["target_id"])
                if any(i not in current for i in pair):
                    raise RecordError("both definitions must exist and be current")
                result[id(entry)] = pair
            else:
                result[id(entry)] = (_match(run, candidates, data["source"]),
                                     _match(run, candidates, data["target"]))
        except RecordError as exc:
            result[id(entry)] = str(exc)
    return result


def _source(run: Run, key: dict) -> tuple[str, str | None, tuple[int, Any] | None]:
    ref, clause_in_source = split_clause(key["source"])
    return ref, key.get("clause") or clause_in_source, run.cited_standard(ref)


def _candidates(run: Run, keys: list[dict]) -> list[Any]:
    """The current definitions any of these keys could name, in one statement."""
    if not keys:
        return []
    standard_ids, citations, body_ids = set(), set(), set()
    for key in keys:
        ref, _, standard = _source(run, key)
        if standard:
            standard_ids.add(standard[0])
        else:
            citations.add(ref)
        if key["body"] in run.bodies:
            body_ids.add(run.bodies[key["body"]])
    return list(run.session.execute(
        select(Definition.id, Definition.body_id, Definition.language, Definition.standard_id,
               Definition.citation, Definition.clause, Definition.concept_id, Concept.slug)
        .join(Concept, Concept.id == Definition.concept_id)
        .where(Definition.status == "current", Definition.body_id.in_(body_ids),
               or_(Definition.standard_id.in_(standard_ids),
                   Definition.citation.in_(citations)))
        .order_by(Definition.id)))


def _match(run: Run, candidates: list[Any], key: dict) -> int:
    ref, clause, standard = _source(run, key)
    body_id = run.bodies.get(key["body"])
    concept = key.get("concept")
    alias = run.concept_aliases.get(concept) if concept else None
    found = [c.id for c in candidates
             if c.body_id == body_id and c.language == key["language"]
             and (c.standard_id == standard[0] if standard else c.citation == ref)
             and c.clause == clause
             and (not concept or (c.concept_id == alias if alias else c.slug == concept))]
    label = f"{key['body']} {key['source']}{' ' + clause if clause else ''}"
    if not found:
        raise RecordError(f"no current definition matches {label} ({key['language']})")
    if len(found) > 1:
        raise RecordError(f"several definitions match {label}: name the concept")
    return found[0]
