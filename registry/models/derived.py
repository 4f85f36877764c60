"""Data kept by the writers so that reads are cheap: the catalogue's version and coverage rollups.

``catalogue_state`` holds one row whose ``version`` every catalogue or glossary write moves
(standards, bodies, committees, areas, concepts, definitions, links, divergence), and nothing
else does (posts, tokens, follows): caches of what is computed from the catalogue are keyed by it.

``area_coverage`` counts the standards each area covers (its own tags and those of every area
below it), per combination of bodies, status, document type and measurement flag, with the
newest publication date among them. A joint standard (ISO/IEC) is one row of the combination
"ISO,IEC", so totals over an area count it once and a body's cell counts it for each body.
``year_coverage`` counts standards per publication year the same way (Figure 13).
"""

from datetime import date

from sqlalchemy import DDL, BigInteger, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base


class CatalogueState(Base):
    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


event.listen(CatalogueState.__table__, "after_create",
             DDL("INSERT INTO catalogue_state (id, version) VALUES (1, 0)"))


class AreaCoverage(Base):
    __tablename__ = "area_coverage"
    __table_args__ = (
        UniqueConstraint("area_id", "body_set", "status", "doc_type", "measurement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    # The standards' body ids, sorted, comma-separated ("3,7"): one combination of bodies.
    body_set: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    doc_type: Mapped[str] = mapped_column(String(32))
    measurement: Mapped[bool]
    standards: Mapped[int] = mapped_column(Integer, default=0)
    latest_published: Mapped[date | None]


class YearCoverage(Base):
    __tablename__ = "year_coverage"
    __table_args__ = (UniqueConstraint("year", "body_set", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    body_set: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    standards: Mapped[int] = mapped_column(Integer, default=0)
