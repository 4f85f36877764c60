"""Write validated exchange records into the registry: create, update, or leave unchanged.

This is the one write path for records, whatever brought them: an importer, the demo loader, an
approved submission. It never commits; the caller owns the transaction (the import pipeline
commits once per file, so a refused file leaves nothing behind).

Standards and definitions, which arrive by the hundred thousand, are written with bulk
statements (no ORM unit of work per row), and queue their search-index updates and audit rows
themselves. The small kinds go through the ORM, where the search outbox is filled by session
events and "unchanged" falls out of comparing snapshots before and after.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from hashlib import sha1
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from registry.clock import today, utcnow
from registry.models import (
    Area,
    Body,
    Committee,
    Concept,
    ConceptLabel,
    ConceptRelation,
    Definition,
    DefinitionLink,
    Standard,
    StandardRelation,
    standard_areas,
    standard_bodies,
)
from registry.references import reference_key, split_clause, work_key
from registry.schemas.records import preferred_term
from registry.search.outbox import enqueue
from registry.services import audit
from registry.services.bodies import find_or_create_known
from registry.services.snapshots import (
    area_record,
    body_record,
    committee_record,
    concept_record,
    definition_record,
    standard_record,
)
from registry.text import checksum, slugify, term_key


class RecordError(Exception):
    """This record cannot be written; the reason is reported and the run goes on."""


@dataclass(frozen=True)
class Outcome:
    action: str  # created | updated | unchanged | rejected
    kind: str
    key: str
    location: str
    reason: str | None = None


Item = tuple[dict[str, Any], str]  # (validated record, location)


def definition_lineage(body: str, source_ref: str, clause: str | None, language: str,
                       concept_id: int) -> str:
    """Revisions of one body's definition of one concept in one source work share a lineage."""
    natural = f"{body}|{work_key(source_ref)}|{clause or ''}|{language}|{concept_id}"
    return sha1(natural.encode()).hexdigest()


