"""The area taxonomy: its tree, what each area covers, and the edits admins and panel make.

An area covers the standards tagged to it *and to any area below it* (``registry.taxonomy``).

Edits go through ``registry.ingest`` like every other catalogue write, so they carry
an audit row and a search-index update: an area edit is an area record, a tagging change is the
standard's record with other areas.
"""

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from registry import policy
from registry.db import unit_of_work
from registry.ingest import WRITERS, Entry, Run, finish, validate
from registry.models import Area, Concept, Standard, concept_areas, standard_areas
from registry.policy import Actor
from registry.schemas.records import error_text
from registry.services.audit import jsonable
from registry.services.snapshots import area_record, standard_record
from registry.taxonomy import descendant_ids


class AreaEditError(ValueError):
    """The edit cannot be made; the message says why (shown to the user as a 400)."""


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


def edit_area(session: Session, actor: Actor, area: Area, edit: dict[str, Any], *,
              path: str = "web") -> str:
    """Change an area's title, description, motivating source, parent or position; commits.

    Returns the outcome (``updated`` or ``unchanged``).
    """
    policy.require(actor, "area.edit", area)
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
    return _write(session, "area", record, set(edit), actor, path)


def set_standard_areas(session: Session, actor: Actor, standard: Standard, slugs: list[str],
                       *, path: str = "web") -> str:
    """Tag ``standard`` to exactly ``slugs``; commits. Returns ``updated`` or ``unchanged``."""
    policy.require(actor, "area.tag", standard)
    known = set(session.scalars(select(Area.slug).where(Area.slug.in_(slugs))))
    if unknown := sorted(set(slugs) - known):
        raise AreaEditError(f"Unknown area: {', '.join(unknown)}.")
    record = {**standard_record(standard), "areas": sorted(set(slugs))}
    return _write(session, "standard", record, {"areas"}, actor, path)


def _write(session: Session, kind: str, record: dict, named: set[str], actor: Actor,
           path: str) -> str:
    """A person's edit of the ``named`` fields, through the same writer as every import."""
    try:
        data = validate(kind, jsonable(record))
    except ValidationError as exc:
        raise AreaEditError(error_text(exc.messages)) from exc
    with unit_of_work(session):
        run = Run(session, path=path, actor_id=actor.id, edit=True)
        (outcome,) = WRITERS[kind](run, [Entry(data, path, frozenset(named))])
        if outcome.action == "rejected":
            raise AreaEditError(outcome.reason or "The change was refused.")
        finish(run)
    return outcome.action
