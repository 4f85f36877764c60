from flask import abort, render_template
from flask_babel import gettext

from app import gaps as app_gaps
from app.extensions import db
from app.web import bp
from registry.services import catalogue


@bp.get("/bodies")
def bodies():
    return render_template("bodies/list.html", bodies=app_gaps.body_counts())


@bp.get("/bodies/<code>")
def body(code: str):
    item = catalogue.get_body(db.session, code) or abort(
        404, description=gettext("There is no body with the code %(code)s.", code=repr(code)))
    counts = next(c for c in app_gaps.body_counts() if c.body.id == item.id)
    recent = catalogue.list_standards(
        db.session, {"body": code, "sort": "-published", "page": 1, "per_page": 10})
    return render_template("bodies/detail.html", body=item, counts=counts, recent=recent,
                           committees=catalogue.committees_of(db.session, item))
