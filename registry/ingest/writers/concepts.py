"""Concepts: the registry's own (by slug, written as given) and termbase entries (merged).

A termbase's concept (TBX, SKOS, STS: ``merge: true``) goes to the concept with its slug, else
to one with a preferred label of the same designation and language (not one another entry of
this run went to: homonyms stay apart), else is created. Its labels are added where the
concept has none in that language; nothing else about the concept changes.

Relations between concepts are resolved at the end of the run (``finish``), when every concept
of the file is known.
"""

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from registry.clock import utcnow
from registry.ingest import ids
from registry.ingest.records import Entry, Outcome, RecordError, duplicate
from registry.ingest.run import Run
from registry.ingest.writers.common import changed_fields
from registry.models import Area, Concept, ConceptLabel, ConceptRelation, concept_areas
from registry.text import checksum, term_key

FIELDS = ("slug", "labels", "alt_labels", "contested", "measurability", "note", "areas")


def write(run: Run, entries: list[Entry]) -> list[Outcome]:
    outcomes = _merge(run, [e for e in entries if e.data["merge"]])
    return outcomes + _own(run, [e for e in entries if not e.data["merge"]])


def _labels_view(rows: list[dict]) -> tuple[dict[str, str], dict[str, list[str]]]:
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    for row in rows:
        if row["kind"] == "preferred":
            labels[row["language"]] = row["label"]
        else:
            alt.setdefault(row["language"], []).append(row["label"])
    return labels, {lang: sorted(names) for lang, names in sorted(alt.items())}


def _label_rows(labels: dict[str, str], alt: dict[str, list[str]]) -> list[dict[str, str]]:
    rows = [{"language": lang, "label": label, "label_key": term_key(label), "kind": "preferred"}
            for lang, label in sorted(labels.items())]
    rows += [{"language": lang, "label": label, "label_key": term_key(label),
              "kind": "alternative"}
             for lang, names in sorted(alt.items()) for label in sorted(set(names))
             if labels.get(lang) != label]
    return rows


# -- the registry's own concepts --------------------------------------------------------------

