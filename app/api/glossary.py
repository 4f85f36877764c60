from flask import Response, abort, current_app
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import abort as api_abort

from app.api import ApiBlueprint
from app.api.submissions import BEARER, write_limit
from app.auth.guard import authorize, guarded
from app.extensions import db
from app.search import matching_ids
from registry import exports
from registry.exports import csv as csv_export
from registry.exports import skos as skos_export
from registry.exports import tbx as tbx_export
from registry.models import DefinitionLink
from registry.schemas.api import (
    ComparisonOut,
    ConceptFullOut,
    ConceptRowOut,
    DefinitionOut,
    DivergenceOut,
    LinkOut,
    Overlay,
    page_schema,
)
from registry.schemas.queries import (
    CompareQuery,
    ConceptQuery,
    DefinitionQuery,
    LinkForm,
    LinkQuery,
    LinkReviewForm,
)
from registry.services import divergence, glossary, links

blp = ApiBlueprint("glossary_api", __name__, url_prefix="/api/v1",
                   description="The glossary: concepts, definitions, links, divergence, exports")

ConceptPage = page_schema(ConceptRowOut, "ConceptPage")
DefinitionPage = page_schema(DefinitionOut, "DefinitionPage")
LinkPage = page_schema(LinkOut, "LinkPage")

MEASURE = ("TF-IDF cosine over Snowball-stemmed, normalized tokens, per language, between "
           "current definitions of different bodies; divergence = 1 - mean similarity")


def _concept_or_404(slug: str):
    return glossary.get_concept(db.session, slug) or abort(
        404, description=gettext("There is no concept %(slug)s in the glossary.", slug=repr(slug)))


def _pairs(definitions) -> list[dict]:
    by_id = {d.id: d for d in definitions}
    scores = divergence.pair_scores(db.session, by_id)
    return [{"a": by_id[lo], "b": by_id[hi], "similarity": s}
            for (lo, hi), s in sorted(scores.items(), key=lambda kv: (kv[1], kv[0]))]


@blp.get("/concepts")
@blp.arguments(ConceptQuery, location="query", as_kwargs=True)
@blp.response(200, ConceptPage)
def list_concepts(**filters):
    """Concepts with their numbers of definitions and bodies (sort=divergence: most contested
    first)."""
    page = glossary.list_concepts(db.session, filters,
                                  ids=matching_ids(filters.get("q"), "concept"))
    page.items = [Overlay(row.concept, definitions=row.definitions, bodies=row.bodies)
                  for row in page.items]
    return page


@blp.get("/concepts/<slug>")
@blp.response(200, ConceptFullOut)
@blp.alt_response(404, description="No such concept")
def get_concept(slug: str):
    """A concept with every current definition, their links, relations and pair scores."""
    concept = _concept_or_404(slug)
    definitions = glossary.concept_definitions(db.session, concept)
    ids = {d.id for d in definitions}
    return Overlay(concept, definitions=definitions,
                   links=links.links_touching(db.session, ids),
                   relations=glossary.concept_relations(db.session, concept),
                   pairs=_pairs(definitions))


@blp.get("/concepts/<slug>/divergence")
@blp.response(200, DivergenceOut)
@blp.alt_response(404, description="No such concept")
def get_divergence(slug: str):
    """The concept's divergence and the similarity of each pair, most different first."""
    concept = _concept_or_404(slug)
    definitions = glossary.concept_definitions(db.session, concept)
    return {"concept": concept.slug, "divergence": concept.divergence, "measure": MEASURE,
            "pairs": _pairs(definitions)}


@blp.get("/definitions")
@blp.arguments(DefinitionQuery, location="query", as_kwargs=True)
@blp.response(200, DefinitionPage)
def list_definitions(**filters):
    """Definitions, filtered by body, language, concept and source (a reference prefix)."""
    return glossary.list_definitions(db.session, filters)


@blp.get("/definitions/<int:definition_id>")
@blp.response(200, DefinitionOut)
@blp.alt_response(404, description="No such definition")
def get_definition(definition_id: int):
    """One definition (any revision)."""
    return glossary.get_definition(db.session, definition_id) or abort(
        404, description=gettext("There is no definition %(id)s.", id=definition_id))


@blp.get("/links")
@blp.arguments(LinkQuery, location="query", as_kwargs=True)
@blp.response(200, LinkPage)
def list_links(**filters):
    """Links between definitions, filtered by state, type, concept and body (either end)."""
    return links.list_links(db.session, filters)


