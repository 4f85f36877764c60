"""Import throughput: ISO open data JSON Lines into SQLite and PostgreSQL, beside a baseline.

    .venv/bin/python tests/bench/bench_import.py [--records 100000] [--database sqlite|postgres]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep DIR]

For each database, in a fresh database (SQLite file, or a private schema of the PostgreSQL
database given, dropped afterwards):

1. **import**: N generated ISO deliverables (synthetic references ``ISO 900000:1990`` ...,
   never a real catalogue) through ``app.importing.run``, exactly as ``flask import
   iso-open-data FILE`` does: reading, mapping, validation, merge, bulk writes, audit rows,
   provenance, search outbox, coverage rollups, catalogue version, one commit;
2. **re-import** of the same file (every record unchanged);
3. **index catch-up**: the outbox the import queued, applied by the search backend the
   database would use (whoosh beside SQLite, PostgreSQL full-text search on PostgreSQL);
4. **baseline**: the rows the import wrote to the catalogue tables (``standards``,
   ``standard_bodies``, ``standard_relations``, ``committees``, ``committee_bodies``), read back
   and inserted with SQLAlchemy Core ``executemany`` into an empty copy of the same tables
   (with the bodies and import batches they refer to),
   in one transaction: what the database itself does with the same rows.

Prints records/s (wall clock and per CPU second of this process), the ratio to the baseline,
documents/s for the catch-up, the process's peak RSS and the load average. A benchmark prints
numbers; it asserts nothing.
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

COMMITTEES = [f"ISO/TC {n}" for n in range(1, 40)] + [f"ISO/IEC JTC 1/SC {n}" for n in range(2, 45)]
STAGES = [6060, 6060, 6060, 9093, 9092, 9599, 4060, 3020, 5020]
# What the baseline writes: the catalogue rows of the import (and the few rows they refer to).
BASELINE_TABLES = ("bodies", "import_batches", "committees", "committee_bodies", "standards",
                   "standard_bodies", "standard_relations")


def deliverables(count: int, seed: int = 42):
    rng = random.Random(seed)
    for i in range(count):
        number = 900000 + i
        year = 1990 + i % 35
        ident = 1_000_000 + i
        yield {
            "id": ident,
            "deliverableType": rng.choice(("IS", "IS", "IS", "TS", "TR", "PAS")),
            "supplementType": None,
            "reference": f"ISO {number}:{year}",
            "publicationDate": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "edition": 1 + i % 4,
            "icsCode": sorted({f"{rng.randint(1, 99):02d}.{rng.randint(0, 200):03d}"
                               for _ in range(rng.randint(1, 3))}),
            "ownerCommittee": rng.choice(COMMITTEES),
            "currentStage": rng.choice(STAGES),
            "replaces": [ident - 1] if i and i % 10 == 0 else None,
            "replacedBy": [ident + 1] if i % 10 == 9 and i + 1 < count else None,
            "languages": ["en", "fr"],
            "title": {"en": f"Synthetic benchmark deliverable number {number}",
                      "fr": f"Document synthétique d'essai numéro {number}"},
            "scope": {"en": f"<p>Synthetic scope of deliverable {number}, written for the "
                            "import benchmark.</p>"},
        }


def write_jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in deliverables(count):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def line(label: str, n: int, clock: Clock, unit: str = "rec", extra: str = "") -> float:
    rate = n / clock.wall if clock.wall else 0.0
    print(f"  {label:<34} {n:>8,} {unit} {clock.wall:7.1f} s {rate:9,.0f} {unit}/s"
          f" | CPU {clock.cpu:6.1f} s {n / clock.cpu if clock.cpu else 0:9,.0f} {unit}/CPU-s"
          f" | peak RSS {peak_rss_mb():4.0f} MB | {load()}{extra}", flush=True)
    return rate


@contextmanager
def database(kind: str, folder: Path, postgres_url: str, name: str):
    """A URL of an empty database with the registry's tables."""
    from sqlalchemy import create_engine

    from registry.models import Base
    from tests import dbs

    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{name}.sqlite3'}"
        context = None
    else:
        context = dbs.postgres_schema(f"bench_{name}", postgres_url)
        url = context.__enter__()
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if context is not None:
            context.__exit__(None, None, None)


def bench(kind: str, records: int, folder: Path, postgres_url: str) -> None:
    from sqlalchemy import create_engine, select, text

    from app import create_app, importing
    from app import search as app_search
    from app.extensions import db
    from registry.models import Base

    path = folder / "deliverables.jsonl"
    if not path.exists():
        write_jsonl(path, records)
    print(f"\n{kind}: {records:,} ISO open data deliverables ({path.stat().st_size / 2**20:.1f} "
          f"MB of JSON Lines)", flush=True)
    with database(kind, folder, postgres_url, "import") as url:
        app = create_app({
            "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(folder / f"index-{kind}"),
            "SEARCH_BACKEND": "whoosh" if kind == "sqlite" else "postgres",
            "SEARCH_DRAIN": "thread",  # as deployed: the import does not wait for the index
        })
        with app.app_context():
            with Clock() as clock:
                report = importing.run("iso-open-data", path)
            assert report.created == records, report.summary()
            ours = line("import (project)", records, clock)
            with Clock() as clock:
                again = importing.run("iso-open-data", path)
            assert again.unchanged == records, again.summary()
            line("re-import, all unchanged", records, clock)
            queued = app_search.queued()
            with Clock() as clock:
                app_search.catch_up()
            line(f"index catch-up ({'whoosh' if kind == 'sqlite' else 'PostgreSQL FTS'})",
                 queued, clock, "doc")
            rows = {t: [dict(r._mapping) for r in db.session.execute(
                select(Base.metadata.tables[t]))] for t in BASELINE_TABLES}
            db.session.remove()
            db.engine.dispose()
    with database(kind, folder, postgres_url, "baseline") as url:
        engine = create_engine(url)
        with Clock() as clock, engine.begin() as conn:
            for table in BASELINE_TABLES:
                if rows[table]:
                    conn.execute(Base.metadata.tables[table].insert(), rows[table])
        if kind == "postgres":
            with engine.begin() as conn:
                conn.execute(text("SELECT 1"))
        engine.dispose()
        written = sum(len(r) for r in rows.values())
        base = line("baseline: Core executemany", records, clock,
                    extra=f" | {written:,} rows in {len(BASELINE_TABLES)} tables")
    print(f"  project / baseline: {ours / base:.0%}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both",
                        help="both by default")
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", help="keep the files and SQLite databases in this folder")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; files in {folder}; {load()}")
    for kind in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        bench(kind, args.records, folder, args.postgres_url)


if __name__ == "__main__":
    main()
