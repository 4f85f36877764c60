"""Discussion threads on entries: posting, replying, editing within a window, flags, hiding.

Every write leaves an audit row (entity ``posts``), which is also what followers' change lists
and feeds read.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from registry.clock import utcnow
from registry.models import (
    Area,
    Concept,
    Definition,
    DefinitionLink,
    Post,
    PostFlag,
    Standard,
    User,
)
from registry.models.people import ROLE_LABELS
from registry.models.vocab import THREAD_KINDS
from registry.services import audit
from registry.text import prose

TARGET_MODELS: dict[str, type] = {
    "standard": Standard,
    "concept": Concept,
    "definition": Definition,
    "link": DefinitionLink,
    "area": Area,
}
BODY_MAX = 20_000
REASON_MIN, REASON_MAX = 3, 500


class DebateError(ValueError):
    """The request cannot be carried out; the message says why (HTTP 400)."""


class NotFound(DebateError):
    """The target or post does not exist (HTTP 404)."""


class EditWindowClosed(DebateError):
    """The author's edit window has passed (HTTP 403)."""


def get_target(session: Session, kind: str, target_id: int) -> Any:
    if kind not in THREAD_KINDS:
        raise NotFound(
            f"{kind!r} is not something one can discuss; use one of {', '.join(THREAD_KINDS)}"
        )
    target = session.get(TARGET_MODELS[kind], target_id)
    if target is None:
        raise NotFound(f"There is no {kind} with id {target_id}.")
    return target


def target_label(kind: str, target: Any) -> str:
    """A short human name for a thread's subject."""
    if kind == "standard":
        return target.reference
    if kind == "concept":
        return target.label("en")
    if kind == "definition":
        return f"{target.term} ({target.body.code}, {target.source_label})"
    if kind == "link":
        return (
            f"{target.source.term} ({target.source.body.code}) {target.type} "
            f"{target.target.term} ({target.target.body.code})"
        )
    return target.title


def author_label(post: Post) -> str:
    """Who speaks: a body's official voice, a panel member, or an administrator."""
    role = ROLE_LABELS.get(post.author_role, post.author_role)
    return f"{role}: {post.author_body}" if post.author_body else role


def author_name(user: User | None) -> str:
    if user is None:
        return "Former user"
    return user.public_name


def thread(session: Session, kind: str, target_id: int) -> list[Post]:
    """Top-level posts, oldest first, each with its replies loaded."""
    return list(
        session.scalars(
            select(Post)
            .where(Post.target_kind == kind, Post.target_id == target_id, Post.parent_id.is_(None))
            .options(
                selectinload(Post.replies).selectinload(Post.author),
                selectinload(Post.replies).selectinload(Post.flags),
                selectinload(Post.author),
                selectinload(Post.flags),
            )
            .order_by(Post.created_at, Post.id)
        )
    )


def thread_size(session: Session, kind: str, target_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Post.id)).where(Post.target_kind == kind, Post.target_id == target_id)
        )
        or 0
    )


def _clean_body(body: Any) -> str:
    text = prose(body) if isinstance(body, str) else ""
    if not text:
        raise DebateError("The post is empty.")
    if len(text) > BODY_MAX:
        raise DebateError(f"The post is longer than {BODY_MAX} characters.")
    return text


def _clean_reason(reason: Any, what: str) -> str:
    text = prose(reason) if isinstance(reason, str) else ""
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise DebateError(f"Give a reason for {what} ({REASON_MIN} to {REASON_MAX} characters).")
    return text


def _snapshot(post: Post) -> dict[str, Any]:
    return {
        "target": f"{post.target_kind}:{post.target_id}",
        "parent_id": post.parent_id,
        "body": post.body,
        "hidden": post.hidden,
        "hidden_reason": post.hidden_reason,
    }


