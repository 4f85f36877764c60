"""Reading the catalogue: standards, bodies, committees, areas."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, extract, func, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.models import (
    Area,
    Body,
    Committee,
    Definition,
    Standard,
    StandardRelation,
    standard_areas,
    standard_bodies,
)
from registry.models.vocab import DEVELOPMENT_STATUSES
from registry.references import reference_key
from registry.services.paging import Page, paginate
from registry.taxonomy import descendant_ids
from registry.text import natural_key

_SORTS = {
    "reference": (Standard.reference_key,),
    "published": (Standard.published.asc().nulls_last(), Standard.reference_key),
    "-published": (Standard.published.desc().nulls_last(), Standard.reference_key),
    "title": (Standard.title,),
}


def standards_query(filters: dict[str, Any], ids: list[int] | None = None):
    """The select behind the standards list; ``ids`` restricts it to search hits."""
    stmt = select(Standard).options(
        selectinload(Standard.bodies), selectinload(Standard.areas),
        selectinload(Standard.committee),
    )
    if body := filters.get("body"):
        stmt = stmt.where(Standard.bodies.any(Body.code == body))
    if status := filters.get("status"):
        stmt = stmt.where(Standard.status == status)
    if doc_type := filters.get("type"):
        stmt = stmt.where(Standard.doc_type == doc_type)
    if area := filters.get("area"):
        # The area and every area below it, as the gap figures count them.
        stmt = stmt.where(Standard.areas.any(Area.id.in_(descendant_ids(area))))
    if year := filters.get("year"):
        stmt = stmt.where(extract("year", Standard.published) == year)
    if reference := filters.get("reference"):
        stmt = stmt.where(Standard.reference_key == reference_key(reference))
    if committee := filters.get("committee"):
        stmt = stmt.where(Standard.committee.has(Committee.reference == committee))
    if ids is not None:
        stmt = stmt.where(Standard.id.in_(ids))
    elif q := (filters.get("q") or "").strip():
        pattern = f"%{q}%"
        stmt = stmt.where(or_(Standard.reference.ilike(pattern), Standard.title.ilike(pattern)))
    return stmt.order_by(*_SORTS[filters.get("sort", "reference")])


def list_standards(session: Session, filters: dict[str, Any],
                   ids: list[int] | None = None) -> Page[Standard]:
    return paginate(session, standards_query(filters, ids), filters.get("page", 1),
                    filters.get("per_page", 20))


def get_standard(session: Session, standard_id: int) -> Standard | None:
    return session.scalar(
        select(Standard).where(Standard.id == standard_id).options(
            selectinload(Standard.bodies), selectinload(Standard.areas),
            selectinload(Standard.committee),
            selectinload(Standard.relations).selectinload(StandardRelation.target),
        )
    )


def incoming_relations(session: Session, standard: Standard) -> list[StandardRelation]:
    """Relations other standards declare towards this one (shown as their inverse)."""
    return list(session.scalars(
        select(StandardRelation).where(StandardRelation.target_id == standard.id)
        .options(selectinload(StandardRelation.standard))
    ))


def definitions_in(session: Session, standard: Standard) -> list[Definition]:
    """In clause order as the standard numbers them: 3.1.2 before 3.1.10."""
    found = session.scalars(
        select(Definition)
        .where(Definition.standard_id == standard.id, Definition.status == "current")
        .options(selectinload(Definition.concept))
    )
    return sorted(found, key=lambda d: (natural_key(d.clause or ""), d.term))


@dataclass
class BodyCount:
    body: Any  # a row: id, code, name, kind, country, url
    published: int
    developing: int
    total: int


# Built once: the list of bodies is read on every home page, body page and /api/v1/bodies,
# and building the statement cost more than running it. Plain columns, no ORM entities.
_PUBLISHED = func.sum(case((Standard.status == "published", 1), else_=0))
_DEVELOPING = func.sum(case((Standard.status.in_(DEVELOPMENT_STATUSES), 1), else_=0))
_BODY_COUNTS = (
    select(Body.id, Body.code, Body.name, Body.kind, Body.country, Body.url,
           func.coalesce(_PUBLISHED, 0), func.coalesce(_DEVELOPING, 0), func.count(Standard.id))
    .outerjoin(standard_bodies, standard_bodies.c.body_id == Body.id)
    .outerjoin(Standard, Standard.id == standard_bodies.c.standard_id)
    .group_by(Body.id)
    .order_by(func.count(Standard.id).desc(), Body.code)
)


def body_counts(session: Session) -> list[BodyCount]:
    """Every body with how many of its standards are published and in development."""
    return [BodyCount(row, int(row[6]), int(row[7]), int(row[8]))
            for row in session.execute(_BODY_COUNTS)]


def get_body(session: Session, code: str) -> Body | None:
    return session.scalar(select(Body).where(Body.code == code))


def committees_of(session: Session, body: Body) -> list[tuple[Committee, int]]:
    """The body's committees with the number of standards each holds."""
    return [
        (c, n) for c, n in session.execute(
            select(Committee, func.count(Standard.id))
            .where(Committee.bodies.any(Body.id == body.id))
            .outerjoin(Standard, Standard.committee_id == Committee.id)
            .group_by(Committee.id)
            .order_by(Committee.reference)
        ).all()
    ]


def area_tree(session: Session) -> list[Area]:
    """Root areas with children loaded (the taxonomy is small)."""
    areas = list(session.scalars(select(Area).options(selectinload(Area.children))
                                 .order_by(Area.position, Area.title)))
    return [a for a in areas if a.parent_id is None]


def area_standard_counts(session: Session) -> dict[int, int]:
    return dict(session.execute(
        select(standard_areas.c.area_id, func.count()).group_by(standard_areas.c.area_id)
    ).all())


def facet_values(session: Session) -> dict[str, list]:
    """What the standards list can be filtered by, from the data itself."""
    years = session.scalars(
        select(extract("year", Standard.published).label("y"))
        .where(Standard.published.is_not(None)).distinct()
    )
    return {
        "bodies": list(session.scalars(
            select(Body.code).where(Body.id.in_(select(standard_bodies.c.body_id)))
            .order_by(Body.code))),
        "types": list(session.scalars(select(Standard.doc_type).distinct()
                                      .order_by(Standard.doc_type))),
        "areas": session.execute(select(Area.slug, Area.title).order_by(Area.title)).all(),
        "years": sorted({int(y) for y in years}, reverse=True),
    }
