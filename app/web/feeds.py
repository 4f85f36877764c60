"""Atom feeds of what changed on a standard, a concept, an area or a body (RFC 4287)."""

from flask import Response, abort, current_app, url_for
from flask_babel import gettext
from sqlalchemy import select

from app.debate_support import subject_url
from app.extensions import db
from app.web import bp
from registry import atom
from registry.clock import utcnow
from registry.models import Area, Body, Concept, Standard
from registry.schemas.ids import ID_MAX
from registry.services import follows

FEED_SIZE = 50


def resolve(kind: str, key: str):
    """(kind, entity) for a feed key: a standard's id, a concept's or an area's slug, a body's
    code."""
    if kind == "standards" and key.isdigit():
        # An id beyond the id column is no standard (SQLite cannot even bind it).
        return "standard", db.session.get(Standard, int(key)) if int(key) <= ID_MAX else None
    if kind == "concepts":
        return "concept", db.session.scalar(select(Concept).where(Concept.slug == key))
    if kind == "areas":
        return "area", db.session.scalar(select(Area).where(Area.slug == key))
    if kind == "bodies":
        return "body", db.session.scalar(select(Body).where(Body.code == key))
    return None, None


def title_of(kind: str, target) -> str:
    return {
        "standard": lambda t: t.reference,
        "concept": lambda t: t.label("en"),
        "area": lambda t: t.title,
        "body": lambda t: t.name,
    }[kind](target)


@bp.get("/feeds/<any(standards, concepts, areas, bodies):kind>/<key>.atom")
def feed(kind: str, key: str):
    one, target = resolve(kind, key)
    if target is None:
        abort(404, description=gettext("There is no feed for %(kind)s/%(key)s.", kind=kind,
                                         key=key))
    base = current_app.config["BASE_URL"]
    entries = [
        atom.Entry(
            id=atom.tag_uri(base, f"revision:{c.id}"),
            title=c.title,
            updated=c.at,
            link=subject_url(*c.subject, _external=True),
            html=c.html,
            author=c.actor,
        )
        for c in follows.changes(db.session, one, target.id, limit=FEED_SIZE)
    ]
    body = atom.feed(
        id=atom.tag_uri(base, f"feed:{one}:{target.id}"),
        title=gettext("%(entry)s: changes in the AI Standards Exchange",
                      entry=title_of(one, target)),
        self_url=url_for("web.feed", kind=kind, key=key, _external=True),
        alternate_url=subject_url(one, target.id, _external=True),
        entries=entries,
        author=gettext("AI Standards Exchange"),
        updated=getattr(target, "updated_at", None) or utcnow(),
    )
    return Response(body, mimetype="application/atom+xml")
