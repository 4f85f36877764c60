"""The area taxonomy: its tree, what each area covers, and the edits admins and panel make.

An area covers the standards tagged to it *and to any area below it*: a standard on fairness is
also a trustworthiness standard. ``closure`` gives that relation in SQL (a recursive CTE, on
SQLite and PostgreSQL alike), so counts never need a walk of the tree in Python.

Edits go through ``registry.services.ingest`` like every other catalogue write, so they carry
an audit row and a search-index update: an area edit is an area record, a tagging change is the
standard's record with other areas.
"""

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, selectinload

from registry.models import Area, Concept, Standard, concept_areas, standard_areas
from registry.schemas.records import AreaRecord, StandardRecord, error_text
from registry.services.audit import jsonable
from registry.services.ingest import Ingest
from registry.services.snapshots import area_record, standard_record


class AreaEditError(ValueError):
    """The edit cannot be made; the message says why (shown to the user as a 400)."""


def closure():
    """CTE ``(ancestor_id, area_id)``: every area with itself and each of its descendants.

    ``UNION`` rather than ``UNION ALL``: a cycle (which edits refuse anyway) cannot loop.
    """
    base = select(Area.id.label("ancestor_id"), Area.id.label("area_id"))
    tree = base.cte("area_closure", recursive=True)
    child = aliased(Area)
    return tree.union(
        select(tree.c.ancestor_id, child.id).where(child.parent_id == tree.c.area_id)
    )


def covered(tree=None) -> Select:
    """``(area_id, standard_id)``: each standard once for every area it falls under."""
    tree = tree if tree is not None else closure()
    return (
        select(tree.c.ancestor_id.label("area_id"), standard_areas.c.standard_id)
        .join(standard_areas, standard_areas.c.area_id == tree.c.area_id)
        .distinct()
    )


def descendant_ids(area_slug: str) -> Select:
    """The ids of the area named ``area_slug`` and of every area below it (a subquery)."""
    tree = closure()
    return (
        select(tree.c.area_id)
        .join(Area, Area.id == tree.c.ancestor_id)
        .where(Area.slug == area_slug)
    )


def get_area(session: Session, slug: str) -> Area | None:
    return session.scalar(
        select(Area).where(Area.slug == slug)
        .options(selectinload(Area.children), selectinload(Area.parent))
    )


def all_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.position, Area.title)))


def ancestors(area: Area) -> list[Area]:
    """From the root down to the area's parent (for breadcrumbs)."""
    chain: list[Area] = []
    node = area.parent
    while node is not None and node not in chain:
        chain.insert(0, node)
        node = node.parent
    return chain


def concepts_of(session: Session, area: Area) -> list[Concept]:
    """Concepts tagged to the area or to an area below it."""
    return list(session.scalars(
        select(Concept)
        .where(Concept.id.in_(
            select(concept_areas.c.concept_id)
            .where(concept_areas.c.area_id.in_(descendant_ids(area.slug)))
        ))
        .options(selectinload(Concept.labels))
        .order_by(Concept.slug)
    ))


def standards_of(session: Session, area: Area) -> list[Standard]:
    """Every standard the area covers (its own tags and those below it)."""
    return list(session.scalars(
        select(Standard)
        .where(Standard.id.in_(
            select(standard_areas.c.standard_id)
            .where(standard_areas.c.area_id.in_(descendant_ids(area.slug)))
        ))
        .options(selectinload(Standard.bodies))
        .order_by(Standard.reference_key)
    ))


def edit_area(session: Session, area: Area, edit: dict[str, Any], *, actor_id: int | None,
              path: str = "web") -> str:
    """Change an area's title, description, motivating source, parent or position.

    Returns the ingest outcome (``updated`` or ``unchanged``). The caller commits.
    """
    record = {**area_record(area), **edit, "slug": area.slug, "kind": area.kind}
    parent = record.get("parent")
    if parent:
        if parent == area.slug:
            raise AreaEditError("An area cannot be its own parent.")
        below = set(session.scalars(
            select(Area.slug).where(Area.id.in_(descendant_ids(area.slug)))
        ))
        if parent in below:
            raise AreaEditError(f"'{parent}' is below this area: the tree would loop.")
    return _write(session, "area", AreaRecord, record, actor_id, path)


def set_standard_areas(session: Session, standard: Standard, slugs: list[str], *,
                       actor_id: int | None, path: str = "web") -> str:
    """Tag ``standard`` to exactly ``slugs``. Returns ``updated`` or ``unchanged``."""
    known = set(session.scalars(select(Area.slug).where(Area.slug.in_(slugs))))
    if unknown := sorted(set(slugs) - known):
        raise AreaEditError(f"Unknown area: {', '.join(unknown)}.")
    record = {**standard_record(standard), "areas": sorted(set(slugs))}
    return _write(session, "standard", StandardRecord, record, actor_id, path)


def _write(session: Session, kind: str, schema, record: dict, actor_id: int | None,
           path: str) -> str:
    try:
        data = schema().load(jsonable(record))
    except ValidationError as exc:
        raise AreaEditError(error_text(exc.messages)) from exc
    ingest = Ingest(session, path=path, actor_id=actor_id)
    (outcome,) = ingest.write(kind, [(data, path)])
    if outcome.action == "rejected":
        raise AreaEditError(outcome.reason or "The change was refused.")
    return outcome.action
