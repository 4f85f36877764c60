"""The app's view of the gap computations: thresholds from config, results memoized per process.

``registry.services.gaps`` computes; this module decides what to recompute. The memo is keyed
by ``catalogue_version`` (read once per request), so a catalogue or glossary write from any
worker or node is seen on the next request and nothing else recomputes; the date is part of
the key (the stale rule depends on it).
"""

from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select

from app.extensions import db
from registry.clock import today
from registry.ingest import version
from registry.models import Annotation
from registry.services import annotations, catalogue, gaps
from registry.taxonomy import descendant_ids


def thresholds() -> gaps.Thresholds:
    config = current_app.config
    return gaps.Thresholds(
        stale_years=config["GAP_STALE_YEARS"],
        min_published=config["GAP_MIN_PUBLISHED"],
        divergence=config["GAP_DIVERGENCE_THRESHOLD"],
        evidence_limit=config["GAP_EVIDENCE_LIMIT"],
        today=today(),
    )


def figure_bodies() -> tuple[str, ...]:
    return tuple(c.strip() for c in current_app.config["GAP_FIGURE_BODIES"].split(",")
                 if c.strip())


def memo() -> gaps.Memo:
    return current_app.extensions.setdefault("gaps_memo", gaps.Memo())


def _version() -> int:
    """The catalogue's version, read once per request (views read several results)."""
    if not has_request_context():
        return version.current(db.session)
    key = "registry.catalogue_version"
    if key not in request.environ:
        request.environ[key] = version.current(db.session)
    return request.environ[key]


def memoized(key, compute):
    """``compute()``, or its result from the memo while the catalogue is unchanged (plain
    values only: rows and tuples, never ORM objects, which belong to one request's session)."""
    return memo().get(db.session, key, compute, _version())


def body_counts() -> list:
    """Every body with its numbers of standards (home page, bodies page, API)."""
    return memoized("body_counts", lambda: catalogue.body_counts(db.session))


def areas() -> list[gaps.AreaGaps]:
    """Every area with its aggregates and flags (tree order)."""
    t = thresholds()
    return memoized(("areas", t), lambda: gaps.compute(db.session, t))


def coverage() -> gaps.Coverage:
    t = thresholds()
    return memoized(("coverage", t), lambda: gaps.coverage(db.session, t, areas()))


def per_year() -> gaps.YearSeries:
    shown = figure_bodies()
    return memoized(("per-year", shown), lambda: gaps.standards_per_year(db.session, shown))


@dataclass
class GapRow:
    """A flagged area as the gap list shows it: computed flags and the panel's current word."""

    area: gaps.AreaGaps
    annotation: Annotation | None

    @property
    def slug(self) -> str:
        return self.area.slug

    @property
    def title(self) -> str:
        return self.area.title

    @property
    def kind(self) -> str:
        return self.area.kind

    @property
    def flags(self) -> list[gaps.Flag]:
        return self.area.flags

    @property
    def computed_severity(self) -> str | None:
        return self.area.severity

    @property
    def severity(self) -> str | None:
        return self.annotation.severity if self.annotation else self.area.severity

    @property
    def annotation_status(self) -> str | None:
        return self.annotation.status if self.annotation else None


@dataclass
class GapPage:
    items: list[GapRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def gap_list(filters: dict[str, Any]) -> GapPage:
    """The flagged areas, filtered (see ``registry.schemas.gaps.GapQuery``), gravest first."""
    latest = annotations.latest_by_area(db.session)
    rows = [GapRow(a, latest.get(a.area_id)) for a in areas() if a.flags]
    if rule := filters.get("rule"):
        rows = [r for r in rows if rule in r.area.rules]
    if kind := filters.get("kind"):
        rows = [r for r in rows if r.kind == kind]
    if severity := filters.get("severity"):
        rows = [r for r in rows if r.severity == severity]
    if status := filters.get("status"):
        rows = [r for r in rows if (r.annotation_status or "none") == status]
    if area := filters.get("area"):
        below = set(db.session.scalars(select(descendant_ids(area).subquery().c.area_id)))
        rows = [r for r in rows if r.area.area_id in below]
    order = gaps.SEVERITIES
    rows.sort(key=lambda r: (-order.index(r.severity) if r.severity else 0, -len(r.flags)))
    page, per_page = filters.get("page", 1), filters.get("per_page", 100)
    start = (page - 1) * per_page
    return GapPage(rows[start:start + per_page], len(rows), page, per_page)