def _own(run: Run, entries: list[Entry]) -> list[Outcome]:
    if not entries:
        return []
    session = run.session
    found = dict(session.execute(select(Concept.slug, Concept.id)
                                 .where(Concept.slug.in_([e.data["slug"] for e in entries]))).all())
    stored = _stored(run, list(found.values()))
    outcomes: list[Outcome] = []
    creates, updates = [], []
    now = utcnow()
    for entry in entries:
        data, slug = entry.data, entry.data["slug"]
        if first := run.first_seen("concept", slug, entry.location):
            outcomes.append(duplicate("concept", slug, entry.location, first))
            continue
        try:
            area_ids = run.area_ids(data["areas"])
        except RecordError as exc:
            outcomes.append(Outcome("rejected", "concept", slug, entry.location, str(exc)))
            continue
        label_rows = _label_rows(data["labels"], data["alt_labels"])
        labels, alt = _labels_view(label_rows)
        view = {"slug": slug, "labels": labels, "alt_labels": alt,
                "contested": data["contested"], "measurability": data.get("measurability"),
                "note": data.get("note"), "areas": sorted(data["areas"])}
        concept_id = found.get(slug)
        if concept_id is None:
            creates.append((entry, view, label_rows, area_ids))
            outcomes.append(Outcome("created", "concept", slug, entry.location))
            continue
        run.pending_relations += [(concept_id, r["type"], r["concept"], entry.location)
                                  for r in data["relations"]]
        changed = changed_fields(stored[concept_id], view)
        if not changed:
            outcomes.append(Outcome("unchanged", "concept", slug, entry.location))
            continue
        updates.append({"_id": concept_id, "contested": view["contested"],
                        "measurability": view["measurability"], "note": view["note"],
                        "batch_id": run.batch_id, "updated_at": now})
        if {"labels", "alt_labels"} & set(changed):
            session.execute(delete(ConceptLabel).where(ConceptLabel.concept_id == concept_id))
            session.execute(insert(ConceptLabel.__table__),
                            [{"concept_id": concept_id, **r} for r in label_rows])
        if "areas" in changed:
            session.execute(delete(concept_areas).where(concept_areas.c.concept_id == concept_id))
            if area_ids:
                session.execute(insert(concept_areas),
                                [{"concept_id": concept_id, "area_id": a} for a in area_ids])
        run.audit("concepts", concept_id, "update",
                  before={f: stored[concept_id][f] for f in changed},
                  after={f: view[f] for f in changed}, checksum=checksum(view))
        run.index("concept", [concept_id])
        outcomes.append(Outcome("updated", "concept", slug, entry.location))
    if updates:
        table = Concept.__table__
        session.connection().execute(
            update(table).where(table.c.id == bindparam("_id")).values(
                {c: bindparam(c) for c in updates[0] if c != "_id"}), updates)
    if creates:
        new_ids = ids.take(session, Concept.__table__, len(creates))
        session.execute(insert(Concept.__table__), [
            {"id": i, "slug": view["slug"], "contested": view["contested"],
             "measurability": view["measurability"], "note": view["note"],
             "batch_id": run.batch_id, "created_at": now, "updated_at": now}
            for i, (_, view, _, _) in zip(new_ids, creates, strict=True)])
        labels = [{"concept_id": i, **r} for i, (_, _, rows, _) in zip(new_ids, creates,
                                                                          strict=True)
                  for r in rows]
        if labels:
            session.execute(insert(ConceptLabel.__table__), labels)
        tags = [{"concept_id": i, "area_id": a}
                for i, (_, _, _, area_ids) in zip(new_ids, creates, strict=True)
                for a in area_ids]
        if tags:
            session.execute(insert(concept_areas), tags)
        for i, (entry, view, _, _) in zip(new_ids, creates, strict=True):
            run.audit("concepts", i, "create", checksum=checksum(view))
            run.pending_relations += [(i, r["type"], r["concept"], entry.location)
                                      for r in entry.data["relations"]]
        run.index("concept", new_ids)
    return outcomes


