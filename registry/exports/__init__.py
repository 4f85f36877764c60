"""Exports of the glossary: TBX v3 (TBX-Basic), SKOS (Turtle) and CSV.

Every export carries each definition's licence; a definition stored as an excerpt (its licence
allows no more) is exported as that excerpt only, marked so, with the link to the full text.
Exports hold the current definitions; the history stays in the registry.
"""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from registry.models import Concept, ConceptRelation, Definition, DefinitionLink


@dataclass
class GlossaryData:
    concepts: list[Concept]
    definitions: dict[int, list[Definition]] = field(default_factory=dict)  # by concept id
    links: list[DefinitionLink] = field(default_factory=list)
    relations: list[ConceptRelation] = field(default_factory=list)


def source_text(d: Definition) -> str:
    """The source as exports write it: "REF, clause X" (or the citation)."""
    return f"{d.source_label}, clause {d.clause}" if d.clause else d.source_label


def load(session: Session, slugs: list[str] | None = None) -> GlossaryData:
    """The concepts (all, or these), their current definitions, links and relations."""
    stmt = (
        select(Concept)
        .options(selectinload(Concept.labels), selectinload(Concept.areas))
        .order_by(Concept.slug)
    )
    if slugs is not None:
        stmt = stmt.where(Concept.slug.in_(slugs))
    concepts = list(session.scalars(stmt))
    ids = [c.id for c in concepts]
    data = GlossaryData(concepts, {cid: [] for cid in ids})
    if not ids:
        return data
    definitions = session.scalars(
        select(Definition)
        .where(Definition.concept_id.in_(ids), Definition.status == "current")
        .options(selectinload(Definition.body), selectinload(Definition.standard))
        .order_by(Definition.language, Definition.body_id, Definition.id)
    )
    def_ids = []
    for d in definitions:
        data.definitions[d.concept_id].append(d)
        def_ids.append(d.id)
    if def_ids:
        data.links = list(
            session.scalars(
                select(DefinitionLink)
                .where(DefinitionLink.source_id.in_(def_ids), DefinitionLink.target_id.in_(def_ids))
                .order_by(DefinitionLink.id)
            )
        )
    data.relations = list(
        session.scalars(
            select(ConceptRelation)
            .where(or_(ConceptRelation.source_id.in_(ids), ConceptRelation.target_id.in_(ids)))
            .options(selectinload(ConceptRelation.source), selectinload(ConceptRelation.target))
            .order_by(ConceptRelation.id)
        )
    )
    return data
