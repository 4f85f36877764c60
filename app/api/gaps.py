"""Gaps, coverage and Figure 13 data; the panel's annotations (POST needs the gap.annotate role)."""

import json

from flask import Response, abort
from flask_babel import gettext
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import select

from app import gaps as computed
from app.api import ApiBlueprint
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from registry.models import standard_areas
from registry.schemas.gaps import (
    AnnotationInput,
    AnnotationOut,
    AreaDetailOut,
    CoverageOut,
    GapPageOut,
    GapQuery,
    HistoryOut,
    PerYearOut,
)
from registry.services import annotations, areas
from registry.taxonomy import descendant_ids

blp = ApiBlueprint("gaps_api", __name__, url_prefix="/api/v1",
                   description="Gaps computed from the catalogue, coverage, and annotations")


class AreaDetailWithHistory(AreaDetailOut):
    history = fields.List(fields.Nested(HistoryOut))


def _area_or_404(slug: str):
    return areas.get_area(db.session, slug) or abort(
        404, description=gettext("There is no area %(slug)s.", slug=repr(slug)))


@blp.get("/gaps")
@blp.arguments(GapQuery, location="query", as_kwargs=True)
@blp.response(200, GapPageOut)
def list_gaps(**filters):
    """Flagged areas with each rule's reason and evidence (standard ids), gravest first."""
    return computed.gap_list(filters)


@blp.get("/areas/<slug>")
@blp.response(200, AreaDetailWithHistory)
@blp.alt_response(404, description="No such area")
def get_area(slug: str):
    """One area: its counts, coverage by body, flags, concepts, standards and annotations."""
    area = _area_or_404(slug)
    found = next((a for a in computed.areas() if a.area_id == area.id), None)
    cov = computed.coverage()
    stats = dict(found.stats) if found else {}
    if stats.get("latest_published"):
        stats["latest_published"] = str(stats["latest_published"])
    standard_ids = db.session.scalars(
        select(standard_areas.c.standard_id).distinct()
        .where(standard_areas.c.area_id.in_(descendant_ids(slug)))
        .order_by(standard_areas.c.standard_id)
    ).all()
    return {
        "slug": area.slug, "title": area.title, "kind": area.kind,
        "description": area.description, "source": area.source,
        "parent": area.parent.slug if area.parent else None,
        "children": [c.slug for c in area.children],
        "stats": stats,
        "coverage": [
            {"body": code, "published": c.published, "in_development": c.developing,
             "gap": bool(found and cov.is_gap(found, code))}
            for code, _ in cov.bodies if (c := cov.cell(area.id, code)).total
        ],
        "flags": found.flags if found else [],
        "severity": found.severity if found else None,
        "concepts": [c.slug for c in areas.concepts_of(db.session, area)],
        "standards": standard_ids,
        "annotations": annotations.of_area(db.session, area),
        "history": annotations.history(db.session, area),
    }


@blp.get("/coverage")
@blp.response(200, CoverageOut)
def coverage():
    """The heatmap's data: for every area and body, published and in-development counts."""
    # Thousands of cells: serialized once per catalogue state (a Response passes through).
    body = computed.memoized(("api-coverage", computed.thresholds()),
                             lambda: json.dumps(CoverageOut().dump(_coverage())))
    return Response(body, mimetype="application/json")


def _coverage() -> dict:
    cov = computed.coverage()
    parents = {a.area_id: a.slug for a in cov.areas}
    return {
        "bodies": [code for code, _ in cov.bodies],
        "areas": [
            {"area": a.slug, "title": a.title, "parent": parents.get(a.parent_id),
             "flags": a.rules,
             "cells": [{"body": code, "published": (c := cov.cell(a.area_id, code)).published,
                        "in_development": c.developing, "gap": cov.is_gap(a, code)}
                       for code, _ in cov.bodies]}
            for a in cov.areas
        ],
    }


@blp.get("/stats/standards-per-year")
@blp.response(200, PerYearOut)
def standards_per_year():
    """Figure 13: documents published per body per year (joint ones count for each body)."""
    data = computed.per_year()
    return {
        "series": data.series,
        "years": [{"year": y, "counts": {s: data.count(s, y) for s in data.series},
                   "total": data.year_total(y)} for y in data.years],
        "note": "Published, superseded and withdrawn documents, counted in the year of "
                "publication; a joint publication counts once for each of its bodies.",
    }




@blp.post("/areas/<slug>/annotations")
@limiter.limit("30/minute")
@guarded("gap.annotate")
@blp.arguments(AnnotationInput)
@blp.response(201, AnnotationOut)
@blp.alt_response(401, description="Not signed in")
@blp.alt_response(403, description="Only panel members and admins annotate")
def annotate(data, slug: str):
    """Annotate an area, or one of its gaps (``rule``): panel members and admins."""
    area = _area_or_404(slug)
    authorize("gap.annotate", area)
    try:
        annotation = annotations.create(db.session, area, data, current_user, path="api")
    except annotations.AnnotationError as exc:
        db.session.rollback()
        abort(400, description=str(exc))
    db.session.commit()
    return annotation


