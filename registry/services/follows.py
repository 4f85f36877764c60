"""Following standards, concepts and areas, and what changed on them.

What changed is read from the audit trail (``revisions``), which every write path fills: imports
and reviews (standards, concepts, definitions, links, areas), posts, evaluations and process
metadata. One query per followed entry, an OR of the entity rows that belong to it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from registry import markdown
from registry.clock import utcnow
from registry.models import (
    Annotation,
    Area,
    Body,
    Concept,
    Definition,
    DefinitionLink,
    Evaluation,
    Follow,
    Post,
    Revision,
    Standard,
    User,
    concept_areas,
    standard_areas,
    standard_bodies,
)
from registry.models.vocab import FOLLOW_KINDS
from registry.services import debate
from registry.services.audit import changed_fields

FOLLOW_MODELS = {"standard": Standard, "concept": Concept, "area": Area, "body": Body}


@dataclass
class Change:
    id: int  # the audit row's id: stable, so it names the feed entry
    at: datetime
    title: str
    html: str  # sanitized HTML describing the change (may be empty)
    actor: str | None
    subject: tuple[str, int]  # (kind, id) of what to link to: standard, concept, area, post...


def get_target(session: Session, kind: str, target_id: int) -> Any:
    if kind not in FOLLOW_KINDS:
        raise debate.NotFound(f"{kind!r} cannot be followed; use one of {', '.join(FOLLOW_KINDS)}")
    target = session.get(FOLLOW_MODELS[kind], target_id)
    if target is None:
        raise debate.NotFound(f"There is no {kind} with id {target_id}.")
    return target


def follow(session: Session, user: User, kind: str, target_id: int) -> Follow:
    """Follow (idempotent); changes are counted from now."""
    get_target(session, kind, target_id)
    existing = find(session, user, kind, target_id)
    if existing is not None:
        return existing
    row = Follow(user_id=user.id, target_kind=kind, target_id=target_id, seen_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return find(session, user, kind, target_id)
    return row


def unfollow(session: Session, user: User, kind: str, target_id: int) -> bool:
    result = session.execute(
        delete(Follow).where(
            Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id
        )
    )
    return bool(result.rowcount)


def find(session: Session, user: User, kind: str, target_id: int) -> Follow | None:
    return session.scalar(
        select(Follow).where(
            Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id
        )
    )


def follows_of(session: Session, user: User) -> list[Follow]:
    return list(
        session.scalars(
            select(Follow)
            .where(Follow.user_id == user.id)
            .order_by(Follow.target_kind, Follow.created_at)
        )
    )


def _posts_on(kind: str, ids) -> Any:
    return select(Post.id).where(Post.target_kind == kind, Post.target_id.in_(ids))


def _conditions(kind: str, target_id: int) -> Any:
    rev = Revision
    own = {"standard": "standards", "concept": "concepts", "area": "areas",
           "body": "bodies"}[kind]
    conds = [
        and_(rev.entity == own, rev.entity_id == target_id),
        and_(rev.entity == "posts", rev.entity_id.in_(_posts_on(kind, [target_id]))),
    ]
    if kind == "standard":
        conds += [
            and_(rev.entity == "standard_processes", rev.entity_id == target_id),
            and_(
                rev.entity == "evaluations",
                rev.entity_id.in_(select(Evaluation.id).where(Evaluation.standard_id == target_id)),
            ),
        ]
    elif kind == "concept":
        definitions = select(Definition.id).where(Definition.concept_id == target_id)
        source, target = aliased(Definition), aliased(Definition)
        links = (
            select(DefinitionLink.id)
            .join(source, source.id == DefinitionLink.source_id)
            .join(target, target.id == DefinitionLink.target_id)
            .where(or_(source.concept_id == target_id, target.concept_id == target_id))
        )
        conds += [
            and_(rev.entity == "definitions", rev.entity_id.in_(definitions)),
            and_(rev.entity == "definition_links", rev.entity_id.in_(links)),
            and_(rev.entity == "posts", rev.entity_id.in_(_posts_on("definition", definitions))),
            and_(rev.entity == "posts", rev.entity_id.in_(_posts_on("link", links))),
        ]
    elif kind == "body":
        # A body's standards (those a harvest withdrew too) and its definitions.
        standards = select(standard_bodies.c.standard_id).where(
            standard_bodies.c.body_id == target_id)
        definitions = select(Definition.id).where(Definition.body_id == target_id)
        conds += [
            and_(rev.entity == "standards", rev.entity_id.in_(standards)),
            and_(rev.entity == "definitions", rev.entity_id.in_(definitions)),
        ]
    else:
        standards = select(standard_areas.c.standard_id).where(
            standard_areas.c.area_id == target_id
        )
        concepts = select(concept_areas.c.concept_id).where(concept_areas.c.area_id == target_id)
        annotations = select(Annotation.id).where(Annotation.area_id == target_id)
        conds += [
            and_(rev.entity == "standards", rev.entity_id.in_(standards)),
            and_(rev.entity == "concepts", rev.entity_id.in_(concepts)),
            and_(rev.entity == "annotations", rev.entity_id.in_(annotations)),
        ]
    return or_(*conds)


def changes(
    session: Session, kind: str, target_id: int, since: datetime | None = None, limit: int = 50
) -> list[Change]:
    """What changed on the entry (and what belongs to it), newest first."""
    stmt = select(Revision).where(_conditions(kind, target_id))
    if since is not None:
        stmt = stmt.where(Revision.at > since)
    rows = list(session.scalars(stmt.order_by(Revision.at.desc(), Revision.id.desc()).limit(limit)))
    return describe(session, rows)


def visit(session: Session, follow_row: Follow, limit: int = 20) -> list[Change]:
    """Changes since the user's last visit, then remember this visit."""
    found = changes(
        session, follow_row.target_kind, follow_row.target_id, since=follow_row.seen_at, limit=limit
    )
    follow_row.seen_at = utcnow()
    return found


