"""The real queue: a worker process (``flask jobs worker``) on SQLite and on Redis runs each job
once; a worker killed mid-import (kill -9) leaves nothing half-written, and the next worker
queues the job again or, attempts spent, fails it, saying which."""

import io
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app import importing, jobs
from app.extensions import db
from registry import policy
from registry.models import ImportBatch, Job, Standard
from tests.bench.bench_import import write_jsonl
from tests.importers.catalogue_helpers import real

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BIG = 12_000  # records: an import that takes a few seconds, long enough to be killed


def _redis_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # no server: say so instead of failing
        return f"no Redis at {REDIS_URL}: {exc}"
    return None


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, app, database_url, tmp_path):
    """The app's queue swapped for a real one; ``start()`` runs a worker process on it."""
    if request.param == "redis":
        if reason := _redis_reason():
            pytest.skip(reason)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    settings = {"JOBS_QUEUE": request.param, "JOBS_QUEUE_FILE": str(tmp_path / "queue.db"),
                "REDIS_URL": REDIS_URL}
    saved = app.extensions["jobs"]
    app.config.update(settings)
    app.extensions["jobs"] = jobs.Queue(app)
    env = {**os.environ, **{k: str(v) for k, v in settings.items()},
           "DATABASE_URL": database_url, "JOBS_DIR": app.config["JOBS_DIR"],
           "SEARCH_INDEX_DIR": str(tmp_path / "index"), "SECRET_KEY": "queue-test"}
    workers: list[subprocess.Popen] = []

    @contextmanager
    def start():
        log = (tmp_path / f"worker-{len(workers)}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs",
                                    "worker"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        workers.append(process)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # huey's graceful stop
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()

    yield start
    for process in workers:
        if process.poll() is None:
            process.kill()
    app.extensions["jobs"] = saved


def queue_import(path: Path, name: str) -> Job:
    with path.open("rb") as fh:
        upload = FileStorage(stream=io.BytesIO(fh.read()), filename=name)
    return importing.queue_upload(policy.OPERATOR, "iso-open-data", upload, origin="cli",
                                  max_bytes=1 << 30)


def job_row(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def wait_for(predicate, timeout: float = 120, what: str = "the job"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def standards() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Standard.id)))


def test_a_worker_runs_each_job_once(queue, session):
    feed = real("iso_open_data", "88821-88915.jsonl")
    job = queue_import(feed, "iso.jsonl")
    assert job_row(job.id).status == "queued"  # nothing runs it until a worker does
    jobs.queue().send(job.id)  # a message delivered twice: the second finds it taken
    with queue():
        done = wait_for(lambda: (row := job_row(job.id)).finished and row)
    assert (done.status, done.attempts, done.report["created"]) == ("done", 1, 2)
    assert standards() == 2
    assert session.scalar(select(func.count(ImportBatch.id))) == 1
    assert not Path(done.params["folder"]).exists()


def test_a_killed_worker_s_job_is_run_again_and_nothing_is_half_written(queue, session,
                                                                        tmp_path):
    big = tmp_path / "big.jsonl"
    write_jsonl(big, BIG)
    job = queue_import(big, "big.jsonl")
    with queue() as worker:
        # Kill it mid-import: the job has started reading the file.
        wait_for(lambda: job_row(job.id).status == "running"
                 and (jobs.live_progress(job_row(job.id))[0] or 0) > 0, what="progress")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed = job_row(job.id)
    assert killed.status == "running" and standards() == 0  # nothing committed
    with queue():  # the next worker reaps at start: attempt 2
        done = wait_for(lambda: (row := job_row(job.id)).finished and row, timeout=300)
    assert (done.status, done.attempts) == ("done", 2)
    assert "worker running it stopped (attempt 1 of 2); queued again" in done.message
    assert done.report["created"] == BIG and standards() == BIG
    statuses = session.scalars(select(ImportBatch.status).order_by(ImportBatch.id)).all()
    assert statuses == ["failed", "committed"]


def test_a_job_killed_on_its_last_attempt_fails_and_says_so(queue, session, tmp_path):
    big = tmp_path / "big.jsonl"
    write_jsonl(big, BIG)
    job = queue_import(big, "big.jsonl")
    row = job_row(job.id)
    row.max_attempts = 1
    session.commit()
    with queue() as worker:
        wait_for(lambda: job_row(job.id).status == "running", what="the start")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    with queue():
        failed = wait_for(lambda: (row := job_row(job.id)).finished and row)
    assert failed.status == "failed"
    assert "attempt 1 of 1" in failed.message
    assert "nothing it was writing was kept" in failed.message
    assert standards() == 0
    assert not Path(failed.params["folder"]).exists()  # removed before the failure showed
