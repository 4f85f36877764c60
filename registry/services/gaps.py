"""Gaps: areas where new standards are needed, computed from the catalogue.

Never typed in by hand. What every area covers (its own tags and those of the areas below it)
is read from the ``area_coverage`` rollup the writers keep (``registry.ingest.coverage``):
published, in development, published measurement and evaluation standards, distinct bodies,
the latest publication date; its concepts are counted from the (small) glossary tables. Each
rule is one function in ``RULES`` that turns an area's aggregates into a verdict (whether the
area is flagged), a SQL condition on ``Standard`` (the evidence: which of the area's standards
it counted, listed when first asked for), how many standards that is, and a sentence (the
reason). The coverage matrix and Figure 13 read the rollups too.

To add a rule, write a function ``(a, t) -> Check`` and append it to ``RULES``: ``a`` holds the
aggregates as attributes (see ``compute``), ``t`` the ``Thresholds``. The function's name
becomes the rule's code (``no_published`` -> ``no-published``); its docstring's first line, its
title.

Joint publications count for each of their bodies (ISO/IEC 22989 is an ISO and an IEC
standard), as the bodies themselves count them.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from threading import Lock
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from registry.ingest import version
from registry.models import (
    Area,
    AreaCoverage,
    Body,
    Concept,
    Definition,
    DefinitionLink,
    Standard,
    YearCoverage,
    concept_areas,
)
from registry.models.derived import EVERY_BODY
from registry.models.vocab import DEVELOPMENT_STATUSES, SEVERITIES
from registry.taxonomy import closure, covered
from registry.text import Message, sentence, sentence_n

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
    """What one rule says about one area."""

    severity: str  # one of vocab.SEVERITIES
    when: bool  # the area is flagged
    evidence: ColumnElement[bool] | None  # over Standard: the area's standards it counted
    counted: int  # how many standards that is
    reason: Callable[[dict[str, Any], Thresholds], Message]  # the aggregates -> a sentence


# -- the rules ---------------------------------------------------------------------------------

published = Standard.status == "published"
developing = Standard.status.in_(DEVELOPMENT_STATUSES)


def no_published(a, t: Thresholds) -> Check:
    """No published standard"""
    return Check(
        severity="high",
        when=a.published == 0,
        evidence=true(),
        counted=a.standards,
        reason=lambda r, t: (
            sentence_n(
                "No published standard covers this area; %(num)s standard in development.",
                "No published standard covers this area; %(num)s standards in development.",
                r["developing"]) if r["developing"]
            else sentence_n(
                "No published standard covers this area; only %(num)s withdrawn or superseded "
                "document.",
                "No published standard covers this area; only %(num)s withdrawn or superseded "
                "documents.", r["standards"]) if r["standards"]
            else sentence("No published standard covers this area, and none is in development.")),
    )


def no_measurement(a, t: Thresholds) -> Check:
    """No measurement or evaluation standard"""
    return Check(
        severity="medium",
        when=a.measurement == 0,
        evidence=published,
        counted=a.published,
        reason=lambda r, t: (
            sentence_n(
                "Of its %(num)s published standard, none specifies how to measure or evaluate.",
                "Of its %(num)s published standards, none specifies how to measure or evaluate.",
                r["published"]) if r["published"]
            else sentence(
                "No published standard specifies how to measure or evaluate in this area.")),
    )


def one_body(a, t: Thresholds) -> Check:
    """Only one body"""
    return Check(
        severity="low",
        when=a.bodies == 1,
        evidence=or_(published, developing),
        counted=a.published + a.developing,
        reason=lambda r, t: sentence_n(
            "Its %(num)s published or developing standard comes from one body, %(body)s: no "
            "cross-body convergence.",
            "Its %(num)s published or developing standards all come from one body, %(body)s: "
            "no cross-body convergence.", r["published"] + r["developing"], body=r["body_codes"]),
    )


def drafts_only(a, t: Thresholds) -> Check:
    """Drafts only"""
    return Check(
        severity="medium",
        when=a.published == 0 and a.developing > 0,
        evidence=developing,
        counted=a.developing,
        reason=lambda r, t: sentence_n(
            "Only drafts: %(num)s standard in development, none published yet.",
            "Only drafts: %(num)s standards in development, none published yet.",
            r["developing"]),
    )


def stale(a, t: Thresholds) -> Check:
    """Every published standard is old"""
    return Check(
        severity="low",
        when=a.published > 0 and a.latest_published is not None
        and a.latest_published < t.stale_before,
        evidence=published,
        counted=a.published,
        reason=lambda r, t: sentence_n(
            "Its newest published standard dates from %(date)s, more than %(years)s years ago "
            "(%(num)s published standard in all).",
            "Its newest published standard dates from %(date)s, more than %(years)s years ago "
            "(%(num)s published standards in all).", r["published"],
            date=str(r["latest_published"]), years=t.stale_years),
    )


def thin(a, t: Thresholds) -> Check:
    """Almost no standards"""
    return Check(
        severity="medium",
        when=0 < a.published < t.min_published,
        evidence=published,
        counted=a.published,
        reason=lambda r, t: (
            sentence_n(
                "Only %(num)s published standard in all, fewer than %(minimum)s: the area is "
                "barely covered (%(developing)s more in development).",
                "Only %(num)s published standards in all, fewer than %(minimum)s: the area is "
                "barely covered (%(developing)s more in development).", r["published"],
                minimum=t.min_published, developing=r["developing"]) if r["developing"]
            else sentence_n(
                "Only %(num)s published standard in all, fewer than %(minimum)s: the area is "
                "barely covered.",
                "Only %(num)s published standards in all, fewer than %(minimum)s: the area is "
                "barely covered.", r["published"], minimum=t.min_published)),
    )


def contested_concepts(a, t: Thresholds) -> Check:
    """Contested concepts with no agreed definition"""

    def reason(r, t):
        slugs = ", ".join(sorted(set((r["contested_slugs"] or "").split(", ")) - {""}))
        return sentence_n(
            "%(num)s concept of this area (%(concepts)s) has no agreed definition: the bodies' "
            "definitions diverge by more than %(threshold)s and no accepted exact or close link "
            "joins two of them.",
            "%(num)s concepts of this area (%(concepts)s) have no agreed definition: the "
            "bodies' definitions diverge by more than %(threshold)s and no accepted exact or "
            "close link joins two of them.", r["contested"], concepts=slugs,
            threshold=f"{t.divergence:.2f}")

    return Check(severity="medium", when=a.contested > 0, evidence=None, counted=0,
                 reason=reason)


RULES: list[Callable[[Any, Thresholds], Check]] = [
    no_published, no_measurement, one_body, drafts_only, stale, thin, contested_concepts,
]


def rule_code(rule: Callable) -> str:
    return rule.__name__.replace("_", "-")


def rule_titles() -> dict[str, str]:
    return {rule_code(r): (r.__doc__ or rule_code(r)).strip().splitlines()[0] for r in RULES}


# -- computing -------------------------------------------------------------------------------


class Flag:
    """One rule's verdict on one area. ``evidence`` (the first standard ids the rule counted,
    at most ``Thresholds.evidence_limit``) is read when first asked for, for every flag of the
    computation at once; ``evidence_total`` comes with the rule."""

    def __init__(self, rule: str, title: str, severity: str, message: Message,
                 evidence_total: int, area_id: int, evidence: "Evidence | None" = None) -> None:
        self.rule, self.title, self.severity = rule, title, severity
        # The sentence: in English as ``reason`` (API, CLI), translatable as ``message``.
        self.message, self.reason = message, str(message)
        self.evidence_total, self.area_id, self._evidence = evidence_total, area_id, evidence

    @property
    def evidence(self) -> list[int]:
        if self._evidence is None:
            return []
        return self._evidence.ids(self.rule, self.area_id)

    def __repr__(self) -> str:
        return f"<Flag {self.rule} on area {self.area_id}>"


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


PUBLISHED = ("published",)
IN_DEVELOPMENT = tuple(DEVELOPMENT_STATUSES)


def _standard_stats(session: Session) -> dict[int, dict[str, Any]]:
    """Per area, from the ``area_coverage`` rollup: what it covers, by status, and its bodies."""
    cov = AreaCoverage
    is_published = cov.status == "published"
    rows = session.execute(
        select(cov.area_id,
               func.sum(cov.standards),
               func.sum(case((is_published, cov.standards), else_=0)),
               func.sum(case((cov.status.in_(IN_DEVELOPMENT), cov.standards), else_=0)),
               func.sum(case((and_(is_published, cov.measurement), cov.standards), else_=0)),
               func.max(case((is_published, cov.latest_published))))
        .where(cov.body_id == EVERY_BODY)
        .group_by(cov.area_id))
    stats = {area: {"standards": int(n or 0), "published": int(p or 0),
                    "developing": int(d or 0), "measurement": int(m or 0),
                    "latest_published": _as_date(latest), "body_ids": set()}
             for area, n, p, d, m, latest in rows}
    for area, body in session.execute(
            select(cov.area_id, cov.body_id).distinct()
            .where(cov.body_id != EVERY_BODY, cov.status.in_(PUBLISHED + IN_DEVELOPMENT),
                   cov.standards > 0)):
        stats[area]["body_ids"].add(body)
    return stats


def _as_date(value) -> date | None:
    """SQLite returns max() over dates as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _ids(body_set: str) -> list[int]:
    """The body ids of a ``year_coverage.body_set``."""
    return [int(i) for i in body_set.split(",") if i]


