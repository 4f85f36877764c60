from flask import abort, render_template

from app.extensions import db
from app.search import matching_ids
from app.web import bp
from app.web.args import load_args
from registry.schemas.queries import ConceptQuery
from registry.services import glossary


@bp.get("/glossary")
def glossary_index():
    filters = load_args(ConceptQuery)
    ids = matching_ids(filters.get("q"), "concept")
    return render_template("glossary/index.html", filters=filters,
                           page=glossary.list_concepts(db.session, filters, ids=ids))


@bp.get("/glossary/<slug>")
def concept(slug: str):
    item = glossary.get_concept(db.session, slug) or abort(
        404, description=f"There is no concept {slug!r} in the glossary.")
    definitions = glossary.concept_definitions(db.session, item)
    by_body: dict[str, list] = {}
    for definition in definitions:
        by_body.setdefault(definition.body.code, []).append(definition)
    return render_template("glossary/concept.html", concept=item, by_body=by_body,
                           definitions=definitions)
