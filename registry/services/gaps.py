"""Gaps: areas where new standards are needed, computed from the catalogue in SQL.

Never typed in by hand. For every area one aggregate query counts the standards it covers (its
own tags and those of the areas below it): published, in development, published measurement
and evaluation standards, distinct bodies, the latest publication date, and its concepts. Each
rule is one function in ``RULES`` that turns those aggregate columns into a SQL condition (when
the area is flagged), a SQL condition on ``Standard`` (the evidence: which of the area's
standards it counted) and a sentence (the reason). The conditions are evaluated by the
database, in the same query, for every area at once; a second query fetches the evidence of
every flag (capped per flag, with the true count kept).

To add a rule, write a function ``(a, t) -> Check`` and append it to ``RULES``: ``a`` holds the
aggregate columns (see ``_aggregates``), ``t`` the ``Thresholds``. The function's name becomes
the rule's code (``no_published`` -> ``no-published``); its docstring's first line, its title.

Joint publications count for each of their bodies (ISO/IEC 22989 is an ISO and an IEC
standard), as the bodies themselves count them.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from threading import Lock
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    extract,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from registry.models import (
    Area,
    Body,
    Concept,
    Definition,
    DefinitionLink,
    Revision,
    Standard,
    concept_areas,
    standard_bodies,
)
from registry.models.vocab import DEVELOPMENT_STATUSES, SEVERITIES
from registry.taxonomy import closure, covered

# Statuses of documents that were published at some time (Figure 13 counts them in their year).
EVER_PUBLISHED = ("published", "superseded", "withdrawn")


@dataclass(frozen=True)
class Thresholds:
    """The rules' configuration (GAP_* settings of the app)."""

    stale_years: int = 5
    min_published: int = 0  # thin coverage below this many published standards; 0: rule off
    divergence: float = 0.5
    evidence_limit: int = 50
    today: date = field(default_factory=date.today)

    @property
    def stale_before(self) -> date:
        try:
            return self.today.replace(year=self.today.year - self.stale_years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - self.stale_years, day=28)


@dataclass(frozen=True)
class Check:
    """What one rule says about the areas, in SQL."""

    severity: str  # one of vocab.SEVERITIES
    when: ColumnElement[bool]  # over the aggregate columns: the area is flagged
    evidence: ColumnElement[bool] | None  # over Standard: the area's standards it counted
    reason: Callable[[dict[str, Any], Thresholds], str]  # the aggregates -> a sentence


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the rules ---------------------------------------------------------------------------------

published = Standard.status == "published"
developing = Standard.status.in_(DEVELOPMENT_STATUSES)


def no_published(a, t: Thresholds) -> Check:
    """No published standard"""
    return Check(
        severity="high",
        when=a.published == 0,
        evidence=true(),
        reason=lambda r, t: "No published standard covers this area"
        + (f"; {_n(r['developing'], 'standard')} in development." if r["developing"]
           else (f"; only {_n(r['standards'], 'withdrawn or superseded document')}."
                 if r["standards"] else ", and none is in development.")),
    )


def no_measurement(a, t: Thresholds) -> Check:
    """No measurement or evaluation standard"""
    return Check(
        severity="medium",
        when=a.measurement == 0,
        evidence=published,
        reason=lambda r, t: (
            f"Of its {_n(r['published'], 'published standard')}, none specifies how to "
            "measure or evaluate." if r["published"]
            else "No published standard specifies how to measure or evaluate in this area."),
    )


def one_body(a, t: Thresholds) -> Check:
    """Only one body"""
    return Check(
        severity="low",
        when=a.bodies == 1,
        evidence=or_(published, developing),
        reason=lambda r, t: (
            f"Its {_n(r['published'] + r['developing'], 'published or developing standard')} "
            f"all come from one body, {r['body_codes']}: no cross-body convergence."),
    )


