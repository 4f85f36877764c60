"""The glossary: concepts, what each source says they are, and how the sayings relate."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.clock import utcnow
from registry.models.base import Base, Timestamped
from registry.models.catalogue import Area, Body, Standard

concept_areas = Table(
    "concept_areas",
    Base.metadata,
    Column("concept_id", ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Concept(Timestamped, Base):
    """One idea ("fairness", "AI system"); the registry never declares a definition correct."""

    __tablename__ = "concepts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    contested: Mapped[bool] = mapped_column(default=False)
    # Is there a metric or test method for it, and which standard gives it.
    measurability: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Computed on write by the divergence service; null until the concept has two definitions.
    divergence: Mapped[float | None] = mapped_column(Float)
    checksum: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )

    labels: Mapped[list["ConceptLabel"]] = relationship(
        back_populates="concept",
        cascade="all, delete-orphan",
        order_by="ConceptLabel.language, ConceptLabel.kind.desc(), ConceptLabel.label",
    )
    definitions: Mapped[list["Definition"]] = relationship(
        back_populates="concept", order_by="Definition.id"
    )
    areas: Mapped[list[Area]] = relationship(secondary=concept_areas, order_by=Area.slug)

    @hybrid_property
    def is_contested(self) -> bool:
        """Shown as contested: flagged so by its curators, and defined differently by at least
        two bodies (divergence is measured only between two bodies' definitions)."""
        return self.contested and self.divergence is not None and self.divergence > 0

    @is_contested.inplace.expression
    @classmethod
    def _is_contested(cls):
        return and_(cls.contested.is_(True), cls.divergence > 0)

    def label(self, language: str = "en") -> str:
        """The preferred label in ``language``, else in English, else the slug."""
        by_lang = {lab.language: lab.label for lab in self.labels if lab.kind == "preferred"}
        return by_lang.get(language) or by_lang.get("en") or self.slug.replace("-", " ")

    def __repr__(self) -> str:
        return f"<Concept {self.slug}>"


class ConceptLabel(Base):
    __tablename__ = "concept_labels"
    __table_args__ = (UniqueConstraint("concept_id", "language", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(300))
    # registry.text.term_key(label): what importers match designations against.
    label_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="preferred")  # preferred | alternative

    concept: Mapped[Concept] = relationship(back_populates="labels")


class ConceptRelation(Base):
    """Concept-to-concept taxonomy: broader / narrower / related (stored one way)."""

    __tablename__ = "concept_relations"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "type"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(16))  # broader | narrower | related

    source: Mapped[Concept] = relationship(foreign_keys=[source_id])
    target: Mapped[Concept] = relationship(foreign_keys=[target_id])


class Definition(Base):
    """What one source says a concept is. Never edited in place: a change is a new revision.

    All revisions of "the same" definition (same body, source work, clause, language and
    concept) share a ``lineage``; exactly one of them is ``current`` unless it was withdrawn.
    ``valid_from``/``valid_to`` bound the period in which the revision was the source's word,
    which is what the ``as_of`` views read.
    """

    __tablename__ = "definitions"
    __table_args__ = (
        UniqueConstraint("lineage", "revision"),
        Index("ix_definitions_concept_status", "concept_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lineage: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("definitions.id", ondelete="SET NULL")
    )
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    # The source: a standard in the registry, or a citation for non-standards (laws, reports).
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id", ondelete="SET NULL"), index=True
    )
    citation: Mapped[str | None] = mapped_column(String(500))
    clause: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), index=True)
    # The preferred designation, denormalized from ``designations`` for listing and matching.
    term: Mapped[str] = mapped_column(String(300))
    term_key: Mapped[str] = mapped_column(String(300), index=True)
    designations: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text)
    # True when licence terms allow only an excerpt: pages say so and link to ``source_url``.
    is_excerpt: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[list[str]] = mapped_column(default=list)
    examples: Mapped[list[str]] = mapped_column(default=list)
    source_url: Mapped[str | None] = mapped_column(String(500))
    licence: Mapped[str] = mapped_column(String(300))
    nature: Mapped[str | None] = mapped_column(String(24))  # technical | socio_technical
    status: Mapped[str] = mapped_column(String(16), default="current")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    checksum: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    concept: Mapped[Concept] = relationship(back_populates="definitions")
    body: Mapped[Body] = relationship()
    standard: Mapped[Standard | None] = relationship()
    supersedes: Mapped["Definition | None"] = relationship(remote_side=[id])

    @property
    def source_label(self) -> str:
        """The standard's reference, or the citation."""
        return self.standard.reference if self.standard else (self.citation or "")

    def __repr__(self) -> str:
        return f"<Definition {self.id} {self.term!r} r{self.revision}>"


class DefinitionLink(Base):
    """A typed, reviewed relation between two definitions, usually of different bodies."""

    __tablename__ = "definition_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("definitions.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )

    source: Mapped[Definition] = relationship(foreign_keys=[source_id])
    target: Mapped[Definition] = relationship(foreign_keys=[target_id])
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821


class DefinitionSimilarity(Base):
    """Stored pairwise similarity of two current definitions of one concept (same language,
    different bodies), written by ``registry.services.divergence`` when definitions change, so
    pages read it instead of computing it per view. ``low_id < high_id``."""

    __tablename__ = "definition_similarities"
    __table_args__ = (
        UniqueConstraint("low_id", "high_id"),
        CheckConstraint("low_id < high_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    low_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    high_id: Mapped[int] = mapped_column(
        ForeignKey("definitions.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    low: Mapped[Definition] = relationship(foreign_keys=[low_id])
    high: Mapped[Definition] = relationship(foreign_keys=[high_id])
