"""A real registry for tests and runs that need one: migrated, demo loaded, served by gunicorn,
with a job worker.

Used by the browser journeys (tests/e2e), the fault tests (tests/faults), the load run
(tests/load) and ``make fuzz``. Everything listens on 127.0.0.1 only.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests import dbs

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
PASSWORD = "journey-password-2026"
USERS = {
    "admin": ("admin@example.org", []),
    "panel": ("panel@example.org", []),
    "submitter": ("submitter@ieee.example.org", ["--body", "IEEE"]),
}


def flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``flask --app wsgi ARGS`` in a process of its own, output captured."""
    result = subprocess.run(FLASK + list(args), cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def registry_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a registry whose files (index, logs) live in ``folder``."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(folder / "search-index"),
        "SECRET_KEY": "live-test-secret-key",
        "REGISTRY_PASSWORD": PASSWORD,
        "JOBS_QUEUE": "sqlite",
        "JOBS_QUEUE_FILE": str(folder / "jobs-queue.sqlite3"),
        "JOBS_DIR": str(folder / "jobs"),
        **extra,
    }


def database_url(stack: ExitStack, kind: str, folder: Path, postgres_url: str, prefix: str) -> str:
    """A fresh database for a served registry: a SQLite file in ``folder``, or a private schema
    of the PostgreSQL database at ``postgres_url``, dropped when ``stack`` closes."""
    if kind == "postgres":
        return stack.enter_context(dbs.postgres_schema(prefix, postgres_url))
    return f"sqlite:///{folder / 'registry.sqlite3'}"


def prepare(env: dict[str, str], users: bool = True) -> None:
    """Migrate, load the demo catalogue and create one user per role."""
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    if users:
        for role, (email, extra) in USERS.items():
            flask(env, "users", "create", email, "--role", role, *extra)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


@contextmanager
def worker(env: dict[str, str], log: Path):
    """``flask jobs worker`` on the registry's queue, as ``make run`` starts it."""
    with open(log, "ab") as out:
        process = subprocess.Popen(FLASK + ["jobs", "worker"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, workers: int = 2, threads: int = 4, extra: tuple[str, ...] = ()
):
    """gunicorn serving the registry on a free port of 127.0.0.1; yields (url, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--no-control-socket",
                *extra,
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(url, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
