"""Bodies, committees, standards and the area taxonomy they are tagged with."""

from datetime import date
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, Timestamped

committee_bodies = Table(
    "committee_bodies",
    Base.metadata,
    Column("committee_id", ForeignKey("committees.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True),
)

# Joint publications (ISO/IEC, ITU-T | ISO/IEC) have several bodies.
standard_bodies = Table(
    "standard_bodies",
    Base.metadata,
    Column("standard_id", ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True, index=True),
)

standard_areas = Table(
    "standard_areas",
    Base.metadata,
    Column("standard_id", ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Body(Timestamped, Base):
    """A standards-developing organization or another source of definitions (NIST, OECD, EU)."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Body {self.code}>"


class Committee(Timestamped, Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str | None] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(500))
    source_id: Mapped[str | None] = mapped_column(String(64))

    bodies: Mapped[list[Body]] = relationship(secondary=committee_bodies, order_by=Body.code)
    parent: Mapped["Committee | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Committee {self.reference}>"


class Area(Timestamped, Base):
    """A node of the gap taxonomy (trustworthiness, governance topics, lifecycle, sectors)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    # What motivates the node: a report paragraph, a standard clause, a law.
    source: Mapped[str | None] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(
        back_populates="parent", order_by="Area.position, Area.title"
    )

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"


class Standard(Timestamped, Base):
    """A deliverable of one or more bodies, referenced the way its body writes it."""

    __tablename__ = "standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(200))
    # registry.references.reference_key(reference): the identity used to match imports.
    reference_key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), index=True)
    stage_code: Mapped[str | None] = mapped_column(String(8))
    published: Mapped[date | None] = mapped_column(index=True)
    # How much of ``published`` the source knew: "day" (null), "month" or "year" (the date is
    # then the first day of it). A less precise date never replaces a more precise one.
    published_precision: Mapped[str | None] = mapped_column(String(8))
    edition: Mapped[str | None] = mapped_column(String(32))
    committee_id: Mapped[int | None] = mapped_column(
        ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    ics: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    keywords: Mapped[list[str]] = mapped_column(default=list)
    measurement_evaluation: Mapped[bool] = mapped_column(default=False)
    socio_technical: Mapped[bool] = mapped_column(default=False)
    human_rights_considered: Mapped[bool] = mapped_column(default=False)
    # Licence of any text stored here (scope, abstract); metadata themselves are facts.
    text_licence: Mapped[str | None] = mapped_column(String(200))
    # Provenance: identifier in the source system, checksum of the last imported record, and
    # the import batches that created and last changed the entry.
    source_id: Mapped[str | None] = mapped_column(String(64))
    checksum: Mapped[str | None] = mapped_column(String(64))
    # Digest of the raw source record (line bytes, mapping version, options) the entry was
    # last written from; cleared by any other write. A re-import of the same bytes skips it.
    source_checksum: Mapped[str | None] = mapped_column(String(40), index=True)
    created_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The ids of ``bodies``, sorted and comma-separated ("3,7"), kept by the writer: the
    # combination of bodies the coverage rollup (registry.models.derived) counts it under.
    body_set: Mapped[str] = mapped_column(String(200), default="")

    bodies: Mapped[list[Body]] = relationship(secondary=standard_bodies, order_by=Body.code)
    areas: Mapped[list[Area]] = relationship(secondary=standard_areas, order_by=Area.slug)
    committee: Mapped[Committee | None] = relationship()
    relations: Mapped[list["StandardRelation"]] = relationship(
        back_populates="standard",
        foreign_keys="StandardRelation.standard_id",
        cascade="all, delete-orphan",
        order_by="StandardRelation.id",
    )

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None

    @property
    def body_codes(self) -> list[str]:
        return [b.code for b in self.bodies]

    def __repr__(self) -> str:
        return f"<Standard {self.reference}>"


class StandardRelation(Base):
    """replaces / replaced_by / amends / adopts ...; the target may not be in the registry yet."""

    __tablename__ = "standard_relations"
    __table_args__ = (UniqueConstraint("standard_id", "type", "target_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(24))
    target_reference: Mapped[str] = mapped_column(String(200))
    # reference_key(target_reference): resolves the target when it arrives later.
    target_key: Mapped[str] = mapped_column(String(200), index=True)
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id", ondelete="SET NULL"), index=True
    )

    standard: Mapped[Standard] = relationship(
        back_populates="relations", foreign_keys=[standard_id]
    )
    target: Mapped[Standard | None] = relationship(foreign_keys=[target_id])
