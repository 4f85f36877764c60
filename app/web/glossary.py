"""Glossary pages: the index, concept pages, comparisons, history, and the panel's links."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app.auth.guard import allowed, authorize, guarded
from app.extensions import db
from app.i18n import reader_language
from app.search import matching_ids
from app.templating import LINK_STATE_LABELS, LINK_TYPE_LABELS
from app.web import bp
from app.web.args import load_args
from registry.models import DefinitionLink
from registry.models.vocab import LINK_STATES, LINK_TYPES
from registry.schemas.queries import (
    CompareQuery,
    ConceptPageQuery,
    ConceptQuery,
    LinkForm,
    LinkReviewForm,
)
from registry.services import divergence, glossary, links


@bp.get("/glossary")
def glossary_index():
    filters = load_args(ConceptQuery)
    ids = matching_ids(filters.get("q"), "concept")
    return render_template("glossary/index.html", filters=filters,
                           page=glossary.list_concepts(db.session, filters, ids=ids))


def _concept_or_404(slug: str):
    return glossary.get_concept(db.session, slug) or abort(
        404, description=f"There is no concept {slug!r} in the glossary."
    )


@bp.get("/glossary/<slug>")
def concept(slug: str):
    item = _concept_or_404(slug)
    view = load_args(ConceptPageQuery)
    # The label in the reader's language first, unless the page asks for another one.
    view.setdefault("lang", reader_language())
    definitions = glossary.concept_definitions(
        db.session,
        item,
        body=view.get("body"),
        language=view.get("language"),
        include_superseded=view["superseded"],
        as_of=view.get("as_of"),
    )
    by_body: dict[str, list] = {}
    for definition in definitions:
        by_body.setdefault(definition.body.code, []).append(definition)
    by_id = {d.id: d for d in definitions}
    link_views = links.views_from(links.links_touching(db.session, by_id), by_id)
    links_of: dict[int, list] = {}
    for lv in link_views:
        links_of.setdefault(lv.here.id, []).append(lv)
    pairs = sorted(
        (
            (by_id[lo], by_id[hi], score)
            for (lo, hi), score in divergence.pair_scores(db.session, by_id, item.id).items()
        ),
        key=lambda p: (p[2], p[0].id, p[1].id),
    )
    suggestions = []
    if allowed("link.create"):
        suggestions = [
            s
            for s in divergence.suggested_links(db.session, item.id)
            if s.low_id in by_id and s.high_id in by_id
        ]
    return render_template(
        "glossary/concept.html",
        concept=item,
        by_body=by_body,
        definitions=definitions,
        view=view,
        links_of=links_of,
        link_views=link_views,
        pairs=pairs,
        graph=links.body_graph(definitions, link_views),
        relations=glossary.concept_relations(db.session, item),
        languages=glossary.concept_languages(db.session, item),
        bodies=glossary.concept_bodies(db.session, item),
        label_missing=view["lang"] in glossary.missing_un_labels(item),
        suggestions=[(by_id[s.low_id], by_id[s.high_id], s.similarity) for s in suggestions],
        link_types=LINK_TYPES,
        link_states=LINK_STATES,
    )


def _definition_or_404(definition_id: int):
    return glossary.get_definition(db.session, definition_id) or abort(
        404, description=f"There is no definition {definition_id}."
    )


@bp.get("/glossary/compare")
def compare():
    """Two definitions side by side, shared and differing wording marked."""
    args = load_args(CompareQuery)
    a, b = _definition_or_404(args["a"]), _definition_or_404(args["b"])
    scores = divergence.pair_scores(db.session, [a.id, b.id])
    return render_template(
        "glossary/compare.html",
        a=a,
        b=b,
        comparison=divergence.compare(a.text, b.text, a.language, b.language, in_order=False),
        similarity=scores.get((min(a.id, b.id), max(a.id, b.id))),
        link=links.existing_link(db.session, a.id, b.id),
    )


@bp.get("/glossary/<slug>/history/<lineage>")
def history(slug: str, lineage: str):
    """Every revision of one body's definition, and the wording changed between two of them."""
    item = _concept_or_404(slug)
    revisions = [
        r for r in glossary.lineage_revisions(db.session, lineage) if r.concept_id == item.id
    ]
    if not revisions:
        abort(404, description="This concept has no definition with that history.")
    numbers = {r.revision: r for r in revisions}
    try:
        new = numbers[int(request.args.get("to", revisions[-1].revision))]
        old = numbers[int(request.args.get("from", max(new.revision - 1, 1)))]
    except (KeyError, ValueError):
        abort(
            400,
            description="'from' and 'to' must be revision numbers of this definition: "
            + ", ".join(str(n) for n in numbers),
        )
    return render_template(
        "glossary/history.html",
        concept=item,
        revisions=revisions,
        old=old,
        new=new,
        comparison=divergence.compare(old.text, new.text, old.language),
    )


@bp.get("/glossary/suggested-links")
def suggested_links():
    """Similar definitions of different bodies that no link joins yet: work for the panel."""
    authorize("link.create")
    rows = divergence.suggested_links(db.session, limit=200)
    defs = glossary.definitions_by_id(db.session, {i for s in rows for i in (s.low_id, s.high_id)})
    return render_template(
        "glossary/suggestions.html",
        rows=[(defs[s.low_id], defs[s.high_id], s.similarity) for s in rows],
        threshold=divergence.SUGGEST_THRESHOLD,
    )


def _form(schema) -> dict:
    try:
        return schema().load(request.form.to_dict())
    except ValidationError as exc:
        abort(
            400,
            description="The form is not valid: "
            + "; ".join(
                f"{name}: {' '.join(msgs) if isinstance(msgs, list) else msgs}"
                for name, msgs in exc.messages.items()
            ),
        )


@bp.post("/glossary/links")
@guarded("link.create")
def create_link():
    data = _form(LinkForm)
    source = _definition_or_404(data["source"])
    authorize("link.create", source)
    try:
        link = links.create_link(
            db.session,
            current_user,
            source_id=data["source"],
            target_id=data["target"],
            type=data["type"],
            rationale=data["rationale"],
            path="web",
        )
    except links.LinkError as exc:
        abort(400, description=str(exc))
    flash(gettext("Link %(id)s proposed: %(type)s.", id=link.id,
                  type=LINK_TYPE_LABELS.get(link.type, link.type)), "success")
    return redirect(url_for("web.concept", slug=source.concept.slug, _anchor=f"def-{source.id}"))


@bp.post("/glossary/links/<int:link_id>/review")
@guarded("link.review")
def review_link(link_id: int):
    link = db.session.get(DefinitionLink, link_id) or abort(
        404, description=f"There is no link {link_id}."
    )
    authorize("link.review", link)
    data = _form(LinkReviewForm)
    links.review_link(db.session, current_user, link, state=data["state"])
    flash(gettext("Link %(id)s: %(state)s.", id=link.id,
                  state=LINK_STATE_LABELS.get(link.state, link.state)), "success")
    return redirect(
        url_for("web.concept", slug=link.source.concept.slug, _anchor=f"def-{link.source_id}")
    )
