"""Entities in their exchange-record form: for the audit trail, exports and edit forms.

The shapes are those of ``registry.schemas.records``, so a snapshot can be loaded again.
"""

from typing import Any

from registry.models import Area, Body, Committee, Concept, Definition, Standard


def body_record(body: Body) -> dict[str, Any]:
    return {
        "code": body.code,
        "name": body.name,
        "kind": body.kind,
        "url": body.url,
        "country": body.country,
        "description": body.description,
    }


def committee_record(committee: Committee) -> dict[str, Any]:
    return {
        "reference": committee.reference,
        "title": committee.title,
        "bodies": [b.code for b in committee.bodies],
        "parent": committee.parent.reference if committee.parent else None,
        "url": committee.url,
        "source_id": committee.source_id,
    }


def area_record(area: Area) -> dict[str, Any]:
    return {
        "slug": area.slug,
        "title": area.title,
        "kind": area.kind,
        "description": area.description,
        "source": area.source,
        "parent": area.parent.slug if area.parent else None,
        "position": area.position,
    }


def standard_record(standard: Standard) -> dict[str, Any]:
    return {
        "reference": standard.reference,
        "title": standard.title,
        "bodies": sorted(b.code for b in standard.bodies),
        "type": standard.doc_type,
        "status": standard.status,
        "stage": standard.stage_code,
        "published": standard.published,
        "edition": standard.edition,
        "committee": standard.committee.reference if standard.committee else None,
        "scope": standard.scope,
        "url": standard.url,
        "ics": list(standard.ics or []),
        "languages": list(standard.languages or []),
        "keywords": list(standard.keywords or []),
        "relations": [
            {"type": r.type, "reference": r.target_reference} for r in standard.relations
        ],
        "areas": sorted(a.slug for a in standard.areas),
        "measurement_evaluation": standard.measurement_evaluation,
        "socio_technical": standard.socio_technical,
        "human_rights_considered": standard.human_rights_considered,
        "text_licence": standard.text_licence,
        "source_id": standard.source_id,
    }


def concept_record(concept: Concept) -> dict[str, Any]:
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    for label in concept.labels:
        if label.kind == "preferred":
            labels[label.language] = label.label
        else:
            alt.setdefault(label.language, []).append(label.label)
    return {
        "slug": concept.slug,
        "labels": labels,
        "alt_labels": alt,
        "contested": concept.contested,
        "measurability": concept.measurability,
        "note": concept.note,
        "areas": sorted(a.slug for a in concept.areas),
    }


def definition_record(definition: Definition) -> dict[str, Any]:
    return {
        "concept": definition.concept.slug,
        "body": definition.body.code,
        "source": definition.source_label,
        "clause": definition.clause,
        "language": definition.language,
        "designations": list(definition.designations or []),
        "text": definition.text,
        "excerpt": definition.is_excerpt,
        "notes": list(definition.notes or []),
        "examples": list(definition.examples or []),
        "date": definition.valid_from,
        "licence": definition.licence,
        "url": definition.source_url,
        "nature": definition.nature,
    }
