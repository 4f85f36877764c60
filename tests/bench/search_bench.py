"""Search benchmark on SYNTHETIC data: latency of whoosh, PostgreSQL and SQLite FTS5 (baseline).

Everything here is generated: pseudo-words drawn from a Zipf distribution, bodies SYN-A ... SYN-H,
references "SYN 100000". None of it is a real standard or a real definition.

    .venv/bin/python tests/bench/search_bench.py --standards 100000 --definitions 50000 \
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--queries 200]

Prints, per backend: full rebuild time and rate, one change + drain time, and p50/p95/p99
latency of queries measured end to end through SearchService.search (top 20 with highlighted
snippets, facet counts and the total), for *selective* queries (words in about 0.05-0.5% of the
documents: typical lookups) and *common* ones (Zipf-weighted frequent words: the worst case).
FTS5 answers the same words (top 20 with snippet(), plus count(*)) as the baseline.
Numbers are printed, never asserted.
"""

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from registry.db import make_session_factory  # noqa: E402
from registry.models import (  # noqa: E402
    Base,
    Body,
    Concept,
    ConceptLabel,
    Definition,
    SearchOutbox,
    Standard,
    standard_bodies,
)
from registry.search.base import SearchRequest  # noqa: E402
from registry.search.service import SearchService  # noqa: E402

VOCABULARY = 8000
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ta",
    "ri",
    "po",
    "va",
    "de",
    "gu",
    "fi",
    "zo",
    "be",
    "ha",
    "ju",
    "ce",
    "xo",
    "qu",
    "wy",
]
BODIES = [f"SYN-{c}" for c in "ABCDEFGH"]
LANGS = ["en"] * 6 + ["fr", "es", "zh-Hans"]


def make_words(n: int, rng: random.Random) -> list[str]:
    words: list[str] = []
    seen = set()
    while len(words) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class Corpus:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.words = make_words(VOCABULARY, self.rng)
        weights = [1 / (rank + 1) for rank in range(VOCABULARY)]
        self.cum = list(self._accumulate(weights))

    @staticmethod
    def _accumulate(weights):
        total = 0.0
        for w in weights:
            total += w
            yield total

    def sentence(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, cum_weights=self.cum, k=n))


