"""Debate and evaluation in the JSON API: read by anyone, written by the web's rules.

Every write carries ``@guarded`` and ``authorize`` against the entry it touches, exactly like
the pages, and is rate limited (``DEBATE_WRITE_RATE_LIMIT``).
"""

from datetime import UTC

from flask import abort
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app.api import ApiBlueprint
from app.auth.guard import authorize, guarded
from app.debate_support import edit_window, refusals, subject_url, write_limit
from app.extensions import db
from app.web.feeds import resolve, title_of
from registry import rubric
from registry.models import Evaluation, Standard
from registry.schemas.debate import (
    EvaluationDetailOut,
    EvaluationIn,
    EvaluationsOut,
    FeedOut,
    FeedQuery,
    FollowIn,
    FollowOut,
    PostEditIn,
    PostIn,
    PostOut,
    ProcessIn,
    ProcessOut,
    ReasonIn,
    ThreadOut,
)
from registry.services import debate, evaluations, follows, process

blp = ApiBlueprint(
    "debate_api",
    __name__,
    url_prefix="/api/v1",
    description="Discussion threads, evaluations, process metadata and feeds",
)


def _standard(standard_id: int) -> Standard:
    return db.session.get(Standard, standard_id) or abort(
        404, description=gettext("There is no standard with id %(id)s.", id=standard_id)
    )


def _post(post_id: int):
    with refusals():
        return debate.get_post(db.session, post_id)


# -- threads and posts ----------------------------------------------------------------------


@blp.get("/threads/<kind>/<int:target_id>")
@blp.response(200, ThreadOut)
def get_thread(kind: str, target_id: int):
    """The discussion of a standard, concept, definition, link or area, replies nested."""
    with refusals():
        target = debate.get_target(db.session, kind, target_id)
    return {
        "kind": kind,
        "id": target_id,
        "label": debate.target_label(kind, target),
        "posts": debate.thread(db.session, kind, target_id),
    }


@blp.post("/threads/<kind>/<int:target_id>/posts")
@guarded("post.create")
@write_limit()
@blp.arguments(PostIn)
@blp.response(201, PostOut)
def create_post(data, kind: str, target_id: int):
    """Post (or, with ``parent``, reply) in a thread. Markdown; sanitized on display."""
    with refusals():
        target = debate.get_target(db.session, kind, target_id)
        authorize("post.create", target)
        post = debate.create_post(
            db.session,
            current_user,
            kind,
            target_id,
            data["body"],
            parent_id=data.get("parent"),
            path="api",
        )
    db.session.commit()
    return post


@blp.patch("/posts/<int:post_id>")
@guarded("post.edit")
@write_limit()
@blp.arguments(PostEditIn)
@blp.response(200, PostOut)
def edit_post(data, post_id: int):
    """The author edits a post within POST_EDIT_WINDOW_MINUTES of posting."""
    post = _post(post_id)
    authorize("post.edit", post)
    with refusals():
        debate.edit_post(db.session, current_user, post, data["body"], edit_window(), path="api")
    db.session.commit()
    return post


@blp.post("/posts/<int:post_id>/flag")
@guarded("post.flag")
@write_limit()
@blp.arguments(ReasonIn)
@blp.response(200, PostOut)
def flag_post(data, post_id: int):
    """Ask the panel to look at a post (once per user)."""
    post = _post(post_id)
    authorize("post.flag", post)
    with refusals():
        debate.flag_post(db.session, current_user, post, data["reason"])
    db.session.commit()
    return post


@blp.post("/posts/<int:post_id>/hide")
@guarded("post.hide")
@write_limit()
@blp.arguments(ReasonIn)
@blp.response(200, PostOut)
def hide_post(data, post_id: int):
    """Panel and admins hide a post; the reason is public."""
    post = _post(post_id)
    authorize("post.hide", post)
    with refusals():
        debate.hide_post(db.session, current_user, post, data["reason"], path="api")
    db.session.commit()
    return post


@blp.post("/posts/<int:post_id>/unhide")
@guarded("post.hide")
@write_limit()
@blp.response(200, PostOut)
def unhide_post(post_id: int):
    post = _post(post_id)
    authorize("post.hide", post)
    debate.unhide_post(db.session, current_user, post, path="api")
    db.session.commit()
    return post


# -- evaluations ----------------------------------------------------------------------------


@blp.get("/rubric")
@blp.response(200)
def get_rubric():
    """The evaluation rubric: criteria, their questions and the scale."""
    return rubric.describe()


