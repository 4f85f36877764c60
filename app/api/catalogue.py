from flask import abort, jsonify
from flask_babel import gettext
from sqlalchemy import select

from app import gaps as app_gaps
from app.api import ApiBlueprint
from app.extensions import db
from app.search import matching_ids
from registry.models import Area
from registry.schemas.api import (
    AreaOut,
    BodyCountOut,
    Overlay,
    StandardDetailOut,
    StandardOut,
    page_schema,
)
from registry.schemas.queries import StandardQuery
from registry.services import catalogue

blp = ApiBlueprint("standards_api", __name__, url_prefix="/api/v1",
                   description="Standards, bodies and areas")

StandardPage = page_schema(StandardOut, "StandardPage")


@blp.get("/standards")
@blp.arguments(StandardQuery, location="query", as_kwargs=True)
@blp.response(200, StandardPage)
def list_standards(**filters):
    """Standards, filtered and paged."""
    return catalogue.list_standards(db.session, filters,
                                    ids=matching_ids(filters.get("q"), "standard"))


@blp.get("/standards/<int:standard_id>")
@blp.response(200, StandardDetailOut)
@blp.alt_response(404, description="No such standard")
def get_standard(standard_id: int):
    """One standard with all its metadata."""
    return catalogue.get_standard(db.session, standard_id) or abort(
        404, description=gettext("There is no standard with id %(id)s.", id=standard_id))


@blp.get("/bodies")
@blp.response(200, BodyCountOut(many=True))
def list_bodies():
    """Every body, with its numbers of standards."""
    # A hot list: JSON from plain rows, not a schema dump per field (tests check that both
    # give the same document).
    return jsonify([
        {"code": b.code, "name": b.name, "kind": b.kind, "url": b.url, "country": b.country,
         "published": row.published, "in_development": row.developing, "standards": row.total}
        for row in app_gaps.body_counts() for b in (row.body,)
    ])


@blp.get("/areas")
@blp.response(200, AreaOut(many=True))
def list_areas():
    """The area taxonomy, flat, each node naming its parent."""
    counts = catalogue.area_standard_counts(db.session)
    areas = db.session.scalars(select(Area).order_by(Area.position, Area.title)).all()
    return [Overlay(a, standards=counts.get(a.id, 0)) for a in areas]