def populate(engine, n_standards: int, n_definitions: int, corpus: Corpus) -> None:
    Base.metadata.create_all(engine)
    now = date(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(
            insert(Body),
            [{"code": c, "name": f"Synthetic body {c}", "kind": "other"} for c in BODIES],
        )
        body_ids = [r[0] for r in conn.execute(text("SELECT id FROM bodies ORDER BY id"))]
        for start in range(0, n_standards, 5000):
            rows = []
            for i in range(start, min(start + 5000, n_standards)):
                ref = f"SYN {100000 + i}:{2000 + i % 26}"
                rows.append(
                    {
                        "reference": ref,
                        "reference_key": ref,
                        "title": corpus.sentence(4, 10),
                        "scope": corpus.sentence(15, 40),
                        "doc_type": "IS",
                        "status": "published",
                        "published": now,
                        "ics": [],
                        "languages": [],
                        "keywords": [],
                        "extra": {},
                    }
                )
            conn.execute(insert(Standard), rows)
        std_ids = [r[0] for r in conn.execute(text("SELECT id FROM standards ORDER BY id"))]
        conn.execute(
            insert(standard_bodies),
            [{"standard_id": s, "body_id": body_ids[s % len(body_ids)]} for s in std_ids],
        )
        n_concepts = max(1, n_definitions // 3)
        conn.execute(insert(Concept), [{"slug": f"syn-{i}"} for i in range(n_concepts)])
        concept_ids = [r[0] for r in conn.execute(text("SELECT id FROM concepts ORDER BY id"))]
        conn.execute(
            insert(ConceptLabel),
            [
                {
                    "concept_id": c,
                    "language": "en",
                    "label": corpus.sentence(1, 3),
                    "label_key": f"k{c}",
                    "kind": "preferred",
                }
                for c in concept_ids
            ],
        )
        for start in range(0, n_definitions, 5000):
            rows = []
            for i in range(start, min(start + 5000, n_definitions)):
                term = corpus.sentence(1, 3)
                rows.append(
                    {
                        "lineage": f"l{i}",
                        "revision": 1,
                        "concept_id": concept_ids[i % n_concepts],
                        "body_id": body_ids[i % len(body_ids)],
                        "citation": "Synthetic source",
                        "language": LANGS[i % len(LANGS)],
                        "term": term,
                        "term_key": term,
                        "designations": [{"term": term, "type": "preferred"}],
                        "text": corpus.sentence(15, 40),
                        "notes": [],
                        "examples": [],
                        "licence": "synthetic",
                        "status": "current",
                        "checksum": f"c{i}",
                    }
                )
            conn.execute(insert(Definition), rows)


def percentiles(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100)
    return (
        f"p50 {qs[49] * 1000:7.1f} ms  p95 {qs[94] * 1000:7.1f} ms  "
        f"p99 {qs[98] * 1000:7.1f} ms  mean {statistics.mean(samples) * 1000:6.1f} ms"
    )


def query_sets(corpus: Corpus, n: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    selective = corpus.words[500:8000]
    common = corpus.words[:3000]

    def make(pool, weighted):
        pick = (
            (lambda k: rng.choices(pool, cum_weights=corpus.cum[: len(pool)], k=k))
            if weighted
            else (lambda k: rng.sample(pool, k))
        )
        out = []
        for i in range(n):
            kind = i % 5
            if kind == 0:
                out.append(pick(1)[0])
            elif kind == 1:
                out.append(" ".join(pick(2)))
            elif kind == 2:
                out.append('"' + " ".join(pick(2)) + '"')
            elif kind == 3:
                out.append(pick(1)[0][:4] + "*")
            else:
                w = pick(1)[0]
                out.append(w[:2] + w[3:] if len(w) > 4 else w)  # one deletion: a typo
        return out

    return {"selective": make(selective, False), "common": make(common, True)}


def bench_service(
    label: str, svc: SearchService, sessions: sessionmaker, queries, rebuild: bool = True
) -> None:
    if rebuild:
        started = time.perf_counter()
        count = svc.reindex()
        elapsed = time.perf_counter() - started
        print(
            f"[{label}] rebuild: {count} documents in {elapsed:.1f} s "
            f"({count / elapsed:.0f} docs/s)",
            flush=True,
        )
    with sessions() as session:
        svc.search(session, SearchRequest("warmup"))
        for name, qs in queries.items():
            samples = []
            for q in qs:
                t = time.perf_counter()
                svc.search(session, SearchRequest(q))
                samples.append(time.perf_counter() - t)
            print(f"[{label}] {name:9s} ({len(qs)} queries): {percentiles(samples)}", flush=True)
    # One change, then the drain that carries it into the index.
    samples = []
    for i in range(10):
        with sessions.begin() as session:
            session.execute(
                insert(SearchOutbox), [{"entity": "definition", "entity_id": i + 1, "op": "upsert"}]
            )
        t = time.perf_counter()
        svc.drain()
        samples.append(time.perf_counter() - t)
    print(
        f"[{label}] one change + drain: median {statistics.median(samples) * 1000:.1f} ms",
        flush=True,
    )


def build_fts5(db, engine) -> None:
    from registry.search.documents import iter_docs

    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, names, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    with make_session_factory(engine)() as session:
        rows = (
            (d.key, d.reference + " " + d.names, d.text_en + " " + d.text_other)
            for d in iter_docs(session)
        )
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    db.commit()
    n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
    elapsed = time.perf_counter() - started
    print(f"[fts5] build: {n} documents in {elapsed:.1f} s ({n / elapsed:.0f} docs/s)", flush=True)


def bench_fts5(path: Path, engine, queries) -> None:
    reuse = path.exists()
    db = sqlite3.connect(path)
    if reuse:
        print("[fts5] reusing the earlier build", flush=True)
    else:
        build_fts5(db, engine)

    def fts(q: str) -> str:
        if q.startswith('"'):
            return q
        if q.endswith("*"):
            return f'"{q[:-1]}"*'
        return " ".join(f'"{w}"' for w in q.split())

    for name, qs in queries.items():
        samples = []
        for q in qs:
            t = time.perf_counter()
            m = fts(q)
            db.execute(
                "SELECT key, snippet(docs, 2, '<mark>', '</mark>', '…', 20), bm25(docs) "
                "FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20",
                (m,),
            ).fetchall()
            db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (m,)).fetchone()
            samples.append(time.perf_counter() - t)
        print(f"[fts5] {name:9s} ({len(qs)} queries): {percentiles(samples)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standards", type=int, default=100_000)
    parser.add_argument("--definitions", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL: also bench the postgres backend")
    parser.add_argument("--skip", nargs="*", default=[], choices=["whoosh", "fts5"])
    parser.add_argument(
        "--reuse",
        help="the folder an earlier run printed: query its SQLite data and whoosh "
        "index again without generating or rebuilding them",
    )
    args = parser.parse_args()

    with open("/proc/loadavg") as fh:
        print(
            f"SYNTHETIC corpus: {args.standards} standards + {args.definitions} definitions; "
            f"load average before: {fh.read().split()[:3]}; {os.cpu_count()} cores",
            flush=True,
        )
    corpus = Corpus()
    queries = query_sets(corpus, args.queries)
    tmp = Path(args.reuse or tempfile.mkdtemp(prefix="search-bench-"))
    print(f"working folder: {tmp}", flush=True)

    from registry.search.whoosh_backend import WhooshBackend

    engine = create_engine(f"sqlite:///{tmp / 'bench.sqlite3'}")
    sqlite_needed = not {"whoosh", "fts5"} <= set(args.skip)
    if sqlite_needed and not args.reuse:
        started = time.perf_counter()
        populate(engine, args.standards, args.definitions, corpus)
        print(f"[sqlite] generated in {time.perf_counter() - started:.1f} s", flush=True)
    sessions = make_session_factory(engine)
    if "whoosh" not in args.skip:
        bench_service(
            "whoosh",
            SearchService(WhooshBackend(tmp / "index"), sessions),
            sessions,
            queries,
            rebuild=not args.reuse,
        )
    if "fts5" not in args.skip:
        bench_fts5(tmp / "fts5.sqlite3", engine, queries)

    if args.postgres:
        from registry.search.postgres_backend import PostgresBackend
        from tests.dbs import postgres_schema

        os.environ.setdefault("TEST_DATABASE_URL", args.postgres)
        import tests.dbs as dbs

        dbs.TEST_DATABASE_URL = args.postgres
        with postgres_schema("bench") as url:
            pg = create_engine(url)
            started = time.perf_counter()
            populate(pg, args.standards, args.definitions, Corpus())
            print(f"[postgres] generated in {time.perf_counter() - started:.1f} s", flush=True)
            pg_sessions = make_session_factory(pg)
            bench_service(
                "postgres", SearchService(PostgresBackend(), pg_sessions), pg_sessions, queries
            )
            pg.dispose()
    with open("/proc/loadavg") as fh:
        print(f"load average after: {fh.read().split()[:3]}", flush=True)


if __name__ == "__main__":
    main()
