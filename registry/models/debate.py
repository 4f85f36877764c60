"""Debate and evaluation: posts on entries, flags, panel evaluations, process metadata, follows.

A post names its target by kind and id (``vocab.THREAD_KINDS``) rather than by one foreign key
per kind, so one table serves threads on standards, concepts, definitions, links and areas.
The author's role and body are copied onto the post when it is written: a body's official
position stays distinguishable from a personal view even if the account changes later.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.clock import utcnow
from registry.models.base import Base
from registry.models.catalogue import Standard
from registry.models.people import User


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    # Replies nest one level: a reply's parent is always a top-level post.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    author_role: Mapped[str] = mapped_column(String(16))
    author_body: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered by registry.markdown
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    parent: Mapped["Post | None"] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list["Post"]] = relationship(back_populates="parent", order_by="Post.id")
    flags: Mapped[list["PostFlag"]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostFlag.id"
    )

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class PostFlag(Base):
    """A user's report that a post needs the panel's attention; one per user and post."""

    __tablename__ = "post_flags"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="flags")
    user: Mapped[User] = relationship()


class Evaluation(Base):
    """A panel member's scored judgement of one edition of a standard (registry.rubric).

    One per member per edition: a second write revises it (``version`` + 1) and the audit
    trail keeps every earlier version.
    """

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("standard_id", "edition", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    # The standard's edition when evaluated ("" when it names none).
    edition: Mapped[str] = mapped_column(String(32), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # {criterion: {"score": 0..4 or null (cannot judge), "justification": "..."}}
    scores: Mapped[dict[str, Any]] = mapped_column()
    summary: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    standard: Mapped[Standard] = relationship()
    author: Mapped[User] = relationship()


class StandardProcess(Base):
    """How a standard was made, where known: who took part and how open the text is."""

    __tablename__ = "standard_processes"

    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True
    )
    countries: Mapped[list[str]] = mapped_column(default=list)  # ISO 3166-1 alpha-2
    stakeholder_groups: Mapped[list[str]] = mapped_column(default=list)
    text_access: Mapped[str] = mapped_column(String(16), default="unknown")
    price: Mapped[str | None] = mapped_column(String(100))
    public_comment: Mapped[bool | None]
    comment_opens: Mapped[date | None]
    comment_closes: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(String(500))  # where these facts come from
    note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    standard: Mapped[Standard] = relationship()
    updated_by: Mapped[User | None] = relationship()


class Follow(Base):
    """A user follows a standard, concept or area; ``seen_at`` is their last visit."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
