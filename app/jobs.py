"""Long work as jobs on a queue: imports of uploaded files, harvests, index rebuilds.

The queue is huey: SqliteHuey in the instance folder for one machine (``make run`` starts one
worker beside gunicorn), RedisHuey with ``REDIS_URL`` for several, or "immediate" (the job
runs in the thread that queues it: tests and scripts). A message carries only the job's id; the
``jobs`` table (``registry.services.jobs``) is the record people follow. While a job runs, its
progress and a heartbeat live in the queue's key-value store, so a page can show them without
waiting for the job's own transaction; ``tick`` (every minute, in the worker) queues again what
a dead worker left, and starts the harvests that are due.

Commands: ``flask --app wsgi jobs worker | list | show ID [--wait]``.
"""

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from app import importing, search
from app.extensions import db, sessions
from importers import FORMATS
from importers.fetch import Limits
from importers.harvest import HarvestError, add_source, harvest
from importers.pipeline import fail_abandoned_batches
from registry import policy
from registry.models import Job, Submission, User
from registry.policy import Actor
from registry.services import harvest as harvest_core
from registry.services import jobs

HEARTBEAT_SECONDS = 15
DEAD_AFTER_SECONDS = 120  # a job on another host with no heartbeat for this long is dead
RESEND_AFTER = timedelta(minutes=10)  # a queued job whose message may have been lost

jobs_cli = AppGroup("jobs", help="Background jobs: run a worker, list and follow jobs.")
harvest_cli = AppGroup("harvest", help="Sources harvested on a schedule: add, list, run.")


# -- the queue ---------------------------------------------------------------------------------

def _make_huey(config: dict[str, Any]):
    kind = config["JOBS_QUEUE"]
    if kind == "redis":
        return RedisHuey("registry", url=config["REDIS_URL"], results=False)
    if kind == "sqlite":
        return SqliteHuey("registry", filename=config["JOBS_QUEUE_FILE"], results=False)
    if kind == "immediate":
        return MemoryHuey("registry", immediate=True, results=False)
    raise RuntimeError(f"JOBS_QUEUE={kind!r}: choose sqlite, redis or immediate")