def _concept_stats(session: Session, t: Thresholds) -> dict[int, dict[str, Any]]:
    """Per area (its own tags and those below it): concepts, diverging and contested ones."""
    tree = closure()
    rows = session.execute(
        select(
            tree.c.ancestor_id,
            func.count(distinct(Concept.id)),
            func.count(distinct(case((Concept.divergence > t.divergence, Concept.id)))),
            func.count(distinct(case((_contested(t), Concept.id)))),
            func.aggregate_strings(case((_contested(t), Concept.slug)), ", "),
        )
        .join(concept_areas, concept_areas.c.area_id == tree.c.area_id)
        .join(Concept, Concept.id == concept_areas.c.concept_id)
        .group_by(tree.c.ancestor_id))
    return {area: {"concepts": int(n), "diverging": int(d), "contested": int(c),
                   "contested_slugs": slugs} for area, n, d, c, slugs in rows}


_NO_STANDARDS = {"standards": 0, "published": 0, "developing": 0, "measurement": 0,
                 "latest_published": None, "body_ids": set()}
_NO_CONCEPTS = {"concepts": 0, "diverging": 0, "contested": 0, "contested_slugs": None}


def compute(session: Session, t: Thresholds) -> list[AreaGaps]:
    """Every area with its aggregates and the flags the rules raise, in tree order."""
    standards, concepts = _standard_stats(session), _concept_stats(session, t)
    codes = dict(session.execute(select(Body.id, Body.code)).all())
    titles = rule_titles()
    evidence = Evidence(session, t.evidence_limit)
    result = []
    for area_id, slug, title, kind, parent_id in session.execute(
            select(Area.id, Area.slug, Area.title, Area.kind, Area.parent_id)):
        own = standards.get(area_id, _NO_STANDARDS)
        bodies = sorted(codes[i] for i in own["body_ids"] if i in codes)
        values = {k: v for k, v in own.items() if k != "body_ids"}
        values.update(bodies=len(bodies), body_codes=bodies[0] if bodies else None,
                      **concepts.get(area_id, _NO_CONCEPTS))
        a = SimpleNamespace(**values)
        flags = []
        for rule in RULES:
            check = rule(a, t)
            if check.when:
                code = rule_code(rule)
                flags.append(Flag(code, titles[code], check.severity, check.reason(values, t),
                                  check.counted, area_id, evidence))
                if check.evidence is not None:
                    evidence.wanted[code] = (check.evidence, evidence.wanted.get(code, (
                        None, []))[1] + [area_id])
        result.append(AreaGaps(area_id, slug, title, kind, parent_id, values, flags))
    return tree_order(result)


