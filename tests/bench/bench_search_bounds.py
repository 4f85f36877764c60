"""Benchmark: every search is bounded, at 200,000 generated standards.

    PYTHONPATH=. .venv/bin/python -m tests.bench.bench_search_bounds [--standards 200000]
        [--repeat 15]

The attack this answers: with 200,000 standards, ``/api/v1/search?q=L0*`` held a worker for
73-78 s. Builds a fresh SQLite catalogue of N synthetic standards (references ``L000001``
... , one word each, so that ``L0*`` expands to every one of them; titles drawn from a small
vocabulary, so that some words are in nearly every title), builds the whoosh index, then asks
the API (Flask's test client, in this process: wall time and this process's CPU time per
request) prefix, typo, phrase and common-word queries. Beside them, the baseline: SQLite FTS5
over the same references and titles answering the same shapes (count and best 20), in the same
run. Prints numbers; asserts nothing.
"""

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = [
    "artificial",
    "intelligence",
    "machine",
    "learning",
    "systems",
    "risk",
    "management",
    "quality",
    "data",
    "evaluation",
    "transparency",
    "robustness",
    "safety",
    "security",
    "privacy",
    "trustworthy",
    "governance",
    "assessment",
    "requirements",
    "guidelines",
    "framework",
    "terminology",
    "model",
    "testing",
]
QUERIES = {
    "prefix L0* (every reference)": "L0*",
    "prefix sys*": "sys*",
    "typo (fuzzy)": "artifical inteligence",
    "phrase": '"machine learning systems"',
    "common word": "standard",
    "two common words": "standard intelligence",
}
FTS_QUERIES = {  # the same shapes in FTS5 syntax (no typo correction there: the word as typed)
    "prefix L0* (every reference)": '"L0"*',
    "prefix sys*": "sys*",
    "typo (fuzzy)": "artifical inteligence",
    "phrase": '"machine learning systems"',
    "common word": "standard",
    "two common words": "standard intelligence",
}


def titles(n: int, seed: int = 11):
    rng = random.Random(seed)
    for i in range(n):
        words = rng.sample(WORDS, 5)
        yield f"L{i + 1:06d}", "Standard for " + " ".join(words) + f" part {i % 97}"


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build_registry(app, n: int) -> float:
    from sqlalchemy import insert

    from app.extensions import db
    from app.search import service
    from registry.clock import utcnow
    from registry.models import Base, Body, Standard, standard_bodies

    Base.metadata.create_all(db.engine)
    now = utcnow()
    body_id = db.session.execute(
        insert(Body).returning(Body.id),
        [
            {
                "code": "SYN",
                "name": "Synthetic body",
                "kind": "other",
                "created_at": now,
                "updated_at": now,
            }
        ],
    ).scalar_one()
    rows = [
        {
            "reference": ref,
            "reference_key": ref.lower(),
            "title": title,
            "doc_type": "IS",
            "status": "published",
            "measurement_evaluation": False,
            "ics": [],
            "languages": [],
            "keywords": [],
            "extra": {},
            "created_at": now,
            "updated_at": now,
            "body_set": str(body_id),
        }
        for ref, title in titles(n)
    ]
    for start in range(0, n, 20_000):
        ids = db.session.scalars(
            insert(Standard).returning(Standard.id, sort_by_parameter_order=True),
            rows[start : start + 20_000],
        ).all()
        db.session.execute(
            insert(standard_bodies), [{"standard_id": i, "body_id": body_id} for i in ids]
        )
    db.session.commit()
    t0 = time.perf_counter()
    service().reindex()
    return time.perf_counter() - t0


def fts_baseline(n: int, repeat: int) -> dict[str, tuple[float, float, int]]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(reference, title)")
    conn.executemany("INSERT INTO docs VALUES (?, ?)", titles(n))
    out = {}
    for label, q in FTS_QUERIES.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            total = conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (q,)).fetchone()[0]
            conn.execute(
                "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 20", (q,)
            ).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = (statistics.median(times), percentile(times, 99), total)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standards", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from app import create_app

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder}/registry.sqlite3",
                "SEARCH_INDEX_DIR": f"{folder}/index",
                "SEARCH_BACKEND": "whoosh",
                "SEARCH_DRAIN": "inline",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            seconds = build_registry(app, args.standards)
            print(
                f"{args.standards:,} standards; whoosh index built in {seconds:.0f} s; {load()}",
                flush=True,
            )
            client = app.test_client()
            print(
                f"{'query':<30} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} "
                f"{'total':>8}  message",
                flush=True,
            )
            for label, q in QUERIES.items():
                walls, cpus = [], []
                for _ in range(args.repeat):
                    w0, c0 = time.perf_counter(), time.process_time()
                    answer = client.get("/api/v1/search", query_string={"q": q})
                    walls.append((time.perf_counter() - w0) * 1000)
                    cpus.append((time.process_time() - c0) * 1000)
                data = answer.get_json()
                print(
                    f"{label:<30} {statistics.median(walls):8.1f} {percentile(walls, 99):8.1f} "
                    f"{statistics.mean(cpus):10.1f} {data.get('total', 0):8,}  "
                    f"[{answer.status_code}] {(data.get('message') or '')[:70]}",
                    flush=True,
                )
    print(f"\nbaseline: SQLite FTS5, same references and titles, in memory; {load()}")
    print(f"{'query':<30} {'p50 ms':>8} {'p99 ms':>8} {'total':>8}")
    for label, (p50, p99, total) in fts_baseline(args.standards, args.repeat).items():
        print(f"{label:<30} {p50:8.1f} {p99:8.1f} {total:8,}")


if __name__ == "__main__":
    main()
