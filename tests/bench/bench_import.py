"""Import throughput: generated ISO open data deliverables, JSON Lines and CSV, into SQLite.

    .venv/bin/python tests/bench/bench_import.py [--records 100000] [--keep DIR]
        [--steps iso-jsonl,iso-csv,registry]

Generates N deliverables (synthetic references ``ISO 900001:2020`` ... in a throw-away
database, never a real catalogue), imports them through ``app.importing.run`` exactly as
``flask --app wsgi import iso-open-data FILE`` does (one transaction per file, chunked bulk
writes, provenance and audit rows, search outbox rows), then re-imports the same file (all
unchanged); the same deliverables as the registry's own JSON Lines standards records go
through ``import registry``. Prints records/s (wall clock and per CPU second), the process's
peak RSS after each step, and the machine load, so a small run and a large one show whether
memory stays flat. A benchmark prints numbers; it asserts nothing.
"""

import argparse
import csv
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
FIELDS = (
    "id",
    "deliverableType",
    "supplementType",
    "reference",
    "publicationDate",
    "edition",
    "icsCode",
    "ownerCommittee",
    "currentStage",
    "replaces",
    "replacedBy",
    "languages",
    "title.en",
    "title.fr",
    "scope.en",
)


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
            "icsCode": sorted(
                {
                    f"{rng.randint(1, 99):02d}.{rng.randint(0, 200):03d}"
                    for _ in range(rng.randint(1, 3))
                }
            ),
            "ownerCommittee": rng.choice(COMMITTEES),
            "currentStage": rng.choice(STAGES),
            "replaces": [ident - 1] if i and i % 10 == 0 else None,
            "replacedBy": [ident + 1] if i % 10 == 9 and i + 1 < count else None,
            "languages": ["en", "fr"],
            "title": {
                "en": f"Synthetic benchmark deliverable number {number}",
                "fr": f"Document synthétique d'essai numéro {number}",
            },
            "scope": {
                "en": f"<p>Synthetic scope of deliverable {number}, written for the "
                "import benchmark.</p>"
            },
        }


def write_jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in deliverables(count):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_csv(path: Path, count: int) -> None:
    """ISO's CSV export shape: lists as ``[a, b]``, languages as ``title.en`` columns."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for row in deliverables(count):
            flat = {
                **row,
                "title.en": row["title"]["en"],
                "title.fr": row["title"]["fr"],
                "scope.en": row["scope"]["en"],
            }
            for key in ("icsCode", "replaces", "replacedBy", "languages"):
                flat[key] = f"[{', '.join(map(str, row[key]))}]" if row[key] else ""
            writer.writerow(["" if flat.get(f) is None else flat[f] for f in FIELDS])


def write_registry_jsonl(path: Path, count: int) -> None:
    """The same deliverables as the registry's own exchange records (``import registry``)."""
    references = {}
    with path.open("w", encoding="utf-8") as fh:
        for row in deliverables(count):
            references[row["id"]] = row["reference"]
            stage = f"{row['currentStage'] // 100:02d}.{row['currentStage'] % 100:02d}"
            record = {
                "record": "standard",
                "reference": row["reference"],
                "title": row["title"]["en"],
                "titles": row["title"],
                "bodies": ["ISO"],
                "type": row["deliverableType"],
                "status": "published",
                "stage": stage,
                "published": row["publicationDate"],
                "edition": str(row["edition"]),
                "committee": row["ownerCommittee"],
                "ics": row["icsCode"],
                "languages": row["languages"],
                "relations": [
                    {"type": "replaces", "reference": references[i]} for i in row["replaces"] or []
                ],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def timed_import(label: str, path: Path, fmt: str = "iso-open-data") -> None:
    from app import importing

    size = path.stat().st_size
    start, cpu_start = time.perf_counter(), time.process_time()
    report = importing.run(fmt, path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    records = report.created + report.updated + report.unchanged + len(report.rejected)
    # On a shared machine the wall-clock rate depends on the load; the rate per CPU second of
    # this process much less (SQLite writes in-process, so its work is counted too).
    print(
        f"{label:<28} {records:>8,} rec {seconds:7.1f} s {records / seconds:7,.0f} rec/s"
        f" | CPU {cpu:6.1f} s {records / cpu:7,.0f} rec/CPU-s | {size / 2**20:5.1f} MB"
        f" | peak RSS {peak_rss_mb():4.0f} MB | {load()}"
        f" | created {report.created}, updated {report.updated}, unchanged "
        f"{report.unchanged}, rejected {len(report.rejected)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--small", type=int, default=10_000, help="a first, smaller run, to compare peak memory"
    )
    parser.add_argument("--keep", help="keep the database and files in this folder")
    parser.add_argument(
        "--steps",
        default="iso-jsonl,iso-csv,registry",
        help="which files to import: iso-jsonl, iso-csv, registry",
    )
    args = parser.parse_args()
    steps = set(args.steps.split(","))

    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    print(f"python {sys.version.split()[0]}; files in {folder}; {load()}", flush=True)

    # One fresh SQLite database per file format.
    if "iso-jsonl" in steps:
        small, big = folder / "small.jsonl", folder / "deliverables.jsonl"
        write_jsonl(small, args.small)
        write_jsonl(big, args.records)
        with database(folder / "jsonl.sqlite3"):
            timed_import(f"ISO JSON Lines, {args.small:,}, new", small)
            timed_import(f"ISO JSON Lines, {args.records:,}, new", big)
            timed_import(f"ISO JSON Lines, {args.records:,}, again", big)
            report_outbox()
    if "iso-csv" in steps:
        big = folder / "deliverables.csv"
        write_csv(big, args.records)
        with database(folder / "csv.sqlite3"):
            timed_import(f"ISO CSV, {args.records:,}, new", big)
            timed_import(f"ISO CSV, {args.records:,}, again", big)
    if "registry" in steps:
        big = folder / "standards.jsonl"
        write_registry_jsonl(big, args.records)
        with database(folder / "registry.sqlite3"):
            timed_import(f"registry JSON Lines, {args.records:,}, new", big, "registry")
            timed_import(f"registry JSON Lines, {args.records:,}, again", big, "registry")


@contextmanager
def database(path: Path):
    from app import create_app
    from app.extensions import db
    from registry.models import Base

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SEARCH_INDEX_DIR": str(path.with_suffix(".index"))}
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        yield
        db.session.remove()
        db.engine.dispose()


def report_outbox() -> None:
    """The search index follows the outbox; outside a request the import's commit drains it
    inline (app.search), so the import times above include indexing when a backend is set."""
    from sqlalchemy import func, select

    from app.extensions import db
    from registry.models import SearchOutbox

    queued = db.session.scalar(select(func.count(SearchOutbox.id)))
    try:
        from app.search import service
    except ImportError:  # no search on this branch
        print(f"search outbox rows queued for the index: {queued:,}")
        return
    start = time.perf_counter()
    applied = service().drain()
    print(
        f"search outbox rows still queued after the import: {queued:,}; draining them "
        f"applied {applied:,} in {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
