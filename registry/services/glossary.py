"""Reading the glossary: concepts and every source's definitions of them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.models import Area, Body, Concept, ConceptLabel, ConceptRelation, Definition, Standard
from registry.models.vocab import UN_LANGUAGES
from registry.references import reference_key
from registry.services.paging import Page
from registry.text import term_key


@dataclass
class ConceptRow:
    concept: Concept
    definitions: int
    bodies: int


def list_concepts(session: Session, filters: dict[str, Any],
                  ids: list[int] | None = None) -> Page[ConceptRow]:
    """Concepts with their numbers of current definitions and of distinct bodies."""
    counts = (
        select(Definition.concept_id, func.count(Definition.id).label("n"),
               func.count(func.distinct(Definition.body_id)).label("b"))
        .where(Definition.status == "current")
        .group_by(Definition.concept_id)
        .subquery()
    )
    label = (
        select(func.min(ConceptLabel.label))
        .where(ConceptLabel.concept_id == Concept.id, ConceptLabel.language == "en",
               ConceptLabel.kind == "preferred")
        .correlate(Concept).scalar_subquery()
    )
    stmt = (
        select(Concept, func.coalesce(counts.c.n, 0), func.coalesce(counts.c.b, 0))
        .outerjoin(counts, counts.c.concept_id == Concept.id)
        .options(selectinload(Concept.labels))
    )
    if ids is not None:
        stmt = stmt.where(Concept.id.in_(ids))
    elif q := (filters.get("q") or "").strip():
        stmt = stmt.where(Concept.labels.any(ConceptLabel.label_key.contains(term_key(q))))
    if body := filters.get("body"):
        stmt = stmt.where(Concept.definitions.any(Definition.body.has(Body.code == body)))
    if language := filters.get("language"):
        stmt = stmt.where(Concept.definitions.any(Definition.language == language))
    if area := filters.get("area"):
        stmt = stmt.where(Concept.areas.any(Area.slug == area))
    if filters.get("contested") is not None:
        contested = Concept.is_contested
        stmt = stmt.where(contested if filters["contested"] else ~contested)
    sort = filters.get("sort", "label")
    order = {
        "label": (func.coalesce(label, Concept.slug),),
        "divergence": (Concept.divergence.desc().nulls_last(), Concept.slug),
        "definitions": (func.coalesce(counts.c.n, 0).desc(), Concept.slug),
    }[sort]
    stmt = stmt.order_by(*order)
    total = session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(Concept.id).order_by(None).subquery())) or 0
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page([ConceptRow(c, n, b) for c, n, b in rows], total, page, per_page)


def get_concept(session: Session, slug: str) -> Concept | None:
    return session.scalar(
        select(Concept).where(Concept.slug == slug)
        .options(selectinload(Concept.labels), selectinload(Concept.areas))
    )


def concept_definitions(session: Session, concept: Concept, *, body: str | None = None,
                        language: str | None = None, include_superseded: bool = False,
                        as_of: date | None = None) -> list[Definition]:
    """The concept's definitions, current ones by default.

    ``as_of`` gives the glossary as it stood on that date: the revisions valid then. A
    revision is valid from its source's date (the date the file gave, else its standard's
    publication); one whose source has no date counts from the day the registry recorded it,
    never "since always" (the AI Act's 2024 definitions answered "as of 2023").
    """
    stmt = (
        select(Definition).where(Definition.concept_id == concept.id)
        .options(selectinload(Definition.body), selectinload(Definition.standard))
        .join(Body, Definition.body_id == Body.id)
        .order_by(Body.code, Definition.language, Definition.lineage, Definition.revision)
    )
    if as_of is not None:
        next_day = datetime.combine(as_of + timedelta(days=1), time.min)
        stmt = stmt.where(
            or_(Definition.valid_from <= as_of,
                and_(Definition.valid_from.is_(None), Definition.recorded_at < next_day)),
            or_(Definition.valid_to.is_(None), Definition.valid_to > as_of),
        )
    elif not include_superseded:
        stmt = stmt.where(Definition.status == "current")
    if body:
        stmt = stmt.where(Body.code == body)
    if language:
        stmt = stmt.where(Definition.language == language)
    return list(session.scalars(stmt))


# -- one concept's page: everything it shows, read in a fixed, small number of queries --------

@dataclass
class RelatedConcept:
    type: str  # read from this concept: broader | narrower | related
    concept: Concept


def concept_relations(session: Session, concept: Concept) -> list[RelatedConcept]:
    """Broader / narrower / related concepts, from either end of the stored relation."""
    rows = session.scalars(
        select(ConceptRelation)
        .where(or_(ConceptRelation.source_id == concept.id,
                   ConceptRelation.target_id == concept.id))
        .options(selectinload(ConceptRelation.source).selectinload(Concept.labels),
                 selectinload(ConceptRelation.target).selectinload(Concept.labels))
    )
    inverse = {"broader": "narrower", "narrower": "broader", "related": "related"}
    out = {}
    for r in rows:  # "A broader B" and "B narrower A" are one relation, listed once
        related = RelatedConcept(r.type, r.target) if r.source_id == concept.id \
            else RelatedConcept(inverse[r.type], r.source)
        out.setdefault((related.type, related.concept.id), related)
    return sorted(out.values(), key=lambda r: (r.type, r.concept.slug))


def concept_languages(session: Session, concept: Concept) -> list[str]:
    """Languages of the concept's definitions (any revision), UN languages first."""
    have = set(session.scalars(select(Definition.language).distinct()
                               .where(Definition.concept_id == concept.id)))
    have |= {lab.language for lab in concept.labels}
    return [lang for lang in UN_LANGUAGES if lang in have] + sorted(have - set(UN_LANGUAGES))


def missing_un_labels(concept: Concept) -> list[str]:
    """UN languages in which the concept has no preferred label."""
    have = {lab.language for lab in concept.labels if lab.kind == "preferred"}
    # A Chinese label without script subtag counts for both scripts.
    if "zh" in have:
        have |= {"zh-Hans", "zh-Hant"}
    return [lang for lang in UN_LANGUAGES if lang not in have]


def concept_bodies(session: Session, concept: Concept) -> list[str]:
    return list(session.scalars(
        select(Body.code).distinct().join(Definition, Definition.body_id == Body.id)
        .where(Definition.concept_id == concept.id).order_by(Body.code)))


def lineage_revisions(session: Session, lineage: str) -> list[Definition]:
    """Every revision of one body's definition, oldest first."""
    return list(session.scalars(
        select(Definition).where(Definition.lineage == lineage)
        .options(selectinload(Definition.body), selectinload(Definition.standard),
                 selectinload(Definition.concept))
        .order_by(Definition.revision)))


def get_definition(session: Session, definition_id: int) -> Definition | None:
    return session.scalar(
        select(Definition).where(Definition.id == definition_id)
        .options(selectinload(Definition.body), selectinload(Definition.standard),
                 selectinload(Definition.concept)))


def definitions_by_id(session: Session, ids: set[int]) -> dict[int, Definition]:
    """These definitions, with body, standard and concept, in one round of queries."""
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(
        select(Definition).where(Definition.id.in_(ids))
        .options(selectinload(Definition.body), selectinload(Definition.standard),
                 selectinload(Definition.concept).selectinload(Concept.labels)))}


def list_definitions(session: Session, filters: dict[str, Any]) -> Page[Definition]:
    """Definitions filtered by body, language, concept and source (a standard reference or a
    citation, matched as a prefix); current ones unless ``status`` says otherwise."""
    stmt = (select(Definition).join(Body, Definition.body_id == Body.id)
            .options(selectinload(Definition.body), selectinload(Definition.standard),
                     selectinload(Definition.concept)))
    if status := filters.get("status", "current"):
        stmt = stmt.where(Definition.status == status)
    if body := filters.get("body"):
        stmt = stmt.where(Body.code == body)
    if language := filters.get("language"):
        stmt = stmt.where(Definition.language == language)
    if slug := filters.get("concept"):
        stmt = stmt.where(Definition.concept.has(Concept.slug == slug))
    if source := filters.get("source"):
        key = reference_key(source)
        stmt = stmt.where(or_(
            Definition.standard.has(Standard.reference_key.startswith(key, autoescape=True)),
            Definition.citation.startswith(source, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(Definition.id).order_by(None).subquery())) or 0
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    items = list(session.scalars(stmt.order_by(Definition.id)
                                 .limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, per_page)