def _stored(run: Run, concept_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not concept_ids:
        return {}
    session = run.session
    views = {r.id: {"slug": r.slug, "contested": r.contested, "measurability": r.measurability,
                    "note": r.note, "areas": []}
             for r in session.execute(select(Concept.id, Concept.slug, Concept.contested,
                                             Concept.measurability, Concept.note)
                                      .where(Concept.id.in_(concept_ids)))}
    rows: dict[int, list[dict]] = {i: [] for i in concept_ids}
    for r in session.execute(select(ConceptLabel.concept_id, ConceptLabel.language,
                                    ConceptLabel.label, ConceptLabel.kind)
                             .where(ConceptLabel.concept_id.in_(concept_ids))):
        rows[r.concept_id].append(r._asdict())
    for concept_id, label_rows in rows.items():
        views[concept_id]["labels"], views[concept_id]["alt_labels"] = _labels_view(label_rows)
    for concept_id, slug in session.execute(
            select(concept_areas.c.concept_id, Area.slug)
            .join(Area, Area.id == concept_areas.c.area_id)
            .where(concept_areas.c.concept_id.in_(concept_ids)).order_by(Area.slug)):
        views[concept_id]["areas"].append(slug)
    return views


# -- termbase concepts ------------------------------------------------------------------------

def _merge(run: Run, entries: list[Entry]) -> list[Outcome]:
    """Termbase concepts, in bulk: they come by the hundred thousand."""
    outcomes: list[Outcome] = []
    fresh: list[Entry] = []
    # Merging the same slug twice only adds labels twice, so unlike other records these are
    # not remembered for the whole run (a termbase's millions would fill memory); within a
    # chunk a repeat is reported, as both could not be created.
    in_chunk: dict[str, str] = {}
    for entry in entries:
        slug = entry.data["slug"]
        if first := in_chunk.get(slug):
            outcomes.append(duplicate("concept", slug, entry.location, first))
        else:
            in_chunk[slug] = entry.location
            fresh.append(entry)
    if not fresh:
        return outcomes
    session = run.session
    by_slug = dict(session.execute(select(Concept.slug, Concept.id)
                                   .where(Concept.slug.in_([e.data["slug"] for e in fresh]))).all())
    keys = {term_key(label) for e in fresh if e.data["slug"] not in by_slug
            for label in e.data["labels"].values()}
    candidates: dict[tuple[str, str], list[int]] = {}
    for concept_id, language, key in session.execute(
        select(ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.label_key)
        .where(ConceptLabel.label_key.in_(keys), ConceptLabel.kind == "preferred")
        .order_by(ConceptLabel.concept_id)
    ) if keys else ():
        candidates.setdefault((language, key), []).append(concept_id)

    found: list[tuple[Entry, int]] = []
    creates: list[tuple[Entry, str]] = []
    for entry in fresh:
        data = entry.data
        concept_id = by_slug.get(data["slug"])
        for language, label in sorted(data["labels"].items(), key=lambda kv: kv[0] != "en"):
            if concept_id is not None:
                break
            concept_id = next((c for c in candidates.get((language, term_key(label)), [])
                               if c not in run.merged_concepts), None)
        if concept_id is None:
            creates.append((entry, data["slug"]))
        else:
            run.merged_concepts.add(concept_id)
            found.append((entry, concept_id))
            if data["slug"] not in by_slug:
                run.concept_aliases[data["slug"]] = concept_id  # merged by its label
    creates = list(zip([c[0] for c in creates], unique_slugs(run, [c[1] for c in creates]),
                       strict=True))

    now = utcnow()
    new_ids = ids.take(session, Concept.__table__, len(creates))
    if creates:
        session.execute(insert(Concept.__table__), [
            {"id": i, "slug": slug, "contested": False, "batch_id": run.batch_id,
             "created_at": now, "updated_at": now}
            for i, (_, slug) in zip(new_ids, creates, strict=True)])
    label_rows: list[dict] = []
    for concept_id, (entry, slug) in zip(new_ids, creates, strict=True):
        labels = _merged_labels([], entry.data["labels"], entry.data["alt_labels"])
        label_rows += [{"concept_id": concept_id, **row} for row in labels]
        if slug != entry.data["slug"]:
            run.concept_aliases[entry.data["slug"]] = concept_id
        run.audit("concepts", concept_id, "create", checksum=checksum({"slug": slug,
                                                                       "labels": labels}))
        found.append((entry, concept_id))
        outcomes.append(Outcome("created", "concept", entry.data["slug"], entry.location))

    created = set(new_ids)
    have: dict[int, list[dict]] = {}
    existing_ids = [c for _, c in found if c not in created]
    for row in session.execute(
        select(ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.label,
               ConceptLabel.kind).where(ConceptLabel.concept_id.in_(existing_ids))
    ) if existing_ids else ():
        have.setdefault(row.concept_id, []).append(
            {"language": row.language, "label": row.label, "kind": row.kind})
    updated: list[int] = []
    for entry, concept_id in found:
        data = entry.data
        run.pending_relations += [(concept_id, rel["type"], rel["concept"], entry.location)
                                  for rel in data["relations"]]
        if concept_id in created:
            continue
        before = have.get(concept_id, [])
        after = _merged_labels(before, data["labels"], data["alt_labels"])
        added = after[len(before):]
        if not added:
            outcomes.append(Outcome("unchanged", "concept", data["slug"], entry.location))
            continue
        label_rows += [{"concept_id": concept_id, **row} for row in added]
        have[concept_id] = after
        labels, alt = _labels_view(added)
        run.audit("concepts", concept_id, "update", before=None,
                  after={"labels": labels, "alt_labels": alt},
                  summary="labels added by an import")
        updated.append(concept_id)
        outcomes.append(Outcome("updated", "concept", data["slug"], entry.location))
    if label_rows:
        session.execute(insert(ConceptLabel.__table__), label_rows)
    if updated:
        session.execute(update(Concept).where(Concept.id.in_(updated))
                        .values(batch_id=run.batch_id, updated_at=now))
    run.index("concept", new_ids + updated)
    return outcomes


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


def unique_slugs(run: Run, bases: list[str]) -> list[str]:
    """Each slug, or ``slug-2``, ``slug-3``... when taken (in the database or by an earlier one
    of the list): one query per round of candidates, not one per slug."""
    result: list[str | None] = [None] * len(bases)
    attempt = [1] * len(bases)
    claimed: set[str] = set()
    todo = list(range(len(bases)))
    while todo:
        names = {i: bases[i] if attempt[i] == 1 else f"{bases[i]}-{attempt[i]}" for i in todo}
        taken = set(run.session.scalars(select(Concept.slug)
                                        .where(Concept.slug.in_(set(names.values())))))
        left = []
        for i in todo:
            name = names[i]
            if name in taken or name in claimed:
                attempt[i] += 1
                left.append(i)
            else:
                claimed.add(name)
                result[i] = name
        todo = left
    return result  # type: ignore[return-value]


def new_concepts(run: Run, wanted: list[tuple[str, str, str]]) -> list[int]:
    """Concepts created for definitions that name none: (slug, label, language) each."""
    if not wanted:
        return []
    now = utcnow()
    new_ids = ids.take(run.session, Concept.__table__, len(wanted))
    run.session.execute(insert(Concept.__table__), [
        {"id": i, "slug": slug, "contested": False, "batch_id": run.batch_id,
         "created_at": now, "updated_at": now}
        for i, (slug, _, _) in zip(new_ids, wanted, strict=True)])
    run.session.execute(insert(ConceptLabel.__table__), [
        {"concept_id": i, "language": language, "label": label, "label_key": term_key(label),
         "kind": "preferred"} for i, (_, label, language) in zip(new_ids, wanted, strict=True)])
    for i, (slug, label, language) in zip(new_ids, wanted, strict=True):
        run.audit("concepts", i, "create", summary="created for a definition",
                  checksum=checksum({"slug": slug, "labels": {language: label}}))
    run.index("concept", new_ids)
    return new_ids


def finish(run: Run) -> list[Outcome]:
    """Concept relations, now that every concept of the run is known."""
    pending, run.pending_relations = run.pending_relations, []
    if not pending:
        return []
    session = run.session
    slugs = {slug for _, _, slug, _ in pending}
    ids_by_slug = dict(session.execute(select(Concept.slug, Concept.id)
                                       .where(Concept.slug.in_(slugs))).all())
    existing = set(session.execute(
        select(ConceptRelation.source_id, ConceptRelation.target_id, ConceptRelation.type)
        .where(ConceptRelation.source_id.in_({s for s, _, _, _ in pending}))).all())
    outcomes, rows = [], []
    for source_id, rel_type, target_slug, location in pending:
        target_id = run.concept_aliases.get(target_slug) or ids_by_slug.get(target_slug)
        if target_id is None:
            outcomes.append(Outcome("rejected", "concept-relation",
                                    f"{source_id} {rel_type} {target_slug}", location,
                                    f"unknown concept '{target_slug}' in relation"))
            continue
        key = (source_id, target_id, rel_type)
        if target_id != source_id and key not in existing:
            existing.add(key)
            rows.append({"source_id": source_id, "target_id": target_id, "type": rel_type})
    if rows:
        session.execute(insert(ConceptRelation.__table__), rows)
        run.changed = True
    return outcomes
