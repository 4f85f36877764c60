"""Definitions, in bulk and never edited in place: a changed text is a new revision.

All revisions of one body's definition of one concept in one source work (same clause and
language) share a ``lineage``; the current one is superseded when a changed record arrives.
A chunk's concepts and cited standards are found in one statement each; concepts a definition
needs but that do not exist yet are created together.
"""

from hashlib import sha1
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from registry.clock import today, utcnow
from registry.ingest import ids
from registry.ingest.records import Entry, Outcome, RecordError
from registry.ingest.run import Run
from registry.ingest.writers.common import changed_fields
from registry.ingest.writers.concepts import new_concepts, unique_slugs
from registry.models import Concept, ConceptLabel, Definition
from registry.references import split_clause, work_key
from registry.schemas.records import preferred_term
from registry.text import checksum, slugify, term_key

# The record's fields an audit row compares (a revision's "before" and "after").
AUDITED = ("designations", "text", "excerpt", "notes", "examples", "date", "licence", "url",
           "nature")


def definition_lineage(body: str, source_ref: str, clause: str | None, language: str,
                       concept_id: int) -> str:
    """Revisions of one body's definition of one concept in one source work share a lineage."""
    natural = f"{body}|{work_key(source_ref)}|{clause or ''}|{language}|{concept_id}"
    return sha1(natural.encode()).hexdigest()


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    concepts = _concepts(run, entries)
    prepared = []
    for entry in entries:
        data = entry.data
        term = preferred_term(data)
        try:
            body_id = run.body_id(data["body"])
        except RecordError as exc:
            outcomes.append(Outcome("rejected", "definition", term, entry.location, str(exc)))
            continue
        concept_id = concepts[id(entry)]
        ref, clause_in_source = split_clause(data["source"])
        clause = data.get("clause") or clause_in_source
        standard = run.cited_standard(ref)
        lineage = definition_lineage(data["body"], ref, clause, data["language"], concept_id)
        seen = int(lineage[:15], 16)
        if seen in run.seen_definitions:
            outcomes.append(Outcome(
                "rejected", "definition", term, entry.location,
                "duplicate: an earlier record in this file has the same body, source, "
                "clause, language and concept"))
            continue
        run.seen_definitions.add(seen)
        columns = {
            "concept_id": concept_id,
            "body_id": body_id,
            "standard_id": standard[0] if standard else None,
            "citation": None if standard else ref,
            "clause": clause,
            "language": data["language"],
            "term": term,
            "term_key": term_key(term),
            "designations": data["designations"],
            "text": data["text"],
            "is_excerpt": data["excerpt"],
            "notes": data["notes"],
            "examples": data["examples"],
            "source_url": data.get("url"),
            "licence": data["licence"],
            "nature": data.get("nature"),
            "valid_from": data.get("date") or (standard[1] if standard else None),
        }
        prepared.append((entry, lineage, checksum(columns), columns))
    if not prepared:
        return outcomes

    session = run.session
    current = {row.lineage: row for row in session.execute(
        select(Definition.id, Definition.lineage, Definition.checksum, Definition.revision)
        .where(Definition.lineage.in_([p[1] for p in prepared]),
               Definition.status == "current"))}
    now = utcnow()
    new_rows, superseded, audits = [], [], []
    for entry, lineage, digest, columns in prepared:
        old = current.get(lineage)
        term = columns["term"]
        if old is not None and old.checksum == digest:
            outcomes.append(Outcome("unchanged", "definition", term, entry.location))
            continue
        new_rows.append({**columns, "lineage": lineage,
                         "revision": old.revision + 1 if old else 1,
                         "supersedes_id": old.id if old else None, "status": "current",
                         "valid_to": None, "recorded_at": now, "checksum": digest,
                         "batch_id": run.batch_id})
        if old is not None:
            superseded.append({"old_id": old.id, "valid_to": columns["valid_from"] or today()})
        audits.append((old, columns, digest))
        run.touched_concepts.add(columns["concept_id"])
        outcomes.append(Outcome("updated" if old else "created", "definition", term,
                                entry.location))
    if not new_rows:
        return outcomes
    previous = _records(session, [old.id for old, _, _ in audits if old is not None])
    if superseded:
        table = Definition.__table__
        session.connection().execute(
            update(table).where(table.c.id == bindparam("old_id"))
            .values(status="superseded", valid_to=bindparam("valid_to")), superseded)
    new_ids = ids.take(session, Definition.__table__, len(new_rows))
    for i, row in zip(new_ids, new_rows, strict=True):
        row["id"] = i
    session.execute(insert(Definition.__table__), new_rows)
    for new_id, (old, columns, digest) in zip(new_ids, audits, strict=True):
        if old is None:
            run.audit("definitions", new_id, "create", checksum=digest)
            continue
        before, after = previous[old.id], _audited(columns)
        changed = changed_fields(before, after)
        run.audit("definitions", new_id, "revise",
                  before={"id": old.id, "revision": old.revision,
                          **{f: before[f] for f in changed}},
                  after={f: after[f] for f in changed}, checksum=digest,
                  summary=f"new revision of definition {old.id}")
    run.index("definition", new_ids + [s["old_id"] for s in superseded])
    return outcomes


