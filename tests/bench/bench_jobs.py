"""Benchmark: jobs and harvesting (issue 17's targets), each beside its baseline of the same run.

    .venv/bin/python tests/bench/bench_jobs.py [--records 100000] [--mb 200] [--part both]

* **harvest**: ``--records`` synthetic ISO open data deliverables (tests/bench/bench_import.py's
  generator), served by a local HTTP server, harvested into a fresh SQLite database (fetch,
  checksum, import, items); baseline: ``flask import`` of the same file into another fresh
  database (``app.importing.run``). Target: the harvest's rate within 20% of the import's.
* **upload**: a ``--mb`` MB TBX termbase (tests/bench/bench_tbx_memory.py's generator) posted
  to ``POST /api/v1/imports`` of a registry served by gunicorn (2 workers) with its job worker,
  as ``make run`` serves it, as multipart and as the whole body (the latter a dry run queued
  behind the first job); baseline: a bare Flask app under the same gunicorn settings that
  receives the same requests and saves the file. Targets: the answer (202) in under
  1 s; the worker's peak resident memory while it imports the file under 200 MB.

It prints numbers; it asserts nothing. Run it on a quiet machine (load below 1.5).
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import live  # noqa: E402
from tests.bench.bench_import import load, write_jsonl  # noqa: E402
from tests.bench.bench_tbx_memory import generate  # noqa: E402

BARE_APP = '''
from pathlib import Path
from flask import Flask, request
app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1 << 30

@app.post("/upload")
def upload():
    request.files["file"].save(Path(__file__).parent / "received")
    return {"ok": True}, 202

@app.post("/raw")
def raw():
    with open(Path(__file__).parent / "received", "wb") as out:
        while block := request.stream.read(1 << 20):
            out.write(block)
    return {"ok": True}, 202
'''


def harvest(records: int, folder: Path) -> None:
    from sqlalchemy import func, select

    from app import create_app, importing, jobs
    from app.extensions import db
    from importers.harvest import add_source
    from registry import policy
    from registry.models import Base, Standard
    from tests.jobs.feeds import serve

    path = folder / "deliverables.jsonl"
    write_jsonl(path, records)
    print(f"\nharvest: {records:,} ISO open data deliverables "
          f"({path.stat().st_size / 2**20:.1f} MB); {load()}", flush=True)

    def registry(name: str):
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / name}.sqlite3",
                          "SEARCH_INDEX_DIR": str(folder / f"{name}-index"),
                          "SEARCH_DRAIN": "thread", "JOBS_QUEUE": "immediate",
                          "JOBS_DIR": str(folder / f"{name}-jobs")})
        with app.app_context():
            Base.metadata.create_all(db.engine)
        return app

    with registry("import").app_context():
        start = time.perf_counter()
        report = importing.run("iso-open-data", path)
        imported = time.perf_counter() - start
        assert report.created == records, report.summary()
    feeds, server = serve()
    try:
        url = feeds.set("/deliverables.jsonl", path.read_bytes())
        with registry("harvest").app_context():
            source = add_source(db.session, policy.OPERATOR, jobs.limits(), name="bench",
                                fmt="iso-open-data", url=url, complete=True)
            start = time.perf_counter()
            job = jobs.start_harvest(policy.OPERATOR, source.id, source.name)
            harvested = time.perf_counter() - start
            db.session.expire_all()
            result = jobs.job_out(db.session.get(type(job), job.id))
            count = db.session.scalar(select(func.count(Standard.id)))
            assert result["status"] == "done" and count == records, result
            start = time.perf_counter()
            again = jobs.start_harvest(policy.OPERATOR, source.id, source.name)
            second = time.perf_counter() - start
            db.session.expire_all()
            second_status = db.session.get(type(again), again.id).report["status"]
    finally:
        server.shutdown()
        server.server_close()
    print(f"  baseline: flask import            {records:>8,} rec {imported:6.1f} s "
          f"{records / imported:8,.0f} rec/s", flush=True)
    print(f"  harvest (fetch + import + items)  {records:>8,} rec {harvested:6.1f} s "
          f"{records / harvested:8,.0f} rec/s", flush=True)
    print(f"  harvest / import rate: {imported / harvested:.0%}; second run: {second_status} "
          f"in {second * 1000:.0f} ms; {load()}", flush=True)


def _post_file(url: str, path: Path, fields: dict[str, str],
               headers: dict[str, str]) -> tuple[float, int, dict, str]:
    """Stream a multipart POST of ``path``; (seconds to the answer, status, headers, body)."""
    boundary = uuid.uuid4().hex
    head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n')
    tail = f"\r\n--{boundary}--\r\n".encode()
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    start = time.perf_counter()
    conn.putrequest("POST", parts.path)
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head.encode()) + path.stat().st_size + len(tail)))
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    conn.send(head.encode())
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            conn.send(block)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read().decode()
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, response.status, dict(response.getheaders()), body


def _post_raw(url: str, path: Path, headers: dict[str, str]) -> tuple[float, int, dict, str]:
    """Stream ``path`` as the whole body of a POST; (seconds to the answer, status, ...)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    start = time.perf_counter()
    conn.putrequest("POST", url[len(f"{parts.scheme}://{parts.netloc}"):])
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(path.stat().st_size))
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            conn.send(block)
    response = conn.getresponse()
    body = response.read().decode()
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, response.status, dict(response.getheaders()), body


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