def create_post(
    session: Session,
    user: User,
    kind: str,
    target_id: int,
    body: Any,
    parent_id: int | None = None,
    path: str = "web",
) -> Post:
    get_target(session, kind, target_id)
    text = _clean_body(body)
    parent = None
    if parent_id is not None:
        parent = session.get(Post, parent_id)
        if parent is None or (parent.target_kind, parent.target_id) != (kind, target_id):
            raise DebateError("The post you reply to is not in this thread.")
        # One level of nesting: a reply to a reply joins its parent's replies.
        parent = parent.parent or parent
    post = Post(
        target_kind=kind,
        target_id=target_id,
        parent=parent,
        author_id=user.id,
        author_role=user.role,
        author_body=user.body.code if user.body else None,
        body=text,
        created_at=utcnow(),
    )
    session.add(post)
    session.flush()
    audit.record(
        session,
        entity="posts",
        entity_id=post.id,
        action="create",
        path=path,
        actor_id=user.id,
        after=_snapshot(post),
    )
    return post


def edit_window_open(post: Post, window_minutes: int) -> bool:
    return utcnow() - post.created_at <= timedelta(minutes=window_minutes)


def edit_post(
    session: Session, user: User, post: Post, body: Any, window_minutes: int, path: str = "web"
) -> Post:
    if post.hidden:
        raise DebateError("A hidden post cannot be edited.")
    if not edit_window_open(post, window_minutes):
        raise EditWindowClosed(
            f"Posts can be edited for {window_minutes} minutes after posting; reply instead."
        )
    text = _clean_body(body)
    if text == post.body:
        return post
    before = _snapshot(post)
    post.body = text
    post.edited_at = utcnow()
    audit.record(
        session,
        entity="posts",
        entity_id=post.id,
        action="edit",
        path=path,
        actor_id=user.id,
        before=before,
        after=_snapshot(post),
    )
    return post


def flag_post(session: Session, user: User, post: Post, reason: Any) -> bool:
    """Flag for the panel; False when this user had flagged the post already."""
    text = _clean_reason(reason, "the flag")
    if session.scalar(
        select(PostFlag.id).where(PostFlag.post_id == post.id, PostFlag.user_id == user.id)
    ):
        return False
    try:
        with session.begin_nested():
            session.add(PostFlag(post_id=post.id, user_id=user.id, reason=text))
    except IntegrityError:  # the same user flagging twice at once
        return False
    return True


def hide_post(session: Session, user: User, post: Post, reason: Any, path: str = "web") -> Post:
    text = _clean_reason(reason, "hiding the post")
    before = _snapshot(post)
    post.hidden_at = utcnow()
    post.hidden_by_id = user.id
    post.hidden_reason = text
    audit.record(
        session,
        entity="posts",
        entity_id=post.id,
        action="hide",
        path=path,
        actor_id=user.id,
        before=before,
        after=_snapshot(post),
        summary=text,
    )
    return post


def unhide_post(session: Session, user: User, post: Post, path: str = "web") -> Post:
    if not post.hidden:
        return post
    before = _snapshot(post)
    post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    audit.record(
        session,
        entity="posts",
        entity_id=post.id,
        action="unhide",
        path=path,
        actor_id=user.id,
        before=before,
        after=_snapshot(post),
    )
    return post


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"There is no post with id {post_id}.")
    return post


def flagged_posts(session: Session) -> list[tuple[Post, int]]:
    """Visible posts with flags, most flagged first: the panel's moderation queue."""
    counts = (
        select(PostFlag.post_id, func.count(PostFlag.id).label("n"))
        .group_by(PostFlag.post_id)
        .subquery()
    )
    rows = session.execute(
        select(Post, counts.c.n)
        .join(counts, counts.c.post_id == Post.id)
        .where(Post.hidden_at.is_(None))
        .options(selectinload(Post.flags), selectinload(Post.author))
        .order_by(counts.c.n.desc(), Post.id)
    ).all()
    return [(post, n) for post, n in rows]
