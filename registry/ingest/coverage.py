"""The coverage rollups (``area_coverage``, ``year_coverage``), kept by the standards writer.

A write collects, for every standard it creates or changes, what the rollups count it under
(``Facts``): minus its old facts, plus its new ones, for its areas and each of their ancestors.
At the end of the write the nonzero deltas are added to the rows in one upsert. The newest
publication date of a row only grows on additions; a row that lost a standard has its date
recomputed from the standards, for the areas concerned only. A change to the area tree (a new
parent) rebuilds both rollups from the standards in one statement each.

``rebuild`` is also what a migration or a check uses: the rollups must always equal it
(``tests/registry/test_coverage.py`` checks that over random sequences of writes).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, Table, and_, bindparam, cast, delete, extract, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.models import Area, AreaCoverage, Standard, YearCoverage
from registry.taxonomy import closure, covered

AreaKey = tuple[int, str, str, str, bool]  # area, body set, status, document type, measurement
YearKey = tuple[int, str, str]  # year, body set, status


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rollups count one standard under."""

    area_ids: frozenset[int]  # its own tags; the rollup adds their ancestors
    body_set: str
    status: str
    doc_type: str
    measurement: bool
    published: date | None


def body_set(body_ids: Iterable[int]) -> str:
    """The rollups' key for a combination of bodies: their ids, sorted, comma-separated."""
    return ",".join(map(str, sorted(set(body_ids))))


class Tree:
    """Each area's ancestors (itself included), from one read of the areas' parents."""

    def __init__(self, session: Session) -> None:
        self.parent: dict[int, int | None] = dict(
            session.execute(select(Area.id, Area.parent_id)).all())

    def up(self, area_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for area in area_ids:
            while area is not None and area not in found:
                found.add(area)
                area = self.parent.get(area)
        return found


@dataclass
class Delta:
    areas: Counter = field(default_factory=Counter)  # AreaKey -> +/- standards
    latest: dict = field(default_factory=dict)  # AreaKey -> newest date added
    shrunk: set = field(default_factory=set)  # AreaKey that lost a standard
    years: Counter = field(default_factory=Counter)  # YearKey -> +/- standards
    rebuild: bool = False

    def count(self, facts: Facts | None, tree: Tree, sign: int) -> None:
        if facts is None:
            return
        for area in tree.up(facts.area_ids):
            key = (area, facts.body_set, facts.status, facts.doc_type, facts.measurement)
            self.areas[key] += sign
            if sign < 0:
                self.shrunk.add(key)
            elif facts.published and (key not in self.latest
                                      or self.latest[key] < facts.published):
                self.latest[key] = facts.published
        if facts.published:
            self.years[(facts.published.year, facts.body_set, facts.status)] += sign

    def move(self, old: Facts | None, new: Facts | None, tree: Tree) -> None:
        if old != new:
            self.count(old, tree, -1)
            self.count(new, tree, +1)

    def apply(self, session: Session) -> None:
        if self.rebuild:
            rebuild(session)
        else:
            _add(session, AreaCoverage.__table__, ("area_id", "body_set", "status", "doc_type",
                                                   "measurement"), self.areas, self.latest)
            _add(session, YearCoverage.__table__, ("year", "body_set", "status"), self.years, {})
            if self.shrunk:
                _recompute_latest(session, self.shrunk)
        self.areas, self.latest, self.shrunk, self.years = Counter(), {}, set(), Counter()
        self.rebuild = False


def _insert(session: Session, table: Table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _add(session: Session, table: Table, names: tuple[str, ...], counts: Counter,
         latest: dict) -> None:
    rows = [{**dict(zip(names, key, strict=True)), "standards": n,
             **({"latest_published": latest.get(key)} if "area_id" in names else {})}
            for key, n in counts.items() if n]
    if not rows:
        return
    stmt = _insert(session, table)
    values = {"standards": table.c.standards + stmt.excluded.standards}
    if "latest_published" in table.c:
        old, new = table.c.latest_published, stmt.excluded.latest_published
        values["latest_published"] = func.coalesce(
            func.max(old, new) if session.get_bind().dialect.name == "sqlite"
            else func.greatest(old, new), old, new)
    session.execute(stmt.on_conflict_do_update(index_elements=list(names), set_=values), rows)
    session.execute(delete(table).where(table.c.standards <= 0))


def _covered_standards(area_ids: Iterable[int] | None = None):
    """(area, standard columns) for every standard an area covers, optionally of some areas."""
    cov = covered(closure()).subquery("cov")
    stmt = select(cov.c.area_id, Standard.body_set, Standard.status, Standard.doc_type,
                  Standard.measurement_evaluation, Standard.published,
                  ).join(Standard, Standard.id == cov.c.standard_id)
    if area_ids is not None:
        stmt = stmt.where(cov.c.area_id.in_(sorted(area_ids)))
    return stmt.subquery("facts")


def _recompute_latest(session: Session, keys: set[AreaKey]) -> None:
    facts = _covered_standards({k[0] for k in keys})
    group = (facts.c.area_id, facts.c.body_set, facts.c.status, facts.c.doc_type,
             facts.c.measurement_evaluation)
    found = {tuple(row[:5]): row[5] for row in session.execute(
        select(*group, func.max(facts.c.published)).group_by(*group))}
    table = AreaCoverage.__table__
    rows = [{"a": k[0], "b": k[1], "s": k[2], "d": k[3], "m": k[4], "latest": found.get(k)}
            for k in keys]
    session.connection().execute(
        update(table).where(and_(
            table.c.area_id == bindparam("a"), table.c.body_set == bindparam("b"),
            table.c.status == bindparam("s"), table.c.doc_type == bindparam("d"),
            table.c.measurement == bindparam("m"))).values(latest_published=bindparam("latest")),
        rows)


def rebuild(session: Session) -> None:
    """Both rollups from the standards, replacing what they held."""
    session.execute(delete(AreaCoverage))
    session.execute(delete(YearCoverage))
    facts = _covered_standards()
    group = (facts.c.area_id, facts.c.body_set, facts.c.status, facts.c.doc_type,
             facts.c.measurement_evaluation)
    session.execute(AreaCoverage.__table__.insert().from_select(
        ["area_id", "body_set", "status", "doc_type", "measurement", "standards",
         "latest_published"],
        select(*group, func.count(), func.max(facts.c.published)).group_by(*group)))
    year = cast(extract("year", Standard.published), Integer)
    session.execute(YearCoverage.__table__.insert().from_select(
        ["year", "body_set", "status", "standards"],
        select(year, Standard.body_set, Standard.status, func.count())
        .where(Standard.published.is_not(None))
        .group_by(year, Standard.body_set, Standard.status)))


def snapshot(session: Session) -> tuple[dict, dict]:
    """Both rollups as plain dicts (key -> (count, date) and key -> count), for checks."""
    areas = {tuple(r[:5]): (r[5], r[6]) for r in session.execute(select(
        AreaCoverage.area_id, AreaCoverage.body_set, AreaCoverage.status, AreaCoverage.doc_type,
        AreaCoverage.measurement, AreaCoverage.standards, AreaCoverage.latest_published))}
    years = {tuple(r[:3]): r[3] for r in session.execute(select(
        YearCoverage.year, YearCoverage.body_set, YearCoverage.status, YearCoverage.standards))}
    return areas, years

