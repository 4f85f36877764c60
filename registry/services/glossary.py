"""Reading the glossary: concepts and every source's definitions of them."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.models import Area, Body, Concept, ConceptLabel, Definition
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
        stmt = stmt.where(Concept.contested == filters["contested"])
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

    ``as_of`` gives the glossary as it stood on that date: the revisions valid then.
    """
    stmt = (
        select(Definition).where(Definition.concept_id == concept.id)
        .options(selectinload(Definition.body), selectinload(Definition.standard))
        .join(Body, Definition.body_id == Body.id)
        .order_by(Body.code, Definition.language, Definition.lineage, Definition.revision)
    )
    if as_of is not None:
        stmt = stmt.where(
            or_(Definition.valid_from.is_(None), Definition.valid_from <= as_of),
            or_(Definition.valid_to.is_(None), Definition.valid_to > as_of),
        )
    elif not include_superseded:
        stmt = stmt.where(Definition.status == "current")
    if body:
        stmt = stmt.where(Body.code == body)
    if language:
        stmt = stmt.where(Definition.language == language)
    return list(session.scalars(stmt))