def drafts_only(a, t: Thresholds) -> Check:
    """Drafts only"""
    return Check(
        severity="medium",
        when=and_(a.published == 0, a.developing > 0),
        evidence=developing,
        reason=lambda r, t: f"Only drafts: {_n(r['developing'], 'standard')} in development, "
        "none published yet.",
    )


def stale(a, t: Thresholds) -> Check:
    """Every published standard is old"""
    return Check(
        severity="low",
        when=and_(a.published > 0, a.latest_published < t.stale_before),
        evidence=published,
        reason=lambda r, t: (
            f"Its newest published standard dates from {r['latest_published']}, more than "
            f"{t.stale_years} years ago ({_n(r['published'], 'published standard')} in all)."),
    )


def thin(a, t: Thresholds) -> Check:
    """Almost no standards"""
    return Check(
        severity="medium",
        when=and_(a.published > 0, a.published < t.min_published),
        evidence=published,
        reason=lambda r, t: (
            f"Only {_n(r['published'], 'published standard')} in all, fewer than "
            f"{t.min_published}: the area is barely covered"
            + (f" ({r['developing']} more in development)." if r["developing"] else ".")),
    )


def contested_concepts(a, t: Thresholds) -> Check:
    """Contested concepts with no agreed definition"""

    def reason(r, t):
        slugs = ", ".join(sorted(set((r["contested_slugs"] or "").split(", ")) - {""}))
        many = r["contested"] != 1
        return (f"{_n(r['contested'], 'concept')} of this area ({slugs}) "
                f"ha{'ve' if many else 's'} no agreed definition: the bodies' definitions "
                f"diverge by more than {t.divergence:.2f} and no accepted exact or close link "
                "joins two of them.")

    return Check(severity="medium", when=a.contested > 0, evidence=None, reason=reason)


RULES: list[Callable[[Any, Thresholds], Check]] = [
    no_published, no_measurement, one_body, drafts_only, stale, thin, contested_concepts,
]


def rule_code(rule: Callable) -> str:
    return rule.__name__.replace("_", "-")


def rule_titles() -> dict[str, str]:
    return {rule_code(r): (r.__doc__ or rule_code(r)).strip().splitlines()[0] for r in RULES}


# -- computing -------------------------------------------------------------------------------


@dataclass
class Flag:
    rule: str
    title: str
    severity: str
    reason: str
    evidence: list[int]  # standard ids, at most Thresholds.evidence_limit
    evidence_total: int


@dataclass
class AreaGaps:
    area_id: int
    slug: str
    title: str
    kind: str
    parent_id: int | None
    stats: dict[str, Any]
    flags: list[Flag]

    @property
    def severity(self) -> str | None:
        """The gravest rule's severity, one step graver when three or more rules agree."""
        if not self.flags:
            return None
        level = max(SEVERITIES.index(f.severity) for f in self.flags)
        if len(self.flags) >= 3:
            level = min(level + 1, len(SEVERITIES) - 1)
        return SEVERITIES[level]

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.flags]


def _contested(t: Thresholds) -> ColumnElement[bool]:
    """A concept whose definitions diverge beyond the threshold and that no accepted exact or
    close link between two of its own definitions settles."""
    src, tgt = aliased(Definition), aliased(Definition)
    agreed = (
        select(DefinitionLink.id)
        .join(src, src.id == DefinitionLink.source_id)
        .join(tgt, tgt.id == DefinitionLink.target_id)
        .where(src.concept_id == Concept.id, tgt.concept_id == Concept.id,
               DefinitionLink.state == "accepted", DefinitionLink.type.in_(("exact", "close")))
        .exists()
    )
    return and_(Concept.divergence > t.divergence, ~agreed)