class Queue:
    """The app's queue: its huey and the two tasks every worker knows."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = _make_huey(app.config)
        self.execute = self.huey.task(name="execute")(self._execute)
        self.tick = self.huey.periodic_task(crontab(minute="*"), name="tick")(self._tick)

    def send(self, job_id: int) -> None:
        self.execute(job_id)

    # -- what a worker does --------------------------------------------------------------------

    def _execute(self, job_id: int) -> None:
        with self.app.app_context():
            run_job(job_id)

    def _tick(self) -> None:
        with self.app.app_context():
            tick()

    # -- live progress, in the queue's store ---------------------------------------------------

    def beat(self, job_id: int, done: int | None = None, total: int | None = None) -> None:
        self.huey.put(f"job:{job_id}", {"at": time.time(), "done": done, "total": total})

    def live(self, job_id: int) -> dict[str, Any] | None:
        return self.huey.get(f"job:{job_id}", peek=True)

    def forget(self, job_id: int) -> None:
        self.huey.delete(f"job:{job_id}")


def queue() -> Queue:
    return current_app.extensions["jobs"]


def start(actor: Actor, kind: str, params: dict[str, Any], label: str, *, action: str,
          target: Any = None) -> Job:
    """Create the job (the policy of ``action`` decides) and put it on the queue."""
    job = jobs.create(db.session, actor, kind, params, label, action=action, target=target)
    queue().send(job.id)
    return job


def live_progress(job: Job) -> tuple[int | None, int | None]:
    """(done, total) of a running job from the queue's store; the row's once it finished."""
    if job.status == "running":
        live = queue().live(job.id) or {}
        return live.get("done"), live.get("total")
    return (job.progress, job.total) if job.finished else (None, None)


def job_out(job: Job) -> dict[str, Any]:
    """A job as the API and pages show it: the row, with the live count while it runs."""
    done, total = live_progress(job)
    fields = ("id", "kind", "status", "label", "attempts", "message", "report", "created_at",
              "started_at", "finished_at")
    return {**{f: getattr(job, f) for f in fields}, "progress": done, "total": total}


# -- running one job ---------------------------------------------------------------------------

class _Progress:
    """The running count, written to the queue's store at most twice a second, and a heartbeat
    every HEARTBEAT_SECONDS from a thread so a long step still shows the job alive."""

    def __init__(self, q: Queue, job: Job) -> None:
        self.queue, self.job_id = q, job.id
        self.done, self.total = 0, job.total
        self._sent = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"job-{job.id}")

    def __enter__(self) -> "_Progress":
        self.queue.beat(self.job_id, 0, self.total)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.queue.forget(self.job_id)

    def add(self, amount: int) -> None:
        self.done += amount
        now = time.monotonic()
        if now - self._sent >= 0.5:
            self._sent = now
            self.queue.beat(self.job_id, self.done, self.total)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self.queue.beat(self.job_id, self.done, self.total)


def run_job(job_id: int) -> None:
    """Claim the job and do it; whatever happens, the job ends done or failed with a reason."""
    job = jobs.claim(db.session, job_id)
    if job is None:
        return  # another worker has it, or it is finished: a message delivered twice
    handler = HANDLERS[job.kind]
    with _Progress(queue(), job) as progress:
        try:
            report, failed = handler(job, progress)
        except policy.PolicyError as exc:
            db.session.rollback()
            report, failed = {}, f"not allowed any more: {exc}"
        except Exception as exc:  # the job page says what broke; the worker carries on
            db.session.rollback()
            current_app.logger.exception("job %s failed", job_id)
            report, failed = {}, f"{type(exc).__name__}: {exc}"
    _release(job)  # before the job shows finished: whoever sees it finished finds it clean
    jobs.finish(db.session, db.session.get(Job, job_id), report, progress=progress.done,
                total=progress.total, failed=failed)


def _release(job: Job) -> None:
    """What a finished job leaves behind: an uploaded file."""
    folder = job.params.get("folder")
    if folder and job.kind == "import":
        shutil.rmtree(folder, ignore_errors=True)


def _actor(job: Job) -> Actor:
    """Who the job acts for: its user (checked again by the work's own policy), or the
    operator for what the system starts (scheduled harvests)."""
    if job.user_id is None:
        return policy.OPERATOR
    return db.session.get(User, job.user_id)


def _import(job: Job, progress: _Progress) -> tuple[dict, str | None]:
    p = job.params
    path = Path(p["folder"]) / "upload"
    progress.total = path.stat().st_size
    report = importing.run(p["format"], path, name=p["name"], actor=_actor(job),
                           origin=p["origin"], body=p.get("body"), licence=p.get("licence"),
                           dry_run=p.get("dry_run", False), max_bytes=p.get("max_bytes"),
                           progress=progress.add)
    result = {**report.to_dict(), "exit_code": report.exit_code}
    return result, (f"the file was refused: {report.refused}" if report.refused else None)


def _harvest(job: Job, progress: _Progress) -> tuple[dict, str | None]:
    if job.user_id is not None:
        policy.require(_actor(job), "harvest.manage")
    report = harvest(sessions(), job.params["source"], job_id=job.id, limits=limits(),
                     progress=progress.add)
    failed = report["message"] if report["status"] in ("failed", "refused") else None
    return report, failed


def _reindex(job: Job, progress: _Progress) -> tuple[dict, str | None]:
    policy.require(_actor(job), "search.rebuild")
    count = search.service().reindex()
    progress.add(count)
    return {"documents": count}, None


def _approval(job: Job, progress: _Progress) -> tuple[dict, str | None]:
    from app import submitting  # here: app.submitting queues approvals through this module

    submission = db.session.get(Submission, job.params["submission"])
    if submission is None:
        return {}, "the submission no longer exists"
    try:
        result = submitting.approve_now(submission, _actor(job))
    except submitting.SubmissionError as exc:
        db.session.rollback()
        return {"submission": submission.id}, f"not approved: {exc}"
    return {**result, "submission": submission.id}, None


HANDLERS: dict[str, Callable[[Job, _Progress], tuple[dict, str | None]]] = {
    "import": _import,
    "approval": _approval,
    "harvest": _harvest,
    "reindex": _reindex,
}


# -- what the web, the API and the command line queue -------------------------------------

def start_harvest(actor: Actor, source_id: int, name: str) -> Job:
    return start(actor, "harvest", {"source": source_id}, f"Harvest of {name}",
                 action="harvest.manage")


# -- the minute tick ---------------------------------------------------------------------------

def alive(job: Job) -> bool:
    """A running job's worker is alive: its process (same host), or a recent heartbeat."""
    if job.host == socket.gethostname() and job.pid:
        try:
            os.kill(job.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    beat = queue().live(job.id)
    return bool(beat) and time.time() - beat["at"] < DEAD_AFTER_SECONDS


def tick() -> dict[str, list[int]]:
    """Queue again what a dead worker left; fail its job when attempts are spent (and its
    half-open import batch); start the harvests that are due."""
    again, failed = jobs.reap(db.session, alive, release=_release)
    fail_abandoned_batches(db.session)
    db.session.commit()
    resent = jobs.stale_queued(db.session, RESEND_AFTER)
    started = []
    for source_id, name, due_at, hours in harvest_core.due(db.session):
        if harvest_core.take_turn(db.session, source_id, due_at, hours):
            job = jobs.create(db.session, policy.OPERATOR, "harvest", {"source": source_id},
                              f"Scheduled harvest of {name}", action="harvest.manage")
            started.append(job.id)
    for job_id in again + resent + started:
        queue().send(job_id)
    return {"queued_again": again, "failed": failed, "resent": resent, "harvests": started}


def limits() -> Limits:
    config = current_app.config
    return Limits(max_bytes=config["HARVEST_MAX_BYTES"], timeout=config["HARVEST_TIMEOUT"],
                  file_roots=tuple(Path(p) for p in config["HARVEST_FILE_ROOTS"]))


# -- commands ----------------------------------------------------------------------------------

@jobs_cli.command("worker")
@click.option("--threads", default=1, show_default=True, help="Jobs run at once.")
def worker(threads: int) -> None:
    """Run jobs from the queue until interrupted (Ctrl-C, SIGTERM)."""
    q = queue()
    if q.huey.immediate:
        raise click.UsageError("JOBS_QUEUE=immediate runs jobs where they are queued: "
                               "there is nothing for a worker to do.")
    click.echo(f"Worker for {current_app.config['JOBS_QUEUE']} queue, {threads} thread(s).",
               err=True)
    tick()  # what a previous worker left is picked up at once, not in a minute
    q.huey.create_consumer(workers=threads, worker_type="thread").run()


@jobs_cli.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "done", "failed"]))
@click.option("--limit", default=20, show_default=True)
def list_jobs(status: str | None, limit: int) -> None:
    """The latest jobs."""
    page = jobs.listing(db.session, policy.OPERATOR, per_page=limit, status=status)
    for job in page.items:
        click.echo(f"{job.id:>6}  {job.status:<8} {job.created_at:%Y-%m-%d %H:%M}  {job.label}"
                   + (f"  ({job.message})" if job.message else ""))