def _audited(columns: dict[str, Any]) -> dict[str, Any]:
    """A definition's columns as the record fields its audit rows compare."""
    return {"designations": columns["designations"], "text": columns["text"],
            "excerpt": columns["is_excerpt"], "notes": columns["notes"],
            "examples": columns["examples"], "date": columns["valid_from"],
            "licence": columns["licence"], "url": columns["source_url"],
            "nature": columns["nature"]}


def _records(session, definition_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not definition_ids:
        return {}
    t = Definition.__table__
    return {r.id: _audited(r._mapping) for r in session.execute(
        select(t).where(t.c.id.in_(definition_ids)))}


def _concepts(run: Run, entries: list[Entry]) -> dict[int, int]:
    """The concept of each entry (by ``id(entry)``): named by slug, else matched by preferred
    designation and language, else created. One statement per way of finding them."""
    session = run.session
    slugs = {e.data["concept"] for e in entries if e.data.get("concept")}
    by_slug = dict(session.execute(select(Concept.slug, Concept.id)
                                   .where(Concept.slug.in_(slugs))).all()) if slugs else {}
    unnamed = [e for e in entries if not e.data.get("concept")]
    keys = {term_key(preferred_term(e.data)) for e in unnamed}
    by_label: dict[tuple[str, str], int] = {}
    for concept_id, language, key in session.execute(
        select(ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.label_key)
        .where(ConceptLabel.label_key.in_(keys)).order_by(ConceptLabel.concept_id.desc())
    ) if keys else ():
        by_label[(language, key)] = concept_id  # the lowest id wins (rows come highest first)

    result: dict[int, int] = {}
    wanted: dict[Any, tuple[str, str, str]] = {}  # what to create, once per slug or label
    for entry in entries:
        data = entry.data
        term = preferred_term(data)
        slug = data.get("concept")
        if slug:
            found = run.concept_aliases.get(slug) or by_slug.get(slug)
            want: Any = ("slug", slug)
            if found is None:
                wanted.setdefault(want, (slug, term, data["language"]))
        else:
            want = ("label", data["language"], term_key(term))
            found = by_label.get(want[1:])
            if found is None:
                wanted.setdefault(want, (slugify(term), term, data["language"]))
        result[id(entry)] = found if found is not None else want
    if wanted:
        plan = list(wanted.items())
        labelled = [i for i, (want, _) in enumerate(plan) if want[0] == "label"]
        slugs_for = unique_slugs(run, [plan[i][1][0] for i in labelled])
        specs = [spec for _, spec in plan]
        for i, slug in zip(labelled, slugs_for, strict=True):
            specs[i] = (slug, specs[i][1], specs[i][2])
        made = dict(zip([want for want, _ in plan], new_concepts(run, specs), strict=True))
        for key, value in result.items():
            if not isinstance(value, int):
                result[key] = made[value]
    return result