def _aggregates(t: Thresholds):
    """One row per area: what it covers, counted by the database."""
    tree = closure()
    cov = covered(tree).cte("covered")
    per_area = (
        select(
            cov.c.area_id,
            func.count().label("standards"),
            func.sum(case((published, 1), else_=0)).label("published"),
            func.sum(case((developing, 1), else_=0)).label("developing"),
            func.sum(case((and_(published, Standard.measurement_evaluation), 1), else_=0))
            .label("measurement"),
            func.max(case((published, Standard.published))).label("latest_published"),
        )
        .join(Standard, Standard.id == cov.c.standard_id)
        .group_by(cov.c.area_id)
        .subquery("per_area")
    )
    per_body = (
        select(
            cov.c.area_id,
            func.count(distinct(standard_bodies.c.body_id)).label("bodies"),
            func.min(Body.code).label("first_body"),
        )
        .join(Standard, Standard.id == cov.c.standard_id)
        .join(standard_bodies, standard_bodies.c.standard_id == Standard.id)
        .join(Body, Body.id == standard_bodies.c.body_id)
        .where(or_(published, developing))
        .group_by(cov.c.area_id)
        .subquery("per_body")
    )
    per_concept = (
        select(
            tree.c.ancestor_id.label("area_id"),
            func.count(distinct(Concept.id)).label("concepts"),
            func.count(distinct(case((Concept.divergence > t.divergence, Concept.id))))
            .label("diverging"),
            func.count(distinct(case((_contested(t), Concept.id)))).label("contested"),
            func.aggregate_strings(case((_contested(t), Concept.slug)), ", ")
            .label("contested_slugs"),
        )
        .join(concept_areas, concept_areas.c.area_id == tree.c.area_id)
        .join(Concept, Concept.id == concept_areas.c.concept_id)
        .group_by(tree.c.ancestor_id)
        .subquery("per_concept")
    )
    zero = literal(0)
    return (
        select(
            Area.id.label("area_id"), Area.slug, Area.title, Area.kind, Area.parent_id,
            func.coalesce(per_area.c.standards, zero).label("standards"),
            func.coalesce(per_area.c.published, zero).label("published"),
            func.coalesce(per_area.c.developing, zero).label("developing"),
            func.coalesce(per_area.c.measurement, zero).label("measurement"),
            per_area.c.latest_published,
            func.coalesce(per_body.c.bodies, zero).label("bodies"),
            per_body.c.first_body.label("body_codes"),
            func.coalesce(per_concept.c.concepts, zero).label("concepts"),
            func.coalesce(per_concept.c.diverging, zero).label("diverging"),
            func.coalesce(per_concept.c.contested, zero).label("contested"),
            per_concept.c.contested_slugs,
        )
        .outerjoin(per_area, per_area.c.area_id == Area.id)
        .outerjoin(per_body, per_body.c.area_id == Area.id)
        .outerjoin(per_concept, per_concept.c.area_id == Area.id)
        .subquery("area_stats")
    )


_STAT_COLUMNS = ("standards", "published", "developing", "measurement", "latest_published",
                 "bodies", "body_codes", "concepts", "diverging", "contested", "contested_slugs")


def compute(session: Session, t: Thresholds) -> list[AreaGaps]:
    """Every area with its aggregates and the flags the rules raise, in tree order."""
    stats = _aggregates(t)
    checks = [(rule_code(rule), rule(stats.c, t)) for rule in RULES]
    rows = session.execute(
        select(stats, *[case((c.when, True), else_=False).label(f"rule_{i}")
                        for i, (_, c) in enumerate(checks)])
    ).mappings().all()

    flagged: dict[str, list[int]] = {code: [] for code, _ in checks}
    for row in rows:
        for i, (code, _) in enumerate(checks):
            if row[f"rule_{i}"]:
                flagged[code].append(row["area_id"])
    evidence = _evidence(session, checks, flagged, t.evidence_limit)

    titles = rule_titles()
    result = []
    for row in rows:
        values = {k: row[k] for k in _STAT_COLUMNS}
        for k in ("standards", "published", "developing", "measurement", "bodies", "concepts",
                  "diverging", "contested"):
            values[k] = int(values[k] or 0)
        flags = []
        for i, (code, check) in enumerate(checks):
            if row[f"rule_{i}"]:
                ids, total = evidence.get((code, row["area_id"]), ([], 0))
                flags.append(Flag(code, titles[code], check.severity, check.reason(values, t),
                                  ids, total))
        result.append(AreaGaps(row["area_id"], row["slug"], row["title"], row["kind"],
                               row["parent_id"], values, flags))
    return tree_order(result)