@contextmanager
def _bare_flask(folder: Path):
    (folder / "bare_app.py").write_text(BARE_APP)
    port = live.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--no-control-socket", "--chdir", str(folder), "bare_app:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def upload(megabytes: int, folder: Path) -> None:
    path = folder / "synthetic.tbx"
    entries = generate(path, megabytes)
    size = path.stat().st_size
    print(f"\nupload: {path.name}, {size / 1e6:.0f} MB, {entries:,} entries; {load()}",
          flush=True)
    with _bare_flask(folder) as bare:
        bare_seconds, status, _, _ = _post_file(bare + "/upload", path, {}, {})
        bare_raw, raw_status, _, _ = _post_raw(bare + "/raw", path, {})
        assert status == raw_status == 202, (status, raw_status)
    env = live.registry_env(f"sqlite:///{folder / 'registry.sqlite3'}", folder,
                            MAX_CONTENT_LENGTH=str(1 << 30), IMPORT_MAX_BYTES=str(1 << 30))
    live.flask(env, "db", "upgrade")
    live.flask(env, "bodies", "add", "SYNTH", "--name", "Synthetic benchmark body",
               "--kind", "other")
    live.flask(env, "users", "create", "bench-admin@example.org", "--role", "admin")
    token = live.flask(env, "users", "token", "bench-admin@example.org", "--scope",
                       "write").stdout.strip().split()[-1]
    # Both uploads are answered before the worker starts: on SQLite, a running import holds
    # the database's one write lock until it commits, and queueing another job waits for it.
    with live.gunicorn(env, folder / "gunicorn.log") as (url, _):
        seconds, status, headers, body = _post_file(
            url + "/api/v1/imports", path,
            {"format": "tbx", "body": "SYNTH", "licence": "CC0 1.0 (synthetic data)"},
            {"Authorization": f"Bearer {token}"})
        assert status == 202, (status, body)
        raw_seconds, raw_status, raw_headers, body = _post_raw(
            url + "/api/v1/imports?format=tbx&body=SYNTH&name=synthetic-raw.tbx&dry_run=true",
            path, {"Authorization": f"Bearer {token}"})
        assert raw_status == 202, (raw_status, body)
        location = headers["Location"]
        with live.worker(env, folder / "worker.log") as worker:
            time.sleep(1)
            idle = _peak_rss_mb(worker.pid)  # the app loaded; the job may have started
            start = time.perf_counter()
            while True:
                conn = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port)
                conn.request("GET", location, headers={"Authorization": f"Bearer {token}"})
                job = json.loads(conn.getresponse().read())
                conn.close()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(1)
            job_seconds = time.perf_counter() - start
            peak = _peak_rss_mb(worker.pid)
            worker.kill()  # the queued dry run is not measured
    report = job.get("report") or {}
    print(f"  baseline: bare Flask receives and saves the upload   {bare_seconds:6.2f} s",
          flush=True)
    print(f"  POST /api/v1/imports answers 202                      {seconds:6.2f} s "
          f"({seconds / bare_seconds:.1f}x the baseline)", flush=True)
    print(f"  baseline: bare Flask saves the same file sent as the body {bare_raw:6.2f} s",
          flush=True)
    print(f"  POST /api/v1/imports, file as the body, answers 202   {raw_seconds:6.2f} s "
          f"({raw_seconds / bare_raw:.1f}x the baseline)", flush=True)
    print(f"  job {job['status']} after a further {job_seconds:.0f} s: created "
          f"{report.get('created')}, rejected {len(report.get('rejected') or [])}", flush=True)
    print(f"  worker peak RSS {peak:.0f} MB (1 s after its start: {idle:.0f} MB); {load()}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--part", choices=("harvest", "upload", "both"), default="both")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; files in {folder}; {load()}")
    if args.part in ("harvest", "both"):
        harvest(args.records, folder)
    if args.part in ("upload", "both"):
        upload(args.mb, folder)


if __name__ == "__main__":
    main()
