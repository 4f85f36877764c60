"""The search outbox: rows written in the same transaction as the data they describe.

A single drainer (registry.search) applies them to the index, so the index follows every commit
and a rolled-back transaction leaves nothing to index.
"""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.clock import utcnow
from registry.models.base import Base


class SearchOutbox(Base):
    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # standard | concept | definition
    entity_id: Mapped[int]
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