@blp.get("/standards/<int:standard_id>/evaluations")
@blp.response(200, EvaluationsOut)
def list_evaluations(standard_id: int):
    """Every evaluation of the standard, with the current edition's aggregate and spread."""
    standard = _standard(standard_id)
    items = evaluations.of_standard(db.session, standard)
    return {
        "standard_id": standard.id,
        "edition": evaluations.edition_of(standard),
        "aggregate": evaluations.aggregate(standard, items),
        "items": items,
    }


@blp.put("/standards/<int:standard_id>/evaluations/mine")
@guarded("evaluation.write")
@write_limit()
@blp.arguments(EvaluationIn)
@blp.response(200, EvaluationDetailOut)
def put_evaluation(data, standard_id: int):
    """Create or revise your evaluation of the standard's current edition (panel members)."""
    standard = _standard(standard_id)
    authorize("evaluation.write", standard)
    try:
        item, _ = evaluations.write(
            db.session, current_user, standard, data["scores"], data.get("summary"), path="api"
        )
    except evaluations.EvaluationError as exc:
        db.session.rollback()
        abort(400, description="The evaluation does not follow the rubric: " + str(exc))
    db.session.commit()
    item.history = evaluations.history(db.session, item)
    return item


@blp.get("/evaluations/<int:evaluation_id>")
@blp.response(200, EvaluationDetailOut)
def get_evaluation(evaluation_id: int):
    """One evaluation with every earlier version."""
    item = db.session.get(Evaluation, evaluation_id) or abort(
        404, description=gettext("There is no evaluation with id %(id)s.", id=evaluation_id)
    )
    item.history = evaluations.history(db.session, item)
    return item


# -- process metadata -----------------------------------------------------------------------


@blp.get("/standards/<int:standard_id>/process")
@blp.response(200, ProcessOut)
def get_process(standard_id: int):
    """How the standard was made, where known."""
    standard = _standard(standard_id)
    return process.get(db.session, standard) or abort(
        404, description=gettext("No process information for %(reference)s yet.",
                                          reference=standard.reference)
    )


@blp.put("/standards/<int:standard_id>/process")
@guarded("standard.process")
@write_limit()
@blp.response(200, ProcessOut)
def put_process(standard_id: int):
    """Replace the process information (panel, admins, or a submitter of one of its bodies)."""
    from flask import request

    standard = _standard(standard_id)
    authorize("standard.process", standard)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, description=gettext("Send a JSON object."))
    try:
        data = ProcessIn().load(payload)
    except ValidationError as exc:
        abort(
            400,
            description="The process information is not valid: "
            + "; ".join(
                f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in exc.messages.items()
            ),
        )
    item = process.write(db.session, current_user, standard, data, path="api")
    db.session.commit()
    return item


# -- feeds and follows ----------------------------------------------------------------------


@blp.get("/feeds/<any(standards, concepts, areas):kind>/<key>")
@blp.arguments(FeedQuery, location="query", as_kwargs=True)
@blp.response(200, FeedOut)
def get_feed(kind: str, key: str, since=None, limit: int = 50):
    """What changed on a standard (by id), a concept or an area (by slug), newest first."""
    one, target = resolve(kind, key)
    if target is None:
        abort(404, description=gettext("There is no feed for %(kind)s/%(key)s.",
                                       kind=kind, key=key))
    if since is not None and since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    items = follows.changes(db.session, one, target.id, since=since, limit=limit)
    return {
        "kind": one,
        "id": target.id,
        "title": title_of(one, target),
        "items": [{**c.__dict__, "url": subject_url(*c.subject, _external=True)} for c in items],
    }


@blp.get("/follows")
@guarded("follow")
@blp.response(200, FollowOut(many=True))
def list_follows():
    """What you follow."""
    return follows.follows_of(db.session, current_user)


@blp.post("/follows")
@guarded("follow")
@write_limit()
@blp.arguments(FollowIn)
@blp.response(201, FollowOut)
def create_follow(data):
    """Follow a standard, concept or area."""
    with refusals():
        target = follows.get_target(db.session, data["kind"], data["id"])
        authorize("follow", target)
        row = follows.follow(db.session, current_user, data["kind"], data["id"])
    db.session.commit()
    return row


@blp.delete("/follows/<kind>/<int:target_id>")
@guarded("follow")
@write_limit()
@blp.response(204)
def delete_follow(kind: str, target_id: int):
    """Stop following."""
    if not follows.unfollow(db.session, current_user, kind, target_id):
        abort(404, description=gettext("You do not follow that."))
    db.session.commit()
