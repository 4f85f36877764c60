"""The panel's judgement on an area or on one of its computed gaps.

Gaps themselves are never stored: ``registry.services.gaps`` computes them from the catalogue.
An annotation is edited in place; every change leaves a ``Revision`` row (before and after,
author and time), which is the history the public sees.
"""

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, Timestamped
from registry.models.catalogue import Area, Standard
from registry.models.people import User


class Annotation(Timestamped, Base):
    __tablename__ = "annotations"
    __table_args__ = (Index("ix_annotations_area_updated", "area_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    # The gap rule it judges (``no-published``...); null: the area as a whole.
    rule: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open")  # vocab.ANNOTATION_STATUSES
    severity: Mapped[str] = mapped_column(String(16), default="medium")  # vocab.SEVERITIES
    # "addressed by <standard>"
    addressed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered sanitized
    proposed_action: Mapped[str | None] = mapped_column(Text)
    addressed_to: Mapped[list[str]] = mapped_column(default=list)  # body codes
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    area: Mapped[Area] = relationship()
    addressed_by: Mapped[Standard | None] = relationship()
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Annotation {self.id} {self.status}>"