# -- describing audit rows for people ------------------------------------------------------

_VERBS = {
    "create": "added",
    "update": "updated",
    "revise": "revised",
    "delete": "removed",
    "edit": "edited",
    "hide": "hidden by the panel",
    "unhide": "shown again",
}


def describe(session: Session, rows: list[Revision]) -> list[Change]:
    ids: dict[str, set[int]] = {}
    for row in rows:
        ids.setdefault(row.entity, set()).add(row.entity_id)
    models = {
        "standards": Standard,
        "concepts": Concept,
        "areas": Area,
        "bodies": Body,
        "definitions": Definition,
        "definition_links": DefinitionLink,
        "posts": Post,
        "evaluations": Evaluation,
        "standard_processes": Standard,
        "annotations": Annotation,
    }
    loaded: dict[tuple[str, int], Any] = {}
    for entity, wanted in ids.items():
        model = models.get(entity)
        if model is None:
            continue
        for obj in session.scalars(select(model).where(model.id.in_(wanted))):
            loaded[(entity, obj.id)] = obj
    actors = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({r.actor_id for r in rows if r.actor_id}))
        )
    }
    out = []
    for row in rows:
        obj = loaded.get((row.entity, row.entity_id))
        if obj is None:
            continue  # deleted since, or an entity we do not show
        title, html, subject = _describe_one(row, obj)
        actor = actors.get(row.actor_id)
        out.append(
            Change(
                row.id, row.at, title, html, debate.author_name(actor) if actor else None, subject
            )
        )
    return out


def _describe_one(row: Revision, obj: Any) -> tuple[str, str, tuple[str, int]]:
    verb = _VERBS.get(row.action, row.action)
    fields = changed_fields(row.before or {}, row.after or {}) if row.before else []
    detail = f" ({', '.join(fields)})" if fields and row.action in ("update", "revise") else ""
    if row.entity == "standards":
        return f"Standard {obj.reference} {verb}{detail}", "", ("standard", obj.id)
    if row.entity == "standard_processes":
        return (f"Process information of {obj.reference} {verb}{detail}", "", ("standard", obj.id))
    if row.entity == "concepts":
        return f"Concept {obj.label('en')} {verb}{detail}", "", ("concept", obj.id)
    if row.entity == "areas":
        return f"Area {obj.title} {verb}{detail}", "", ("area", obj.id)
    if row.entity == "bodies":
        return f"Body {obj.code} {verb}{detail}", "", ("body", obj.id)
    if row.entity == "annotations":
        return (
            f"Panel annotation on {obj.area.title} {verb}: {obj.status}, {obj.severity}",
            markdown.render(obj.text),
            ("area", obj.area_id),
        )
    if row.entity == "definitions":
        title = f"Definition of {obj.term} by {obj.body.code} {verb}"
        return title, markdown.render(obj.text), ("concept", obj.concept_id)
    if row.entity == "definition_links":
        return (
            f"Link {debate.target_label('link', obj)} {verb} ({obj.state})",
            markdown.render(obj.rationale),
            ("concept", obj.source.concept_id),
        )
    if row.entity == "evaluations":
        return (
            f"Evaluation of {obj.standard.reference} by {debate.author_name(obj.author)} "
            f"{verb} (version {(row.after or {}).get('version', obj.version)})",
            markdown.render(obj.summary),
            ("evaluation", obj.id),
        )
    # posts: show the current state, so a hidden post's words never reach a feed
    who = f"{debate.author_name(obj.author)} ({debate.author_label(obj)})"
    kind = "Reply" if obj.parent_id else "Post"
    if obj.hidden:
        html = markdown.render(f"*Hidden by the panel: {obj.hidden_reason}*")
    else:
        html = markdown.render(obj.body)
    return f"{kind} by {who} {verb}", html, ("post", obj.id)
