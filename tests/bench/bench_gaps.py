"""Benchmark: gap rules, coverage matrix and Figure 13 over a synthetic catalogue.

    PYTHONPATH=. .venv/bin/python -m tests.bench.bench_gaps [--standards 100000] [--areas 200]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Builds a synthetic catalogue (bulk inserts, then the coverage rollups counted once, as the
writers would have kept them: the bench measures the reads, not the import) in a fresh SQLite
file, or in a private schema of the PostgreSQL database given. Then prints, cold (computed, no
memo): the gap rules and the coverage matrix together (the issue's figure), each alone, Figure
13, the evidence lists (read when first shown) and a full recount of the rollups; beside them
the baseline, one aggregate over the rollup table; the memo's version check; and the pages and
API calls that draw them, cold and warm. Prints numbers; asserts nothing.
"""

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import insert, select, text

from app import create_app
from app import gaps as computed
from app.extensions import db
from registry.clock import utcnow
from registry.ingest import coverage, version
from registry.models import (
    Area,
    AreaCoverage,
    Base,
    Body,
    Standard,
    standard_areas,
    standard_bodies,
)
from registry.services import gaps

BODIES = ["ISO", "IEC", "ITU-T", "IEEE", "CEN-CENELEC", "ETSI", "NIST", "OECD", "EU", "BSI",
          "DIN", "AFNOR", "SAC", "JISC", "IETF"]
KINDS = ["trustworthiness", "governance", "lifecycle", "sector"]


def build(n_standards: int, n_areas: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    db.session.execute(insert(Body), [
        {"code": c, "name": f"{c} (synthetic)", "kind": "international_sdo", "created_at": now,
         "updated_at": now} for c in BODIES])
    roots = max(1, n_areas // 20)
    area_rows = [{"slug": f"root-{r}", "title": f"Root {r}", "kind": KINDS[r % 4],
                  "position": r, "created_at": now, "updated_at": now} for r in range(roots)]
    db.session.execute(insert(Area), area_rows)
    root_ids = db.session.scalars(select(Area.id).order_by(Area.id)).all()
    db.session.execute(insert(Area), [
        {"slug": f"area-{i}", "title": f"Area {i}", "kind": KINDS[i % 4],
         "parent_id": root_ids[i % roots], "position": i, "created_at": now, "updated_at": now}
        for i in range(n_areas - roots)])
    area_ids = db.session.scalars(select(Area.id)).all()
    body_ids = db.session.scalars(select(Body.id).order_by(Body.id)).all()
    # Skewed like the real catalogue: a few areas and bodies hold most standards.
    area_weights = [1 / (k + 1) ** 0.8 for k in range(len(area_ids))]
    body_weights = [1 / (k + 1) for k in range(len(body_ids))]
    statuses = ["published"] * 70 + ["under_development"] * 12 + ["proposed"] * 3 + \
        ["superseded"] * 10 + ["withdrawn"] * 5
    start = date(1990, 1, 1)
    chunk = 10_000
    for base in range(0, n_standards, chunk):
        rows, chosen = [], []
        for i in range(base, min(base + chunk, n_standards)):
            status = rng.choice(statuses)
            published = None if status in ("proposed", "under_development") else \
                start + timedelta(days=rng.randrange(0, 36 * 365))
            bodies = set(rng.choices(body_ids, body_weights, k=rng.choice((1, 1, 1, 2))))
            chosen.append((bodies, set(rng.choices(area_ids, area_weights,
                                                   k=rng.choice((1, 1, 2, 3))))))
            rows.append({
                "reference": f"SYN {i}", "reference_key": f"syn {i}", "title": f"Synthetic {i}",
                "doc_type": "IS", "status": status, "published": published,
                "measurement_evaluation": rng.random() < 0.2, "ics": [], "languages": [],
                "keywords": [], "extra": {}, "created_at": now, "updated_at": now,
                "body_set": coverage.body_set(bodies),
            })
        ids = db.session.scalars(insert(Standard).returning(Standard.id,
                                 sort_by_parameter_order=True), rows).all()
        pairs = list(zip(ids, chosen, strict=True))
        sb = [{"standard_id": sid, "body_id": b} for sid, (bodies, _) in pairs for b in bodies]
        sa = [{"standard_id": sid, "area_id": a} for sid, (_, tags) in pairs for a in tags]
        db.session.execute(insert(standard_bodies), sb)
        db.session.execute(insert(standard_areas), sa)
    coverage.rebuild(db.session)
    version.bump(db.session)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:
        db.session.execute(text("ANALYZE"))


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, min) wall time in ms."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--standards", type=int, default=100_000)
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-gaps-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    schema = None
    if url.startswith("postgresql"):
        schema = f"bench_gaps_{os.getpid()}"
        from sqlalchemy import create_engine
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "SEARCH_INDEX_DIR": f"{folder}/search", "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
            t0 = time.perf_counter()
            build(args.standards, args.areas)
            n_links = db.session.scalar(select(db.func.count()).select_from(standard_areas))
            print(f"database: {db.engine.dialect.name}; built {args.standards} standards, "
                  f"{args.areas} areas, {n_links} area tags, {len(BODIES)} bodies in "
                  f"{time.perf_counter() - t0:.1f} s")
            print(f"load: {os.getloadavg()}")
            t = computed.thresholds()
            flagged = sum(1 for a in gaps.compute(db.session, t) if a.flags)
            rollup = db.session.scalar(select(db.func.count()).select_from(AreaCoverage))
            print(f"flagged areas: {flagged}; area_coverage rows: {rollup}")

            def evidence():
                for area in gaps.compute(db.session, t):
                    for flag in area.flags:
                        flag.evidence  # noqa: B018 (read them all, as /api/v1/gaps does)

            rows = [
                ("gap rules + coverage matrix (cold)",
                 lambda: gaps.coverage(db.session, t, gaps.compute(db.session, t))),
                ("baseline: one aggregate over area_coverage", lambda: db.session.execute(
                    select(AreaCoverage.area_id, db.func.sum(AreaCoverage.standards))
                    .group_by(AreaCoverage.area_id)).all()),
                ("gap rules (compute, all areas)", lambda: gaps.compute(db.session, t)),
                ("coverage matrix (cells only)",
                 lambda: gaps.coverage(db.session, t, gaps=[])),
                ("standards per year (Figure 13)", lambda: gaps.standards_per_year(
                    db.session, computed.figure_bodies())),
                ("evidence lists of every flag", evidence),
                ("recount of both rollups (moving an area)",
                 lambda: (coverage.rebuild(db.session), db.session.rollback())),
                ("catalogue_version (memo check)", lambda: version.current(db.session)),
            ]
            print(f"{'computation':44} {'median ms':>10} {'min ms':>8}")
            for name, fn in rows:
                med, best = timed(fn, args.repeat)
                print(f"{name:44} {med:10.1f} {best:8.1f}")
            client = app.test_client()
            print(f"{'request':44} {'cold ms':>10} {'warm med':>8}")
            for path in ("/gaps", "/gaps/coverage", "/gaps/coverage.svg", "/api/v1/coverage",
                         "/api/v1/gaps", "/gaps/standards-per-year", "/areas/area-3"):
                computed.memo().clear()
                t0 = time.perf_counter()
                status = client.get(path).status_code
                cold = (time.perf_counter() - t0) * 1000
                warm, _ = timed(lambda p=path: client.get(p), args.repeat)
                print(f"{path:44} {cold:10.1f} {warm:8.1f}  ({status})")
    finally:
        if schema:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            from sqlalchemy import create_engine
            engine = create_engine(args.database_url)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()


if __name__ == "__main__":
    main()