class Evidence:
    """The standards each flag counted, read once for all flags when first asked for (the
    listing expands every area to the standards below it, which the rules themselves, reading
    the rollup, never need)."""

    def __init__(self, session: Session, limit: int) -> None:
        self.session, self.limit = session, limit
        self.wanted: dict[str, tuple[ColumnElement[bool], list[int]]] = {}
        self._found: dict[tuple[str, int], list[int]] | None = None
        self._lock = Lock()

    def ids(self, rule: str, area_id: int) -> list[int]:
        with self._lock:
            if self._found is None:
                self._found = self._read()
        return self._found.get((rule, area_id), [])

    def _read(self) -> dict[tuple[str, int], list[int]]:
        cov = covered(closure()).cte("covered")
        parts = []
        for code, (condition, areas) in self.wanted.items():
            window = {"partition_by": cov.c.area_id}
            parts.append(
                select(literal(code).label("rule"), cov.c.area_id,
                       Standard.id.label("standard_id"),
                       func.row_number().over(**window, order_by=(Standard.reference_key,))
                       .label("rn"))
                .join(Standard, Standard.id == cov.c.standard_id)
                .where(cov.c.area_id.in_(areas), condition))
        if not parts:
            return {}
        ranked = union_all(*parts).subquery("ranked")
        found: dict[tuple[str, int], list[int]] = {}
        for rule, area_id, standard_id in self.session.execute(
            select(ranked.c.rule, ranked.c.area_id, ranked.c.standard_id)
            .where(ranked.c.rn <= self.limit)
            .order_by(ranked.c.rule, ranked.c.area_id, ranked.c.rn)
        ):
            found.setdefault((rule, area_id), []).append(standard_id)
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
    """Areas x bodies, from the ``area_coverage`` rollup: a joint standard counts in the cell of
    each of its bodies."""
    cov = AreaCoverage
    codes = dict(session.execute(select(Body.id, Body.code)).all())
    is_published = cov.status == "published"
    cells = {
        (area_id, codes[body_id]): Cell(int(p or 0), int(d or 0))
        for area_id, body_id, p, d in session.execute(
            select(cov.area_id, cov.body_id,
                   func.sum(case((is_published, cov.standards), else_=0)),
                   func.sum(case((cov.status.in_(IN_DEVELOPMENT), cov.standards), else_=0)))
            .where(cov.body_id != EVERY_BODY, cov.status.in_(PUBLISHED + IN_DEVELOPMENT))
            .group_by(cov.area_id, cov.body_id))
    }
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
    """Documents ever published (published, superseded, withdrawn) with a date, by year, from
    the ``year_coverage`` rollup; a standard of several bodies counts once per series."""
    codes = dict(session.execute(select(Body.id, Body.code)).all())
    counts: dict[tuple[str, int], int] = {}
    for year, body_set, n in session.execute(
            select(YearCoverage.year, YearCoverage.body_set, func.sum(YearCoverage.standards))
            .where(YearCoverage.status.in_(EVER_PUBLISHED))
            .group_by(YearCoverage.year, YearCoverage.body_set)):
        series = {codes[i] if codes[i] in shown else OTHERS for i in _ids(body_set)}
        for label in series:
            counts[(label, int(year))] = counts.get((label, int(year)), 0) + int(n)
    present = {s for s, _ in counts}
    series = [c for c in shown if c in present] + ([OTHERS] if OTHERS in present else [])
    years = sorted({y for _, y in counts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    return YearSeries(years, series, counts)


# -- caching -------------------------------------------------------------------------------------


class Memo:
    """Computed results per process, valid while ``catalogue_version`` is unchanged.

    Only catalogue and glossary writes move the version (a forum post or a new token does
    not), and each request pays one primary-key read for it. A result missing from the memo is
    computed once: a second request for it waits for the first instead of computing it again.
    Every worker or node keeps its own copy and checks the version, so a write through any node
    is seen by all of them on their next request.
    """

    def __init__(self) -> None:
        self._lock = Lock()
        self._version: int | None = None
        self._values: dict[Hashable, Any] = {}
        self._computing: dict[Hashable, Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: Hashable, compute: Callable[[], Any],
            current: int | None = None) -> Any:
        """The value for ``key``; ``current``: the catalogue version, when the caller has it."""
        current = current if current is not None else version.current(session)
        with self._lock:
            if current != self._version:
                self._version, self._values, self._computing = current, {}, {}
            if key in self._values:
                self.hits += 1
                return self._values[key]
            computing = self._computing.setdefault(key, Lock())
        with computing:
            with self._lock:
                if current == self._version and key in self._values:
                    self.hits += 1
                    return self._values[key]
            value = compute()
            with self._lock:
                self.misses += 1
                if current == self._version:
                    self._values[key] = value
            return value

    def clear(self) -> None:
        with self._lock:
            self._version, self._values, self._computing = None, {}, {}
