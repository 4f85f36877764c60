"""Load run: the registry under gunicorn (two workers) on 127.0.0.1, a read mix from locust,
writes alongside, then per-route throughput and latency, and a check that no write was lost.

    python -m tests.load.run --db sqlite              # or --db postgres (make load runs both)
    python -m tests.load.run --db postgres --users 50 --duration 60

A fresh registry is built for the run (migrated, demo catalogue, one user per role) in a
temporary folder, or a schema of its own on PostgreSQL (``--postgres-url``, dropped at the end).
Writes: while locust reads, ``--imports`` import files of ``--batch`` new standards each go in
through ``flask import`` (the registry's write path on this build). After the run the database
must hold every one of them, each with its audit row, and every import batch committed.
Results go to stdout and to ``reports/load/<db>.md`` and ``.json``; the exit code is 1
when a request failed or a write is missing.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

from tests import live

HERE = Path(__file__).resolve().parent
OUT = live.ROOT / "reports" / "load"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "standards": conn.execute(text("select count(*) from standards")).scalar_one(),
            "revisions": conn.execute(text("select count(*) from revisions")).scalar_one(),
            "batches_committed": conn.execute(
                text("select count(*) from import_batches where status = 'committed'")
            ).scalar_one(),
        }


def write_import_files(folder: Path, files: int, batch: int) -> list[Path]:
    paths = []
    for n in range(files):
        path = folder / f"load-{n}.jsonl"
        with path.open("w") as fh:
            for i in range(batch):
                fh.write(
                    json.dumps(
                        {
                            "record": "standard",
                            "reference": f"LOAD {n:03d}-{i:04d}:2026",
                            "title": f"Load-run deliverable {n}-{i}",
                            "bodies": ["ISO"],
                            "type": "IS",
                            "status": "under_development",
                        }
                    )
                    + "\n"
                )
        paths.append(path)
    return paths


class Writer(threading.Thread):
    """Runs the imports one after another, spread over the load window."""

    def __init__(self, env: dict[str, str], paths: list[Path], duration: float) -> None:
        super().__init__(daemon=True)
        self.env, self.paths, self.duration = env, paths, duration
        self.results: list[tuple[str, int, float, str]] = []

    def run(self) -> None:
        gap = self.duration / (len(self.paths) + 1)
        for path in self.paths:
            time.sleep(gap)
            started = time.monotonic()
            result = live.flask(self.env, "import", "registry", str(path), check=False)
            self.results.append(
                (
                    path.name,
                    result.returncode,
                    time.monotonic() - started,
                    (result.stdout + result.stderr).strip()[-300:],
                )
            )


def run_locust(url: str, users: int, duration: int, prefix: Path, log: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",
        f"{duration}s",
        "--stop-timeout",
        "5",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with log.open("wb") as out:
        return subprocess.run(
            command, cwd=live.ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=duration + 120
        ).returncode


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def table(rows: list[dict[str, str]]) -> str:
    lines = [
        "| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**all routes**" if row["Name"] == "Aggregated" else f"`{row['Name']}`"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} "
            f"| {float(row['Max Response Time']):.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LOAD_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent clients")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (max 600)")
    parser.add_argument("--imports", type=int, default=5, help="import files written meanwhile")
    parser.add_argument("--batch", type=int, default=40, help="new standards per import file")
    args = parser.parse_args(argv)
    duration = min(args.duration, 600)  # bounded, whatever is asked

    OUT.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))
        database_url = live.database_url(stack, args.db, folder, args.postgres_url, "load")
        env = live.registry_env(database_url, folder)
        print(f"== preparing a registry on {args.db} (demo catalogue)", flush=True)
        live.prepare(env)
        engine = create_engine(database_url)
        stack.callback(engine.dispose)
        before = counts(engine)
        paths = write_import_files(folder, args.imports, args.batch)
        load_before = loadavg()
        prefix = OUT / f"{args.db}-locust"
        server_log = OUT / f"{args.db}-gunicorn.log"
        server_log.unlink(missing_ok=True)
        with live.gunicorn(env, server_log, workers=2, threads=4) as (url, _p):
            print(
                f"== {args.users} clients for {duration} s against {url}, "
                f"{args.imports} imports of {args.batch} standards meanwhile",
                flush=True,
            )
            writer = Writer(env, paths, duration)
            writer.start()
            locust_rc = run_locust(url, args.users, duration, prefix, OUT / f"{args.db}.log")
            writer.join(timeout=300)
        after = counts(engine)

    rows = read_stats(prefix)
    expected_new = args.imports * args.batch
    problems = []
    if locust_rc not in (0, 1):
        problems.append(f"locust exited {locust_rc} (see {OUT / (args.db + '.log')})")
    failed = sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated")
    if failed:
        problems.append(f"{failed} requests failed")
    for name, rc, _seconds, output in writer.results:
        if rc != 0:
            problems.append(f"import {name} exited {rc}: {output}")
    if len(writer.results) != args.imports:
        problems.append(f"only {len(writer.results)} of {args.imports} imports ran")
    if after["standards"] - before["standards"] != expected_new:
        problems.append(
            f"standards: {before['standards']} + {expected_new} written, {after['standards']} found"
        )
    if after["revisions"] - before["revisions"] < expected_new:
        problems.append(
            f"audit rows: {after['revisions'] - before['revisions']} for "
            f"{expected_new} new standards"
        )
    if after["batches_committed"] - before["batches_committed"] != args.imports:
        problems.append(
            "import batches: "
            f"{after['batches_committed'] - before['batches_committed']} committed "
            f"of {args.imports}"
        )

    info = machine()
    report = "\n".join(
        [
            f"# Load run on {args.db}",
            "",
            f"{args.users} clients, {duration} s, gunicorn 2 workers x 4 threads on 127.0.0.1; "
            f"machine: {info['nproc']} x {info['cpu']}, {info['ram']} RAM, "
            f"Python {info['python']}; "
            f"load average before {load_before}, after {loadavg()}.",
            "",
            table(rows),
            "",
            f"Writes: {len(writer.results)} imports of {args.batch} standards during the load "
            f"({', '.join(f'{s:.1f} s' for _n, _rc, s, _o in writer.results)}); "
            f"standards {before['standards']} -> {after['standards']}, audit rows "
            f"{before['revisions']} -> {after['revisions']}.",
            "",
            "Result: "
            + (
                "nothing lost, no failed request."
                if not problems
                else "PROBLEMS: " + "; ".join(problems)
            ),
        ]
    )
    print(report)
    (OUT / f"{args.db}.md").write_text(report + "\n")
    (OUT / f"{args.db}.json").write_text(
        json.dumps(
            {
                "db": args.db,
                "users": args.users,
                "duration": duration,
                "machine": info,
                "routes": rows,
                "before": before,
                "after": after,
                "problems": problems,
            },
            indent=1,
        )
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
