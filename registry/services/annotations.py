"""The panel's annotations on areas and gaps: write them, read their current state and history.

Every change leaves a ``Revision`` row (entity ``annotations``) with the author, the time and
the record before and after: that is the history pages and the API show.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from registry.models import Annotation, Area, Body, Revision, Standard, User
from registry.references import reference_key
from registry.services import audit
from registry.text import prose


class AnnotationError(ValueError):
    """The annotation cannot be saved as given; the message says why."""


def snapshot(a: Annotation) -> dict[str, Any]:
    return {
        "area": a.area.slug if a.area else None,
        "rule": a.rule,
        "status": a.status,
        "severity": a.severity,
        "addressed_by": a.addressed_by.reference if a.addressed_by else None,
        "text": a.text,
        "proposed_action": a.proposed_action,
        "addressed_to": list(a.addressed_to or []),
    }


def _apply(session: Session, a: Annotation, data: dict[str, Any]) -> None:
    """Copy validated input (``registry.schemas.gaps.AnnotationInput``) onto ``a``."""
    codes = sorted(set(data.get("addressed_to") or []))
    if codes:
        known = set(session.scalars(select(Body.code).where(Body.code.in_(codes))))
        if unknown := [c for c in codes if c not in known]:
            raise AnnotationError(f"Unknown body: {', '.join(unknown)}.")
    addressed_by = None
    if ref := data.get("addressed_by"):
        addressed_by = session.scalar(
            select(Standard).where(Standard.reference_key == reference_key(ref)))
        if addressed_by is None:
            raise AnnotationError(f"There is no standard {ref!r} in the registry.")
    if data["status"] == "addressed" and addressed_by is None:
        raise AnnotationError("Say which standard addresses the gap (addressed by).")
    if data["status"] != "addressed" and addressed_by is not None:
        raise AnnotationError("Only an 'addressed' annotation names a standard that "
                              "addresses the gap.")
    a.rule = data.get("rule")
    a.status = data["status"]
    a.severity = data["severity"]
    a.text = prose(data.get("text"))
    a.proposed_action = data.get("proposed_action")
    a.addressed_to = codes
    a.addressed_by = addressed_by


def create(session: Session, area: Area, data: dict[str, Any], author: User, *,
           path: str = "web") -> Annotation:
    """A new annotation by ``author`` (the caller has checked ``gap.annotate``). No commit."""
    annotation = Annotation(area=area, author_id=author.id)
    _apply(session, annotation, data)
    session.add(annotation)
    session.flush()
    audit.record(session, entity="annotations", entity_id=annotation.id, action="create",
                 path=path, after=snapshot(annotation), actor_id=author.id,
                 summary=f"{annotation.status} ({annotation.severity})")
    return annotation


def update(session: Session, annotation: Annotation, data: dict[str, Any], actor: User, *,
           path: str = "web") -> bool:
    """Change an annotation (the caller has checked ``annotation.edit``); False if unchanged."""
    before = snapshot(annotation)
    _apply(session, annotation, data)
    after = snapshot(annotation)
    if before == after:
        return False
    session.flush()
    audit.record(session, entity="annotations", entity_id=annotation.id, action="update",
                 path=path, before=before, after=after, actor_id=actor.id,
                 summary=", ".join(audit.changed_fields(before, after)))
    return True


def get(session: Session, annotation_id: int) -> Annotation | None:
    return session.scalar(
        select(Annotation).where(Annotation.id == annotation_id)
        .options(selectinload(Annotation.area), selectinload(Annotation.author),
                 selectinload(Annotation.addressed_by))
    )


def of_area(session: Session, area: Area) -> list[Annotation]:
    """The area's annotations, most recently changed first."""
    return list(session.scalars(
        select(Annotation).where(Annotation.area_id == area.id)
        .options(selectinload(Annotation.author), selectinload(Annotation.addressed_by))
        .order_by(Annotation.updated_at.desc(), Annotation.id.desc())
    ))


def history(session: Session, area: Area) -> list[Revision]:
    """Every change to the area's annotations, newest first, with its author."""
    return list(session.scalars(
        select(Revision)
        .where(Revision.entity == "annotations",
               Revision.entity_id.in_(select(Annotation.id)
                                      .where(Annotation.area_id == area.id)))
        .options(selectinload(Revision.actor))
        .order_by(Revision.at.desc(), Revision.id.desc())
    ))


def latest_by_area(session: Session) -> dict[int, Annotation]:
    """Each annotated area's most recently changed annotation: the panel's current word."""
    ranked = select(
        Annotation.id,
        func.row_number().over(partition_by=Annotation.area_id,
                               order_by=(Annotation.updated_at.desc(), Annotation.id.desc()))
        .label("rn"),
    ).subquery()
    return {
        a.area_id: a for a in session.scalars(
            select(Annotation).join(ranked, ranked.c.id == Annotation.id)
            .where(ranked.c.rn == 1)
        )
    }
