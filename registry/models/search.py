"""Tables of the PostgreSQL search backend (created everywhere, filled only on PostgreSQL).

``search_documents`` holds one row per public entry with a weighted ``tsvector`` (GIN-indexed);
``search_words`` is the lexicon "did you mean" and one-typo matching look words up in. Both are
derived from the catalogue by the outbox drain and ``flask search reindex``, like whoosh's index.
On SQLite the tables stay empty (whoosh is the backend there) and ``tsv`` is plain text.
"""

from sqlalchemy import Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base

TSV = Text().with_variant(TSVECTOR(), "postgresql")


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_kind", "kind"),
    )

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "<kind>:<id>"
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int]
    concept_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(Text, default="")
    display: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(16), default="")
    # Space-separated and space-padded (" ISO IEC "): filtered with LIKE, counted with unnest.
    bodies: Mapped[str] = mapped_column(Text, default=" ")
    langs: Mapped[str] = mapped_column(Text, default=" ")
    areas: Mapped[str] = mapped_column(Text, default=" ")
    status: Mapped[str] = mapped_column(String(24), default="")
    year: Mapped[int | None]
    slug: Mapped[str] = mapped_column(String(120), default="")
    digest: Mapped[str] = mapped_column(String(32))
    tsv: Mapped[str | None] = mapped_column(TSV)


class SearchWord(Base):
    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(100), primary_key=True)
    docs: Mapped[int] = mapped_column(default=0)