def _evidence(session: Session, checks, flagged: dict[str, list[int]],
              limit: int) -> dict[tuple[str, int], tuple[list[int], int]]:
    """(rule, area) -> (the first ``limit`` standard ids it counted, how many it counted)."""
    cov = covered(closure()).cte("covered")
    parts = []
    for code, check in checks:
        if not flagged[code] or check.evidence is None:
            continue
        window = {"partition_by": cov.c.area_id}
        parts.append(
            select(
                literal(code).label("rule"), cov.c.area_id, Standard.id.label("standard_id"),
                func.row_number().over(**window, order_by=(Standard.reference_key,))
                .label("rn"),
                func.count().over(**window).label("total"),
            )
            .join(Standard, Standard.id == cov.c.standard_id)
            .where(cov.c.area_id.in_(flagged[code]), check.evidence)
        )
    if not parts:
        return {}
    ranked = union_all(*parts).subquery("ranked")
    found: dict[tuple[str, int], tuple[list[int], int]] = {}
    for rule, area_id, standard_id, total in session.execute(
        select(ranked.c.rule, ranked.c.area_id, ranked.c.standard_id, ranked.c.total)
        .where(ranked.c.rn <= limit).order_by(ranked.c.rule, ranked.c.area_id, ranked.c.rn)
    ):
        ids, _ = found.setdefault((rule, area_id), ([], int(total)))
        ids.append(standard_id)
    return found


def tree_order(items: list[Any]) -> list[Any]:
    """Depth first, each level in the order given (``area_id``/``parent_id`` attributes)."""
    children: dict[int | None, list[Any]] = {}
    ids = {i.area_id for i in items}
    for item in items:
        parent = item.parent_id if item.parent_id in ids else None
        children.setdefault(parent, []).append(item)
    ordered: list[Any] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for item in children.get(parent, []):
            if item.area_id in seen:
                continue
            seen.add(item.area_id)
            item.depth = depth
            ordered.append(item)
            walk(item.area_id, depth + 1)

    walk(None, 0)
    return ordered


# -- pictures' data ------------------------------------------------------------------------------


@dataclass
class Cell:
    published: int = 0
    developing: int = 0

    @property
    def total(self) -> int:
        return self.published + self.developing


@dataclass
class Coverage:
    """The heatmap: areas (tree order, with their gaps) x bodies, counts in each cell."""

    areas: list[AreaGaps]
    bodies: list[tuple[str, str]]  # (code, name), most standards first
    cells: dict[tuple[int, str], Cell]

    def cell(self, area_id: int, code: str) -> Cell:
        return self.cells.get((area_id, code)) or Cell()

    def is_gap(self, area: AreaGaps, code: str) -> bool:
        """Marked cells: the area is flagged and this body has published nothing in it."""
        return bool(area.flags) and self.cell(area.area_id, code).published == 0


def coverage(session: Session, t: Thresholds, gaps: list[AreaGaps] | None = None) -> Coverage:
    cov = covered(closure()).cte("covered")
    rows = session.execute(
        select(
            cov.c.area_id, Body.code,
            func.sum(case((published, 1), else_=0)),
            func.sum(case((developing, 1), else_=0)),
        )
        .join(Standard, Standard.id == cov.c.standard_id)
        .join(standard_bodies, standard_bodies.c.standard_id == Standard.id)
        .join(Body, Body.id == standard_bodies.c.body_id)
        .where(or_(published, developing))
        .group_by(cov.c.area_id, Body.code)
    ).all()
    cells = {(a, code): Cell(int(p or 0), int(d or 0)) for a, code, p, d in rows}
    totals: dict[str, int] = {}
    for (_, code), c in cells.items():
        totals[code] = totals.get(code, 0) + c.total
    names = dict(session.execute(select(Body.code, Body.name)).all())
    bodies = [(code, names[code]) for code in sorted(totals, key=lambda c: (-totals[c], c))]
    return Coverage(gaps if gaps is not None else compute(session, t), bodies, cells)