class Ingest:
    """Writes the records of one run. Keeps small look-up caches across chunks."""

    def __init__(self, session: Session, *, path: str = "import", batch_id: int | None = None,
                 actor_id: int | None = None) -> None:
        self.session = session
        self.path = path
        self.batch_id = batch_id
        self.actor_id = actor_id
        self.touched_concepts: set[int] = set()
        self._bodies: dict[str, int] = dict(session.execute(select(Body.code, Body.id)).all())
        self._areas: dict[str, int] = dict(session.execute(select(Area.slug, Area.id)).all())
        self._committees: dict[str, int] = {}
        self._concepts: dict[str, int] = {}
        self._standards: dict[str, tuple[int, date | None] | None] = {}
        self._seen: dict[str, dict[str, str]] = {}
        self._seen_definitions: set[int] = set()
        self._merged: set[int] = set()  # concepts that merge records of this run went to
        self._pending_relations: list[tuple[int, str, str, str]] = []
        self._audit_rows: list[dict[str, Any]] = []

    # -- entry points -------------------------------------------------------------------------

    def write(self, kind: str, items: list[Item]) -> list[Outcome]:
        writer: Callable[[list[Item]], list[Outcome]] = getattr(self, f"_write_{kind}")
        outcomes = writer(items)
        self._flush_audit()
        return outcomes

    def finish(self) -> list[Outcome]:
        """Resolve what could only be resolved once every record was read."""
        outcomes = self._resolve_concept_relations()
        self._flush_audit()
        return outcomes

    # -- helpers ------------------------------------------------------------------------------

    def _first_seen(self, kind: str, key: str, location: str) -> str | None:
        """The location of an earlier record with the same key in this run, if any."""
        seen = self._seen.setdefault(kind, {})
        if key in seen:
            return seen[key]
        seen[key] = location
        return None

    def _audit(self, entity: str, entity_id: int, action: str, before: dict | None,
               after: dict | None, summary: str | None = None) -> None:
        self._audit_rows.append({
            "entity": entity, "entity_id": entity_id, "action": action, "before": before,
            "after": after, "summary": summary, "path": self.path, "batch_id": self.batch_id,
            "actor_id": self.actor_id,
        })

    def _flush_audit(self) -> None:
        if self._audit_rows:
            audit.record_many(self.session, self._audit_rows)
            self._audit_rows = []

    def _body_id(self, code: str) -> int:
        if code not in self._bodies:
            body = find_or_create_known(self.session, code)
            if body is None:
                raise RecordError(f"unknown body '{code}': add a body record first")
            self._bodies[code] = body.id
        return self._bodies[code]

    def _area_ids(self, slugs: Iterable[str]) -> list[int]:
        missing = [s for s in slugs if s not in self._areas]
        if missing:
            raise RecordError(f"unknown area {', '.join(repr(s) for s in missing)}")
        return [self._areas[s] for s in slugs]

    def _committee_id(self, reference: str | None, body_codes: list[str]) -> int | None:
        """The committee's id; a committee named by a standard but not yet known is created."""
        if not reference:
            return None
        if reference not in self._committees:
            committee = self.session.scalar(
                select(Committee).where(Committee.reference == reference)
            )
            if committee is None:
                committee = Committee(reference=reference)
                committee.bodies = [self.session.get(Body, self._body_id(c)) for c in body_codes]
                self.session.add(committee)
                self.session.flush()
            self._committees[reference] = committee.id
        return self._committees[reference]

    def _standard(self, ref: str) -> tuple[int, date | None] | None:
        key = reference_key(ref)
        if key not in self._standards:
            row = self.session.execute(
                select(Standard.id, Standard.published).where(Standard.reference_key == key)
            ).first()
            # A miss is remembered too (citations repeat on every definition of a termbase);
            # a standard created later in the run replaces it.
            self._standards[key] = (row.id, row.published) if row else None
        return self._standards[key]

    def _orm_upsert(self, kind: str, entity: str, key: str, location: str, existing,
                    factory: Callable[[], Any], apply: Callable[[Any], None],
                    snapshot: Callable[[Any], dict]) -> tuple[Outcome, Any]:
        """Create or update one ORM entity; unchanged when its snapshot did not move."""
        if existing is None:
            obj = factory()
            apply(obj)
            self.session.add(obj)
            self.session.flush()
            self._audit(entity, obj.id, "create", None, snapshot(obj))
            return Outcome("created", kind, key, location), obj
        before = snapshot(existing)
        apply(existing)
        after = snapshot(existing)
        if before == after:
            return Outcome("unchanged", kind, key, location), existing
        self.session.flush()
        self._audit(entity, existing.id, "update", before, after)
        return Outcome("updated", kind, key, location), existing

    # -- bodies, committees, areas (small; ORM) -----------------------------------------------

    def _write_body(self, items: list[Item]) -> list[Outcome]:
        outcomes = []
        for data, location in items:
            code = data["code"]
            if first := self._first_seen("body", code, location):
                outcomes.append(_duplicate("body", code, location, first))
                continue
            existing = self.session.scalar(select(Body).where(Body.code == code))

            def apply(body: Body, data=data) -> None:
                for field in ("code", "name", "kind", "url", "country", "description"):
                    setattr(body, field, data.get(field))

            outcome, body = self._orm_upsert("body", "bodies", code, location, existing, Body,
                                             apply, body_record)
            self._bodies[code] = body.id
            outcomes.append(outcome)
        return outcomes

    def _write_committee(self, items: list[Item]) -> list[Outcome]:
        outcomes = []
        for data, location in items:
            ref = data["reference"]
            if first := self._first_seen("committee", ref, location):
                outcomes.append(_duplicate("committee", ref, location, first))
                continue
            try:
                bodies = [self.session.get(Body, self._body_id(c)) for c in data["bodies"]]
                parent_id = self._committee_id(data.get("parent"), data["bodies"])
            except RecordError as exc:
                outcomes.append(Outcome("rejected", "committee", ref, location, str(exc)))
                continue
            existing = self.session.scalar(select(Committee).where(Committee.reference == ref))

            def apply(c: Committee, data=data, bodies=bodies, parent_id=parent_id) -> None:
                c.reference = data["reference"]
                c.title = data.get("title")
                c.url = data.get("url")
                c.source_id = data.get("source_id")
                c.parent = self.session.get(Committee, parent_id) if parent_id else None
                c.bodies = bodies

            outcome, committee = self._orm_upsert("committee", "committees", ref, location,
                                                  existing, Committee, apply, committee_record)
            self._committees[ref] = committee.id
            outcomes.append(outcome)
        return outcomes

    def _write_area(self, items: list[Item]) -> list[Outcome]:
        outcomes = []
        for data, location in items:
            slug = data["slug"]
            if first := self._first_seen("area", slug, location):
                outcomes.append(_duplicate("area", slug, location, first))
                continue
            parent = data.get("parent")
            if parent and parent not in self._areas:
                outcomes.append(Outcome("rejected", "area", slug, location,
                                        f"unknown parent area '{parent}' (list parents first)"))
                continue
            existing = self.session.scalar(select(Area).where(Area.slug == slug))

            def apply(a: Area, data=data, parent=parent) -> None:
                for field in ("slug", "title", "kind", "description", "source", "position"):
                    setattr(a, field, data.get(field))
                a.parent = self.session.get(Area, self._areas[parent]) if parent else None

            outcome, area = self._orm_upsert("area", "areas", slug, location, existing, Area,
                                             apply, area_record)
            self._areas[slug] = area.id
            outcomes.append(outcome)
        return outcomes

    # -- standards (bulk) ---------------------------------------------------------------------

    def _write_standard(self, items: list[Item]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        prepared: list[tuple[dict, str, str, str, dict]] = []
        for data, location in items:
            key = reference_key(data["reference"])
            if first := self._first_seen("standard", key, location):
                outcomes.append(_duplicate("standard", data["reference"], location, first))
                continue
            try:
                refs = {
                    "body_ids": [self._body_id(c) for c in data["bodies"]],
                    "area_ids": self._area_ids(data["areas"]),
                    "committee_id": self._committee_id(data.get("committee"), data["bodies"]),
                }
            except RecordError as exc:
                outcomes.append(Outcome("rejected", "standard", data["reference"], location,
                                        str(exc)))
                continue
            prepared.append((data, location, key, checksum(data), refs))

        keys = [p[2] for p in prepared]
        existing = {
            row.reference_key: row
            for row in self.session.execute(
                select(Standard.id, Standard.reference_key, Standard.checksum)
                .where(Standard.reference_key.in_(keys))
            )
        }
        creates, updates = [], []
        for entry in prepared:
            data, location, key, digest, _ = entry
            row = existing.get(key)
            if row is None:
                creates.append(entry)
            elif row.checksum == digest:
                outcomes.append(Outcome("unchanged", "standard", data["reference"], location))
            else:
                updates.append(entry)
        outcomes += self._create_standards(creates)
        outcomes += self._update_standards(updates)
        return outcomes

    def _standard_columns(self, data: dict, key: str, digest: str, refs: dict) -> dict:
        return {
            "reference": data["reference"],
            "reference_key": key,
            "title": data["title"],
            "doc_type": data["type"],
            "status": data["status"],
            "stage_code": data.get("stage"),
            "published": data.get("published"),
            "edition": data.get("edition"),
            "committee_id": refs["committee_id"],
            "scope": data.get("scope"),
            "url": data.get("url"),
            "ics": data["ics"],
            "languages": data["languages"],
            "keywords": data["keywords"],
            "measurement_evaluation": data["measurement_evaluation"],
            "socio_technical": data["socio_technical"],
            "human_rights_considered": data["human_rights_considered"],
            "text_licence": data.get("text_licence"),
            "source_id": data.get("source_id"),
            "checksum": digest,
            "batch_id": self.batch_id,
            # Titles and scopes by language, when the source gives several.
            "extra": {k: data[k] for k in ("titles", "scopes") if data.get(k)},
        }

    def _create_standards(self, creates: list) -> list[Outcome]:
        if not creates:
            return []
        now = utcnow()
        rows = [
            {**self._standard_columns(data, key, digest, refs), "created_batch_id": self.batch_id,
             "created_at": now, "updated_at": now}
            for data, _, key, digest, refs in creates
        ]
        ids = list(self.session.scalars(
            insert(Standard).returning(Standard.id, sort_by_parameter_order=True), rows
        ))
        body_rows, area_rows = [], []
        for std_id, (data, _, key, _, refs) in zip(ids, creates, strict=True):
            self._standards[key] = (std_id, data.get("published"))
            body_rows += [{"standard_id": std_id, "body_id": b} for b in refs["body_ids"]]
            area_rows += [{"standard_id": std_id, "area_id": a} for a in refs["area_ids"]]
            self._audit("standards", std_id, "create", None, data)
        if body_rows:
            self.session.execute(insert(standard_bodies), body_rows)
        if area_rows:
            self.session.execute(insert(standard_areas), area_rows)
        self._write_relations(zip(ids, [c[0] for c in creates], strict=True))
        self._link_waiting_relations([c[2] for c in creates], ids)
        enqueue(self.session, "standard", ids)
        return [Outcome("created", "standard", c[0]["reference"], c[1]) for c in creates]

    def _write_relations(self, pairs: Iterable[tuple[int, dict]]) -> None:
        rows = []
        for std_id, data in pairs:
            for rel in data["relations"]:
                rows.append({"standard_id": std_id, "type": rel["type"],
                             "target_reference": rel["reference"],
                             "target_key": reference_key(rel["reference"])})
        if not rows:
            return
        targets = dict(self.session.execute(
            select(Standard.reference_key, Standard.id)
            .where(Standard.reference_key.in_({r["target_key"] for r in rows}))
        ).all())
        unique = {(r["standard_id"], r["type"], r["target_reference"]): r for r in rows}
        self.session.execute(insert(StandardRelation), [
            {**r, "target_id": targets.get(r["target_key"])} for r in unique.values()
        ])

    def _link_waiting_relations(self, keys: list[str], ids: list[int]) -> None:
        """Relations recorded before their target arrived now point at it."""
        table = StandardRelation.__table__
        stmt = (
            update(table)
            .where(table.c.target_key == bindparam("key"), table.c.target_id.is_(None))
            .values(target_id=bindparam("target"))
        )
        self.session.connection().execute(
            stmt, [{"key": k, "target": i} for k, i in zip(keys, ids, strict=True)]
        )

    def _update_standards(self, updates: list) -> list[Outcome]:
        if not updates:
            return []
        by_key = {
            s.reference_key: s
            for s in self.session.scalars(
                select(Standard)
                .where(Standard.reference_key.in_([u[2] for u in updates]))
                .options(selectinload(Standard.bodies), selectinload(Standard.areas),
                         selectinload(Standard.relations), selectinload(Standard.committee))
            )
        }
        outcomes = []
        for data, location, key, digest, refs in updates:
            standard = by_key[key]
            before = standard_record(standard)
            for column, value in self._standard_columns(data, key, digest, refs).items():
                setattr(standard, column, value)
            standard.bodies = [self.session.get(Body, b) for b in refs["body_ids"]]
            standard.areas = [self.session.get(Area, a) for a in refs["area_ids"]]
            standard.relations = []
            self.session.flush()
            self._write_relations([(standard.id, data)])
            self.session.expire(standard, ["relations", "committee"])
            after = standard_record(standard)
            self._audit("standards", standard.id, "update", before, after)
            outcomes.append(Outcome("updated", "standard", data["reference"], location))
        return outcomes

    # -- concepts (ORM, prefetched per chunk) --------------------------------------------------

    def _concept_slug_taken(self, slug: str) -> bool:
        return slug in self._concepts or self.session.scalar(
            select(Concept.id).where(Concept.slug == slug)
        ) is not None

    def _unique_slug(self, term: str) -> str:
        base = slugify(term)
        slug, n = base, 1
        while self._concept_slug_taken(slug):
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _write_concept(self, items: list[Item]) -> list[Outcome]:
        outcomes = self._merge_concepts([i for i in items if i[0]["merge"]])
        items = [i for i in items if not i[0]["merge"]]
        slugs = [d["slug"] for d, _ in items]
        existing = {
            c.slug: c for c in self.session.scalars(
                select(Concept).where(Concept.slug.in_(slugs))
                .options(selectinload(Concept.labels), selectinload(Concept.areas))
            )
        }
        for data, location in items:
            slug = data["slug"]
            if first := self._first_seen("concept", slug, location):
                outcomes.append(_duplicate("concept", slug, location, first))
                continue
            try:
                areas = [self.session.get(Area, a) for a in self._area_ids(data["areas"])]
            except RecordError as exc:
                outcomes.append(Outcome("rejected", "concept", slug, location, str(exc)))
                continue

            def apply(c: Concept, data=data, areas=areas) -> None:
                c.slug = data["slug"]
                c.contested = data["contested"]
                c.measurability = data.get("measurability")
                c.note = data.get("note")
                c.areas = areas
                _set_labels(c, data["labels"], data["alt_labels"])

            outcome, concept = self._orm_upsert("concept", "concepts", slug, location,
                                                existing.get(slug), Concept, apply,
                                                concept_record)
            self._concepts[slug] = concept.id
            self._pending_relations += [
                (concept.id, rel["type"], rel["concept"], location) for rel in data["relations"]
            ]
            if outcome.action != "unchanged":
                concept.batch_id = self.batch_id
            outcomes.append(outcome)
        return outcomes

    def _merge_concepts(self, items: list[Item]) -> list[Outcome]:
        """Termbase concepts (TBX, SKOS, STS), in bulk: they come by the hundred thousand.

        Each goes to the concept with its slug, else to one with a preferred label of the same
        designation and language (not one another record of this run went to: homonyms stay
        apart), else is created. Its labels are added; nothing else about the concept changes.
        """
        outcomes: list[Outcome] = []
        fresh: list[Item] = []
        # Merging the same slug twice only adds labels twice, so unlike other records these
        # are not remembered for the whole run (a termbase's millions would fill memory);
        # within a chunk a repeat is reported, as both could not be created.
        in_chunk: dict[str, str] = {}
        for data, location in items:
            if first := in_chunk.get(data["slug"]):
                outcomes.append(_duplicate("concept", data["slug"], location, first))
            else:
                in_chunk[data["slug"]] = location
                fresh.append((data, location))
        if not fresh:
            return outcomes
        by_slug = dict(self.session.execute(
            select(Concept.slug, Concept.id).where(Concept.slug.in_([d["slug"] for d, _ in fresh]))
        ).all())
        keys = {term_key(label) for d, _ in fresh if d["slug"] not in by_slug
                for label in d["labels"].values()}
        candidates: dict[tuple[str, str], list[int]] = {}
        for concept_id, language, key in self.session.execute(
            select(ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.label_key)
            .where(ConceptLabel.label_key.in_(keys), ConceptLabel.kind == "preferred")
            .order_by(ConceptLabel.concept_id)
        ) if keys else ():
            candidates.setdefault((language, key), []).append(concept_id)

        found: list[tuple[dict, str, int]] = []
        creates: list[tuple[dict, str, str]] = []
        for data, location in fresh:
            concept_id = by_slug.get(data["slug"])
            for language, label in sorted(data["labels"].items(), key=lambda kv: kv[0] != "en"):
                if concept_id is not None:
                    break
                concept_id = next((c for c in candidates.get((language, term_key(label)), [])
                                   if c not in self._merged), None)
            if concept_id is None:
                slug = data["slug"] if data["slug"] not in self._concepts \
                    else self._unique_slug(data["slug"])
                creates.append((data, location, slug))
            else:
                self._merged.add(concept_id)
                found.append((data, location, concept_id))

        now = utcnow()
        new_ids = list(self.session.scalars(
            insert(Concept).returning(Concept.id, sort_by_parameter_order=True),
            [{"slug": slug, "contested": False, "batch_id": self.batch_id, "created_at": now,
              "updated_at": now} for _, _, slug in creates],
        )) if creates else []
        label_rows: list[dict] = []
        for concept_id, (data, location, slug) in zip(new_ids, creates, strict=True):
            labels = _merged_labels([], data["labels"], data["alt_labels"])
            label_rows += [{"concept_id": concept_id, **row} for row in labels]
            self._audit("concepts", concept_id, "create", None,
                        {"slug": slug, **_label_snapshot(labels)})
            found.append((data, location, concept_id))
            outcomes.append(Outcome("created", "concept", data["slug"], location))

        created = set(new_ids)
        have: dict[int, list[dict]] = {}
        existing_ids = [c for _, _, c in found if c not in created]
        for row in self.session.execute(
            select(ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.label,
                   ConceptLabel.kind).where(ConceptLabel.concept_id.in_(existing_ids))
        ) if existing_ids else ():
            have.setdefault(row.concept_id, []).append(
                {"language": row.language, "label": row.label, "kind": row.kind})
        updated: list[int] = []
        for data, location, concept_id in found:
            self._concepts[data["slug"]] = concept_id
            self._pending_relations += [(concept_id, rel["type"], rel["concept"], location)
                                        for rel in data["relations"]]
            if concept_id in created:
                continue
            before = have.get(concept_id, [])
            after = _merged_labels(before, data["labels"], data["alt_labels"])
            added = after[len(before):]
            if not added:
                outcomes.append(Outcome("unchanged", "concept", data["slug"], location))
                continue
            label_rows += [{"concept_id": concept_id, **row} for row in added]
            have[concept_id] = after
            self._audit("concepts", concept_id, "update", _label_snapshot(before),
                        _label_snapshot(after), summary="labels added by an import")
            updated.append(concept_id)
            outcomes.append(Outcome("updated", "concept", data["slug"], location))
        if label_rows:
            self.session.execute(insert(ConceptLabel), label_rows)
        if updated:
            self.session.execute(update(Concept).where(Concept.id.in_(updated))
                                 .values(batch_id=self.batch_id, updated_at=now))
        enqueue(self.session, "concept", new_ids + updated)
        return outcomes

    def _resolve_concept_relations(self) -> list[Outcome]:
        outcomes = []
        for source_id, rel_type, target_slug, location in self._pending_relations:
            target_id = self._concepts.get(target_slug) or self.session.scalar(
                select(Concept.id).where(Concept.slug == target_slug)
            )
            key = f"{source_id} {rel_type} {target_slug}"
            if target_id is None:
                outcomes.append(Outcome("rejected", "concept-relation", key, location,
                                        f"unknown concept '{target_slug}' in relation"))
                continue
            if target_id == source_id:
                continue
            exists = self.session.scalar(select(ConceptRelation.id).where(
                ConceptRelation.source_id == source_id, ConceptRelation.target_id == target_id,
                ConceptRelation.type == rel_type))
            if exists is None:
                self.session.add(ConceptRelation(source_id=source_id, target_id=target_id,
                                                 type=rel_type))
        self._pending_relations = []
        self.session.flush()
        return outcomes

    def _concept_for(self, data: dict) -> int:
        """The concept a definition belongs to: named by slug, else matched by designation."""
        term = preferred_term(data)
        slug = data.get("concept")
        if slug:
            if slug not in self._concepts:
                found = self.session.scalar(select(Concept.id).where(Concept.slug == slug))
                self._concepts[slug] = found or self._new_concept(slug, term, data["language"])
            return self._concepts[slug]
        key = term_key(term)
        match_key = f"{data['language']}\x00{key}"
        if match_key not in self._concepts:
            found = self.session.scalar(
                select(ConceptLabel.concept_id)
                .where(ConceptLabel.label_key == key, ConceptLabel.language == data["language"])
                .order_by(ConceptLabel.concept_id)
                .limit(1)
            )
            self._concepts[match_key] = found or self._new_concept(
                self._unique_slug(term), term, data["language"]
            )
        return self._concepts[match_key]

    def _new_concept(self, slug: str, label: str, language: str) -> int:
        concept = Concept(slug=slug, batch_id=self.batch_id)
        concept.labels = [ConceptLabel(language=language, label=label, label_key=term_key(label),
                                       kind="preferred")]
        self.session.add(concept)
        self.session.flush()
        self._concepts[slug] = concept.id
        self._audit("concepts", concept.id, "create", None, concept_record(concept),
                    summary="created for a definition")
        return concept.id

    # -- definitions (bulk; immutable revisions) ------------------------------------------------

    def _write_definition(self, items: list[Item]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        prepared = []
        for data, location in items:
            term = preferred_term(data)
            try:
                body_id = self._body_id(data["body"])
                concept_id = self._concept_for(data)
            except RecordError as exc:
                outcomes.append(Outcome("rejected", "definition", term, location, str(exc)))
                continue
            ref, clause_in_source = split_clause(data["source"])
            clause = data.get("clause") or clause_in_source
            standard = self._standard(ref)
            lineage = definition_lineage(data["body"], ref, clause, data["language"], concept_id)
            if int(lineage[:15], 16) in self._seen_definitions:
                outcomes.append(Outcome(
                    "rejected", "definition", term, location,
                    "duplicate: an earlier record in this file has the same body, source, "
                    "clause, language and concept"))
                continue
            self._seen_definitions.add(int(lineage[:15], 16))
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
            prepared.append((data, location, lineage, checksum(columns), columns))

        current = {
            row.lineage: row
            for row in self.session.execute(
                select(Definition.id, Definition.lineage, Definition.checksum,
                       Definition.revision)
                .where(Definition.lineage.in_([p[2] for p in prepared]),
                       Definition.status == "current")
            )
        }
        now = utcnow()
        new_rows, superseded, audit_meta = [], [], []
        for data, location, lineage, digest, columns in prepared:
            old = current.get(lineage)
            term = columns["term"]
            if old is not None and old.checksum == digest:
                outcomes.append(Outcome("unchanged", "definition", term, location))
                continue
            new_rows.append({
                **columns, "lineage": lineage, "revision": old.revision + 1 if old else 1,
                "supersedes_id": old.id if old else None, "status": "current",
                "valid_to": None, "recorded_at": now, "checksum": digest,
                "batch_id": self.batch_id,
            })
            if old is not None:
                superseded.append({"old_id": old.id,
                                   "valid_to": columns["valid_from"] or today()})
            audit_meta.append((old, data))
            self.touched_concepts.add(columns["concept_id"])
            outcomes.append(Outcome("updated" if old else "created", "definition", term,
                                    location))
        # The audit row of a revision keeps what the definition said before, not just its id.
        previous = self._definition_records([old.id for old, _ in audit_meta if old is not None])
        if superseded:
            table = Definition.__table__
            self.session.connection().execute(
                update(table).where(table.c.id == bindparam("old_id"))
                .values(status="superseded", valid_to=bindparam("valid_to")),
                superseded,
            )
        if new_rows:
            ids = list(self.session.scalars(
                insert(Definition).returning(Definition.id, sort_by_parameter_order=True),
                new_rows,
            ))
            for new_id, (old, data) in zip(ids, audit_meta, strict=True):
                if old is None:
                    self._audit("definitions", new_id, "create", None, data)
                else:
                    before = {**previous.get(old.id, {}), "id": old.id, "revision": old.revision}
                    self._audit("definitions", new_id, "revise", before, data,
                                summary=f"new revision of definition {old.id}")
            enqueue(self.session, "definition", ids + [s["old_id"] for s in superseded])
        return outcomes

    def _definition_records(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(Definition).where(Definition.id.in_(ids)).options(
                selectinload(Definition.concept), selectinload(Definition.body),
                selectinload(Definition.standard)))
        return {d.id: definition_record(d) for d in rows}

    # -- links --------------------------------------------------------------------------------

    def _find_definition(self, key: dict) -> int:
        ref, clause_in_source = split_clause(key["source"])
        clause = key.get("clause") or clause_in_source
        stmt = (
            select(Definition.id)
            .join(Body, Definition.body_id == Body.id)
            .where(Body.code == key["body"], Definition.language == key["language"],
                   Definition.status == "current")
        )
        standard = self._standard(ref)
        stmt = stmt.where(Definition.standard_id == standard[0] if standard
                          else Definition.citation == ref)
        stmt = stmt.where(Definition.clause == clause if clause else Definition.clause.is_(None))
        if key.get("concept") in self._concepts:  # also a termbase slug merged into a concept
            stmt = stmt.where(Definition.concept_id == self._concepts[key["concept"]])
        elif key.get("concept"):
            stmt = stmt.join(Concept).where(Concept.slug == key["concept"])
        ids = list(self.session.scalars(stmt.limit(2)))
        label = f"{key['body']} {key['source']}{' ' + clause if clause else ''}"
        if not ids:
            raise RecordError(f"no current definition matches {label} ({key['language']})")
        if len(ids) > 1:
            raise RecordError(f"several definitions match {label}: name the concept")
        return ids[0]

    def _write_link(self, items: list[Item]) -> list[Outcome]:
        outcomes = []
        for data, location in items:
            try:
                source_id = self._find_definition(data["source"])
                target_id = self._find_definition(data["target"])
            except RecordError as exc:
                outcomes.append(Outcome("rejected", "link", data["type"], location, str(exc)))
                continue
            key = f"{source_id}->{target_id}"
            if source_id == target_id:
                outcomes.append(Outcome("rejected", "link", key, location,
                                        "a definition cannot be linked to itself"))
                continue
            existing = self.session.scalar(select(DefinitionLink).where(
                ((DefinitionLink.source_id == source_id) & (DefinitionLink.target_id == target_id))
                | ((DefinitionLink.source_id == target_id)
                   & (DefinitionLink.target_id == source_id))))
            if existing is not None and existing.source_id != source_id:
                outcomes.append(Outcome("rejected", "link", key, location,
                                        f"these definitions are already linked (link "
                                        f"{existing.id}, the other way round)"))
                continue

            def apply(link: DefinitionLink, data=data, s=source_id, t=target_id) -> None:
                link.source_id, link.target_id = s, t
                link.type = data["type"]
                link.rationale = data.get("rationale")
                link.state = data["state"]
                link.batch_id = link.batch_id or self.batch_id

            outcome, _ = self._orm_upsert("link", "definition_links", key, location, existing,
                                          DefinitionLink, apply, _link_snapshot)
            outcomes.append(outcome)
        return outcomes


def _link_snapshot(link: DefinitionLink) -> dict:
    return {"source_id": link.source_id, "target_id": link.target_id, "type": link.type,
            "rationale": link.rationale, "state": link.state}


def _set_labels(concept: Concept, labels: dict[str, str], alt: dict[str, list[str]]) -> None:
    """Make the concept's labels exactly these, keeping rows that already match."""
    wanted = {(lang, label, "preferred") for lang, label in labels.items()}
    wanted |= {(lang, label, "alternative") for lang, names in alt.items() for label in names
               if (lang, label, "preferred") not in wanted}
    kept = [lab for lab in concept.labels if (lab.language, lab.label, lab.kind) in wanted]
    have = {(lab.language, lab.label, lab.kind) for lab in kept}
    concept.labels = kept + [
        ConceptLabel(language=lang, label=label, label_key=term_key(label), kind=kind)
        for lang, label, kind in sorted(wanted - have)
    ]


def _merged_labels(have: list[dict], labels: dict[str, str],
                   alt: dict[str, list[str]]) -> list[dict]:
    """``have`` followed by the labels of the languages it has no preferred label in: the
    registry's own labels of a language stand (a termbase's terms stay on its definitions)."""
    result = list(have)
    named = {row["language"] for row in have if row["kind"] == "preferred"}
    taken = {(row["language"], row["label"]) for row in have}
    wanted = [(lang, label, "preferred") for lang, label in sorted(labels.items())]
    wanted += [(lang, label, "alternative") for lang, names in sorted(alt.items())
               for label in names]
    for lang, label, kind in wanted:
        if lang in named or (lang, label) in taken:
            continue
        result.append({"language": lang, "label": label, "label_key": term_key(label),
                       "kind": kind})
        taken.add((lang, label))
    return result


def _label_snapshot(rows: list[dict]) -> dict[str, Any]:
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    for row in rows:
        if row["kind"] == "preferred":
            labels[row["language"]] = row["label"]
        else:
            alt.setdefault(row["language"], []).append(row["label"])
    return {"labels": labels, "alt_labels": alt}


def _duplicate(kind: str, key: str, location: str, first: str) -> Outcome:
    return Outcome("rejected", kind, key, location,
                   f"duplicate {kind} '{key}' in this file (first at {first})")
