"""What the debate pages and the debate API share: settings, URLs of subjects, error mapping."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, current_app, url_for

from app.extensions import db, limiter
from registry.models import Area, Body, Concept, Post
from registry.services import debate
from registry.services.evaluations import EvaluationError

# Where a gap area's own page lives once the gaps pages exist (endpoint, argument).
AREA_ENDPOINT = ("web.area", "slug")


def edit_window() -> int:
    return int(current_app.config["POST_EDIT_WINDOW_MINUTES"])


def write_limit() -> Callable:
    """Flask-Limiter decorator for debate writes, the limit read from config per request."""
    return limiter.limit(
        lambda: current_app.config["DEBATE_WRITE_RATE_LIMIT"],
        methods=["POST", "PUT", "PATCH", "DELETE"],
    )


@contextmanager
def refusals() -> Iterator[None]:
    """Service refusals as HTTP errors: 404 missing, 403 edit window closed, 400 otherwise."""
    try:
        yield
    except debate.NotFound as exc:
        db.session.rollback()
        abort(404, description=str(exc))
    except debate.EditWindowClosed as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except (debate.DebateError, EvaluationError) as exc:
        db.session.rollback()
        abort(400, description=str(exc))


def subject_url(kind: str, target_id: int, _external: bool = False) -> str:
    """The page of an entry, a post (anchored on its entry's page) or an evaluation."""
    if kind == "post":
        post = db.session.get(Post, target_id)
        return subject_url(post.target_kind, post.target_id, _external) + f"#post-{post.id}"
    if kind == "evaluation":
        return url_for("web.evaluation", evaluation_id=target_id, _external=_external)
    if kind == "standard":
        return url_for("web.standard", standard_id=target_id, _external=_external)
    if kind == "concept":
        return url_for(
            "web.concept", slug=db.session.get(Concept, target_id).slug, _external=_external
        )
    if kind == "body":
        return url_for("web.body", code=db.session.get(Body, target_id).code,
                       _external=_external)
    endpoint, arg = AREA_ENDPOINT
    if kind == "area" and endpoint in current_app.view_functions:
        return url_for(endpoint, **{arg: db.session.get(Area, target_id).slug}, _external=_external)
    return url_for("web.thread", kind=kind, target_id=target_id, _external=_external)
