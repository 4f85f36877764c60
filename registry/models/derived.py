"""Data kept by the writers so that reads are cheap: the catalogue's version and coverage rollups.

``catalogue_state`` holds one row whose ``version`` every catalogue or glossary write moves
(standards, bodies, committees, areas, concepts, definitions, links, divergence), and nothing
else does (posts, tokens, follows): caches of what is computed from the catalogue are keyed by it.

``area_coverage`` counts the standards each area covers (its own tags and those of every area
below it), per status, document type and measurement flag, with the newest publication date
among them: once per body of each standard (a joint ISO/IEC standard counts for ISO and for
IEC), and once more under body 0, "every body", where each standard counts once.
``year_coverage`` counts standards per publication year and combination of bodies (the
standards' ``body_set``), so Figure 13 can count a joint standard once in "Others".
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


EVERY_BODY = 0  # area_coverage.body_id of the rows that count each standard once


class AreaCoverage(Base):
    __tablename__ = "area_coverage"
    __table_args__ = (
        UniqueConstraint("body_id", "area_id", "status", "doc_type", "measurement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    # A body's id, or EVERY_BODY (not a foreign key: 0 names no body).
    body_id: Mapped[int]
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
