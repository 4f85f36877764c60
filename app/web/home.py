from flask import render_template
from sqlalchemy import func, select

from app import gaps as app_gaps
from app.extensions import db
from app.web import bp
from registry.models import Concept, Definition, Standard
from registry.models.vocab import SEVERITIES


@bp.get("/")
def home():
    session = db.session
    totals = {
        "standards": session.scalar(select(func.count(Standard.id))),
        "concepts": session.scalar(select(func.count(Concept.id))),
        "definitions": session.scalar(
            select(func.count(Definition.id)).where(Definition.status == "current")),
    }
    recent = session.scalars(
        select(Standard).where(Standard.published.is_not(None))
        .order_by(Standard.published.desc()).limit(6)
    ).all()
    # The contested terms most bodies define come first: where a newcomer sees the most
    # definitions side by side (fairness, safety, transparency...).
    bodies = (select(func.count(func.distinct(Definition.body_id)))
              .where(Definition.concept_id == Concept.id, Definition.status == "current")
              .correlate(Concept).scalar_subquery())
    contested = session.scalars(
        select(Concept).where(Concept.is_contested)
        .order_by(bodies.desc(), Concept.divergence.desc().nulls_last(), Concept.slug).limit(8)
    ).all()
    return render_template("home.html", totals=totals, bodies=app_gaps.body_counts(),
                           recent=recent, contested=contested, gap_areas=_gap_areas())


def _gap_areas(limit: int = 12) -> list:
    """The areas the gap rules flag, gravest first (the computation is memoized per catalogue
    version, as on /gaps)."""
    flagged = [a for a in app_gaps.areas() if a.flags]
    return sorted(flagged, key=lambda a: (-SEVERITIES.index(a.severity), a.title))[:limit]
