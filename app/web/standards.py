from flask import abort, render_template
from flask_babel import gettext

from app.extensions import db
from app.gaps import memoized
from app.search import matching_ids
from app.web import bp
from app.web.args import load_args
from registry.schemas.queries import StandardQuery
from registry.services import catalogue


@bp.get("/standards")
def standards():
    filters = load_args(StandardQuery)
    page = catalogue.list_standards(db.session, filters,
                                    ids=matching_ids(filters.get("q"), "standard"))
    return render_template("standards/list.html", page=page, filters=filters,
                           facets=memoized("facet_values",
                                           lambda: catalogue.facet_values(db.session)))


@bp.get("/standards/<int:standard_id>")
def standard(standard_id: int):
    item = catalogue.get_standard(db.session, standard_id) or abort(
        404, description=gettext("There is no standard with id %(id)s.", id=standard_id))
    return render_template(
        "standards/detail.html", standard=item,
        incoming=catalogue.incoming_relations(db.session, item),
        definitions=catalogue.definitions_in(db.session, item),
    )
