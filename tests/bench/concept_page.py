"""Benchmark: render time of a concept page (p50/p95), on the demo glossary and on a synthetic
concept with 50 definitions and 200 links inside a glossary of 2,000 concepts.

    .venv/bin/python tests/bench/concept_page.py [--runs 200]

Every route is measured twice in the run: as is, then after ``gc.freeze()`` (what
``gunicorn.conf.py`` does in each worker). Prints numbers; asserts nothing. Requests go through
Flask's test client (in process: the application's time, without a network or a web server).
The synthetic bodies and texts are made up and labelled so ("Synthetic body N"); no real body
is named.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registry.policy import OPERATOR

_VOCABULARY = (
    "system model data risk harm people group output decision process measure level "
    "performance fair equal treat unjust bias human oversight control transparent "
    "information explain purpose context use safe secure robust account trust"
)
WORDS = _VOCABULARY.split()


def synthetic(session, concepts: int, definitions: int, links_n: int) -> str:
    from registry.models import Definition
    from registry.services import divergence, links
    from tests import factories as f

    rng = random.Random(42)
    bodies = [f.body(f"SYN{i:02d}", name=f"Synthetic body {i}", kind="other") for i in range(1, 11)]
    f.load(session, *bodies)
    records = [f.concept(f"synthetic-{i}") for i in range(concepts)]
    for i in range(concepts):
        for b in range(2):
            records.append(
                f.definition(
                    " ".join(rng.choices(WORDS, k=18)),
                    concept=f"synthetic-{i}",
                    body=f"SYN{b + 1:02d}",
                    source=f"Synthetic source {b}",
                    term=f"synthetic {i}",
                    licence="Synthetic benchmark text",
                )
            )
    for n in range(definitions):
        records.append(
            f.definition(
                " ".join(rng.choices(WORDS, k=25)),
                concept="synthetic-0",
                body=f"SYN{n % 10 + 1:02d}",
                source=f"Synthetic source {n}",
                clause=f"3.{n}",
                term="synthetic 0",
                language=("en", "fr")[n % 7 == 0],
                licence="Synthetic benchmark text",
            )
        )
    f.load(session, *records)
    ids = [
        d.id
        for d in session.query(Definition)
        .filter(Definition.concept.has(slug="synthetic-0"))
        .order_by(Definition.id)
    ]
    pairs = rng.sample([(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]], links_n)
    types = ("exact", "close", "broader", "narrower", "related", "conflicting")
    for k, (a, b) in enumerate(pairs):
        link = links.create_link(
            session,
            OPERATOR,
            source_id=a,
            target_id=b,
            type=types[k % 6],
            rationale="synthetic",
        )
        if k % 3 == 0:
            links.review_link(session, OPERATOR, link, state="accepted")
    divergence.recompute_all(session, OPERATOR)
    session.commit()
    return "synthetic-0"


def timed(client, url: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread) milliseconds per request. On a shared, loaded machine
    the wall clock includes waiting for a core; the CPU time is the work the request did."""
    assert client.get(url).status_code == 200, url  # warm up (templates compiled)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        assert response.status_code == 200
    return wall, cpu


def _p95(values: list[float]) -> float:
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def report(label: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(
        f"{label:58s} n={len(wall):4d} wall p50={statistics.median(wall):6.1f} "
        f"p95={_p95(wall):6.1f} | cpu p50={statistics.median(cpu):6.1f} "
        f"p95={_p95(cpu):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--concepts", type=int, default=2000)
    parser.add_argument("--folder", help="Keep the database here; reuse it when it exists.")
    parser.add_argument("--profile", help="Profile this URL instead (cProfile, top 25).")
    args = parser.parse_args()
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-glossary-"))
    folder.mkdir(parents=True, exist_ok=True)
    fresh = not (folder / "r.sqlite3").exists()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder / 'r.sqlite3'}",
        SEARCH_INDEX_DIR=str(folder / "idx"),
        SECRET_KEY="bench",
    )
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import demo_load
    from app.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False})
    slug = "synthetic-0"
    if fresh:
        with app.app_context():
            upgrade()
            app.test_cli_runner().invoke(demo_load)
            synthetic(db.session, args.concepts, 50, 200)
            db.session.remove()
    client = app.test_client()
    if args.profile:
        import cProfile
        import pstats

        client.get(args.profile)
        with cProfile.Profile() as profile:
            for _ in range(20):
                client.get(args.profile)
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(30)
        return
    print(f"load average: {os.getloadavg()}")
    routes = [
        ("demo: /glossary/fairness", "/glossary/fairness"),
        ("demo: /glossary/fairness?superseded=true", "/glossary/fairness?superseded=true"),
        (f"synthetic: 50 definitions, 200 links (/glossary/{slug})", f"/glossary/{slug}"),
        ("synthetic: same, ?as_of=2030-01-01", f"/glossary/{slug}?as_of=2030-01-01"),
        ("synthetic: glossary index, most contested first", "/glossary?sort=divergence"),
        ("synthetic: API /api/v1/concepts/<slug>", f"/api/v1/concepts/{slug}"),
    ]
    for label, url in routes:
        report(label, timed(client, url, args.runs))
    # As gunicorn.conf.py does once a worker has built the app: what the app allocated is out
    # of the collector's reach, so a collection during a request walks only that request's.
    gc.collect()
    gc.freeze()
    print(f"after gc.freeze() (gunicorn.conf.py); load average: {os.getloadavg()}")
    for label, url in routes:
        report(label, timed(client, url, args.runs))


if __name__ == "__main__":
    main()