@dataclass
class YearSeries:
    """Figure 13: standards published per body per year; the rest of the bodies as Others."""

    years: list[int]
    series: list[str]  # body codes shown, then "Others" when there are any
    counts: dict[tuple[str, int], int]

    def count(self, series: str, year: int) -> int:
        return self.counts.get((series, year), 0)

    def year_total(self, year: int) -> int:
        return sum(self.count(s, year) for s in self.series)


OTHERS = "Others"


def standards_per_year(session: Session, shown: tuple[str, ...]) -> YearSeries:
    """Documents ever published (published, superseded, withdrawn) with a date, by year."""
    label = case((Body.code.in_(shown), Body.code), else_=literal(OTHERS)) if shown \
        else literal(OTHERS)
    year = extract("year", Standard.published)
    rows = session.execute(
        select(label.label("series"), year.label("year"), func.count(distinct(Standard.id)))
        .join(standard_bodies, standard_bodies.c.standard_id == Standard.id)
        .join(Body, Body.id == standard_bodies.c.body_id)
        .where(Standard.status.in_(EVER_PUBLISHED), Standard.published.is_not(None))
        .group_by(label, year)
    ).all()
    counts = {(s, int(y)): int(n) for s, y, n in rows}
    present = {s for s, _ in counts}
    series = [c for c in shown if c in present] + ([OTHERS] if OTHERS in present else [])
    years = sorted({y for _, y in counts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    return YearSeries(years, series, counts)


# -- caching -------------------------------------------------------------------------------------


def fingerprint(session: Session) -> tuple:
    """Changes whenever anything the computations read changes; cheap on any catalogue size.

    Every catalogue write (standards, their bodies and areas, areas, concepts) goes through the
    ingest service and leaves a ``Revision`` row, so the newest revision id (an index lookup)
    moves on each write. The small tables are counted too, so an area or a concept tag removed
    by a cascade is seen. Nothing deletes standards or their tags outside the ingest service;
    a change made by hand in SQL needs a restart (or ``Memo.clear``) to be seen.
    """
    return tuple(session.execute(select(
        select(func.max(Revision.id)).scalar_subquery(),
        select(func.max(Area.updated_at)).scalar_subquery(),
        select(func.count()).select_from(Area).scalar_subquery(),
        select(func.max(Concept.updated_at)).scalar_subquery(),
        select(func.count()).select_from(concept_areas).scalar_subquery(),
    )).one())


class Memo:
    """Computed results per process, valid while the database's ``fingerprint`` is unchanged.

    Each request pays for one fingerprint query (a few indexed aggregates) instead of the
    computation. Every worker or node keeps its own copy, and each checks the database, so a
    write through any node is seen by all of them on their next request.
    """

    def __init__(self) -> None:
        self._lock = Lock()
        self._print: tuple | None = None
        self._values: dict[Hashable, Any] = {}
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: Hashable, compute: Callable[[], Any],
            current: tuple | None = None) -> Any:
        """The value for ``key``; ``current``: the fingerprint, when the caller has it."""
        current = current if current is not None else fingerprint(session)
        with self._lock:
            if current != self._print:
                self._print, self._values = current, {}
            if key in self._values:
                self.hits += 1
                return self._values[key]
        value = compute()
        with self._lock:
            self.misses += 1
            if current == self._print:
                self._values[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._print, self._values = None, {}