@blp.post("/links")
@write_limit
@guarded("link.create")
@blp.arguments(LinkForm)
@blp.response(201, LinkOut)
@blp.alt_response(401, description="No valid token")
@blp.alt_response(403, description="Only the panel links definitions")
@blp.alt_response(409, description="The two definitions are linked already")
@blp.alt_response(422, description="Self-link, no rationale, or not two current definitions")
@blp.doc(security=BEARER)
def create_link(data):
    """Propose a link between two definitions (panel): it starts as ``proposed``."""
    source = glossary.get_definition(db.session, data["source"]) or api_abort(
        422, message=f"There is no definition {data['source']}.")
    authorize("link.create", source)
    try:
        link = links.create_link(db.session, current_user, source_id=data["source"],
                                 target_id=data["target"], type=data["type"],
                                 rationale=data["rationale"], path="api")
    except links.LinkError as exc:
        api_abort(409 if isinstance(exc, links.AlreadyLinked) else 422, message=str(exc))
    return link


@blp.post("/links/<int:link_id>/review")
@write_limit
@guarded("link.review")
@blp.arguments(LinkReviewForm)
@blp.response(200, LinkOut)
@blp.alt_response(404, description="No such link")
@blp.doc(security=BEARER)
def review_link(data, link_id: int):
    """Accept or reject a link, or send it back to ``proposed`` (panel)."""
    link = db.session.get(DefinitionLink, link_id) or api_abort(
        404, message=f"There is no link {link_id}.")
    authorize("link.review", link)
    links.review_link(db.session, current_user, link, state=data["state"], path="api")
    return link


@blp.get("/compare")
@blp.arguments(CompareQuery, location="query", as_kwargs=True)
@blp.response(200, ComparisonOut)
@blp.alt_response(404, description="No such definition")
def compare(a: int, b: int):
    """Two definitions aligned word by word: segments ``same`` (shared wording) and ``diff``."""
    left = glossary.get_definition(db.session, a)
    right = glossary.get_definition(db.session, b)
    if left is None or right is None:
        abort(404, description=gettext("There is no definition %(id)s.",
                                       id=a if left is None else b))
    result = divergence.compare(left.text, right.text, left.language, right.language,
                                in_order=False)
    score = divergence.pair_scores(db.session, [a, b]).get((min(a, b), max(a, b)))
    return {"a": left, "b": right, "similarity": score, "shared_words": result.shared_words,
            "a_segments": [{"kind": k, "text": t} for k, t in result.left],
            "b_segments": [{"kind": k, "text": t} for k, t in result.right]}


_MEDIA = {"tbx": "application/x-tbx+xml", "ttl": "text/turtle; charset=utf-8",
          "csv": "text/csv; charset=utf-8"}


def _export(data: exports.GlossaryData, fmt: str, name: str) -> Response:
    if fmt == "tbx":
        body = tbx_export.export(data)
    elif fmt == "ttl":
        body = skos_export.export(data, current_app.config["BASE_URL"])
    elif fmt == "csv":
        body = csv_export.export(data)
    else:
        abort(404, description=gettext("Unknown export format %(format)s: tbx, ttl or csv.",
                                       format=repr(fmt)))
    return Response(body, content_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@blp.get("/export/glossary.<fmt>")
@blp.response(200, description="The whole glossary as TBX v3 (TBX-Basic), SKOS Turtle or CSV")
def export_glossary(fmt: str):
    """Download the whole glossary: ``tbx``, ``ttl`` (SKOS) or ``csv``."""
    if fmt not in _MEDIA:
        abort(404, description=gettext("Unknown export format %(format)s: tbx, ttl or csv.",
                                       format=repr(fmt)))
    return _export(exports.load(db.session), fmt, "glossary")


@blp.get("/export/concepts/<slug>.<fmt>")
@blp.response(200, description="One concept as TBX v3 (TBX-Basic), SKOS Turtle or CSV")
@blp.alt_response(404, description="No such concept or format")
def export_concept(slug: str, fmt: str):
    """Download one concept: ``tbx``, ``ttl`` (SKOS) or ``csv``."""
    if fmt not in _MEDIA:
        abort(404, description=gettext("Unknown export format %(format)s: tbx, ttl or csv.",
                                       format=repr(fmt)))
    data = exports.load(db.session, [slug])
    if not data.concepts:
        abort(404, description=gettext("There is no concept %(slug)s in the glossary.",
                                       slug=repr(slug)))
    return _export(data, fmt, slug)
