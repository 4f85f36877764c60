from flask import abort

from app.api import ApiBlueprint
from app.extensions import db
from app.search import matching_ids
from registry.schemas.api import ConceptDetailOut, ConceptRowOut, Overlay, page_schema
from registry.schemas.queries import ConceptQuery
from registry.services import glossary

blp = ApiBlueprint("glossary_api", __name__, url_prefix="/api/v1",
                   description="The glossary: concepts and definitions")

ConceptPage = page_schema(ConceptRowOut, "ConceptPage")


@blp.get("/concepts")
@blp.arguments(ConceptQuery, location="query", as_kwargs=True)
@blp.response(200, ConceptPage)
def list_concepts(**filters):
    """Concepts with their numbers of definitions and bodies."""
    page = glossary.list_concepts(db.session, filters,
                                  ids=matching_ids(filters.get("q"), "concept"))
    page.items = [Overlay(row.concept, definitions=row.definitions, bodies=row.bodies)
                  for row in page.items]
    return page


@blp.get("/concepts/<slug>")
@blp.response(200, ConceptDetailOut)
@blp.alt_response(404, description="No such concept")
def get_concept(slug: str):
    """A concept with every current definition of it."""
    concept = glossary.get_concept(db.session, slug) or abort(
        404, description=f"There is no concept {slug!r} in the glossary.")
    return Overlay(concept, definitions=glossary.concept_definitions(db.session, concept))
