"""Benchmark: the fixed cost of a request, `GET /api/v1/bodies`, beside bare Flask running the
same SQL (issue 14's "trivial API route" target: worker CPU per request <= 2x bare Flask).

    .venv/bin/python tests/bench/bench_route.py [--requests 2000] [--conf gunicorn.conf.py]

A registry with the demo catalogue (migrated and loaded into a fresh SQLite file) is served by
gunicorn, 2 workers x 4 threads, as ``make run`` serves it (with ``--conf``, that settings
file; without, none); a bare Flask app under the same gunicorn settings answers the same route
with the same SELECT (compiled from ``registry.services.catalogue.body_counts``) through
SQLAlchemy Core and ``jsonify``. One client sends ``--requests`` requests on one keep-alive
connection to each, after 200 warm-up requests. The worker processes' CPU time (user + system,
from /proc) before and after gives the CPU per request; wall latency p50/p95 beside it.

It prints numbers; it asserts nothing. Run it on a quiet machine (load below 1.5).
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import live  # noqa: E402
from tests.bench.bench_import import load  # noqa: E402

BARE_APP = '''
from flask import Flask, jsonify
from sqlalchemy import create_engine, text

engine = create_engine({url!r})
SQL = text({sql!r})
app = Flask(__name__)


@app.get("/api/v1/bodies")
def bodies():
    with engine.connect() as conn:
        rows = conn.execute(SQL).all()
    return jsonify([{{"code": r[1], "name": r[2], "kind": r[3], "url": r[5], "country": r[4],
                     "published": r[-3], "in_development": r[-2], "standards": r[-1]}}
                    for r in rows])
'''


def _sql() -> str:
    """The registry's statement for the route, as SQLite text."""
    from sqlalchemy import case, func, select
    from sqlalchemy.dialects import sqlite

    from registry.models import Body, Standard, standard_bodies
    from registry.models.vocab import DEVELOPMENT_STATUSES

    published = func.sum(case((Standard.status == "published", 1), else_=0))
    developing = func.sum(case((Standard.status.in_(DEVELOPMENT_STATUSES), 1), else_=0))
    stmt = (select(Body.id, Body.code, Body.name, Body.kind, Body.country, Body.url,
                   func.coalesce(published, 0), func.coalesce(developing, 0),
                   func.count(Standard.id))
            .outerjoin(standard_bodies, standard_bodies.c.body_id == Body.id)
            .outerjoin(Standard, Standard.id == standard_bodies.c.standard_id)
            .group_by(Body.id)
            .order_by(func.count(Standard.id).desc(), Body.code))
    return str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def _children_cpu(master: int) -> float:
    """User + system seconds of the master's child processes (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path("/proc").iterdir():
        if not pid.name.isdigit():
            continue
        try:
            fields = (pid / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _run(port: int, master: int, path: str, count: int) -> tuple[float, list[float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(200):  # warm-up: imports, caches, the first connections
        conn.request("GET", path)
        conn.getresponse().read()
    before = _children_cpu(master)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200, response.status
    cpu = _children_cpu(master) - before
    conn.close()
    return cpu / count, times


@contextmanager
def _gunicorn(args: list[str], env: dict[str, str], cwd: Path):
    port = live.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--no-control-socket", *args], cwd=cwd, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        live.wait_until_up(f"http://127.0.0.1:{port}", process) if "wsgi:app" in args else \
            time.sleep(3)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--conf", help="gunicorn settings file for the registry (make run's)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-route-"))
    url = f"sqlite:///{folder / 'registry.sqlite3'}"
    env = live.registry_env(url, folder)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {folder}; {load()}",
          flush=True)
    live.prepare(env, users=False)
    (folder / "bare_app.py").write_text(BARE_APP.format(url=url, sql=_sql()))
    results = {}
    conf = ["--config", str(Path(args.conf).resolve())] if args.conf else []
    with _gunicorn([*conf, "wsgi:app"], env, ROOT) as (port, master):
        results["registry"] = _run(port, master, "/api/v1/bodies", args.requests)
    with _gunicorn(["--chdir", str(folder), "bare_app:app"], env, folder) as (port, master):
        results["bare Flask, same SQL"] = _run(port, master, "/api/v1/bodies", args.requests)
    print(f"\nGET /api/v1/bodies, {args.requests:,} requests, one keep-alive client; {load()}")
    for name, (cpu, times) in results.items():
        q = statistics.quantiles(times, n=100)
        print(f"  {name:<22} worker CPU {cpu * 1000:6.2f} ms/request | wall p50 "
              f"{q[49] * 1000:6.2f} ms, p95 {q[94] * 1000:6.2f} ms", flush=True)
    ours, bare = results["registry"][0], results["bare Flask, same SQL"][0]
    print(f"  registry / bare Flask CPU: {ours / bare:.2f}x", flush=True)


if __name__ == "__main__":
    main()