@jobs_cli.command("show")
@click.argument("job_id", type=int)
@click.option("--wait", is_flag=True, help="Follow the job until it finishes (progress bar).")
def show(job_id: int, wait: bool) -> None:
    """A job's state and report; exit 1 if it failed."""
    follow(job_id, wait)


def follow(job_id: int, wait: bool) -> None:
    job = jobs.get(db.session, policy.OPERATOR, job_id)
    if job is None:
        raise click.UsageError(f"there is no job {job_id}")
    if wait:
        _wait(job_id)
        db.session.expire_all()
        job = db.session.get(Job, job_id)
    click.echo(f"Job {job.id}: {job.label}: {job.status}"
               + (f" ({job.message})" if job.message else ""))
    if job.report:
        for key, value in job.report.items():
            if value not in (None, [], {}, "") and key not in ("changes", "errors"):
                click.echo(f"  {key}: {value}")
    if job.status == "failed":
        raise SystemExit(1)


def _wait(job_id: int) -> None:
    bar = None
    while True:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished:
            break
        done, total = live_progress(job)
        if total and sys.stderr.isatty():
            bar = bar or click.progressbar(length=total, label=job.label, file=sys.stderr)
            bar.update((done or 0) - bar.pos)
        time.sleep(0.5)
    if bar is not None:
        bar.render_finish()


@harvest_cli.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--format", "fmt", required=True, type=click.Choice(sorted(FORMATS)))
@click.option("--body", help="The source body, when the feed does not say it.")
@click.option("--licence", help="The licence of definition texts, when the feed does not say.")
@click.option("--complete", is_flag=True,
              help="The feed lists everything: what disappears from it is withdrawn.")
@click.option("--every", "interval", default="day", show_default=True,
              type=click.Choice(["hour", "day", "week", "never"]),
              help="How often it is harvested (never: only when asked).")
def harvest_add(name: str, url: str, fmt: str, body: str | None, licence: str | None,
                complete: bool, interval: str) -> None:
    """Register a source: NAME, and the http(s) URL or local path of its feed."""
    hours = {"hour": 1, "day": 24, "week": 168, "never": 0}[interval]
    try:
        source = add_source(db.session, policy.OPERATOR, limits(), name=name, fmt=fmt, url=url,
                            body=body, licence=licence, complete=complete,
                            interval_hours=hours)
    except HarvestError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Added source {source.id}: {source.name} ({source.format}, "
               f"{harvest_core.INTERVALS[source.interval_hours]}).")


@harvest_cli.command("list")
def harvest_list() -> None:
    """Every source, with its schedule and last run."""
    items = harvest_core.sources(db.session)
    latest = harvest_core.latest_runs(db.session, [s.id for s in items])
    for source in items:
        last = latest.get(source.id)
        when = f"last {last.status} {last.started_at:%Y-%m-%d %H:%M}" if last else "never run"
        click.echo(f"{source.id:>4}  {source.name}  {source.format}  {source.url}  "
                   f"({harvest_core.INTERVALS[source.interval_hours]}; {when})")


@harvest_cli.command("run")
@click.argument("sources", nargs=-1)
@click.option("--wait", is_flag=True, help="Follow each job until it finishes.")
def harvest_run(sources: tuple[str, ...], wait: bool) -> None:
    """Queue a harvest of the SOURCES named (id or name), or of every enabled source."""
    if sources:
        chosen = []
        for key in sources:
            source = harvest_core.find_source(db.session, key)
            if source is None:
                raise click.UsageError(f"there is no harvest source {key!r}")
            chosen.append(source)
    else:
        chosen = [s for s in harvest_core.sources(db.session) if s.enabled]
    failed = False
    for source in chosen:
        job = start_harvest(policy.OPERATOR, source.id, source.name)
        click.echo(f"Queued job {job.id}: {job.label}.")
        if wait:
            try:
                follow(job.id, wait=True)
            except SystemExit:
                failed = True
    if failed:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.extensions["jobs"] = Queue(app)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(harvest_cli)
