"""Browser journeys: Debian's Chromium driven by pytest-playwright, against gunicorn.

The server runs the real stack (gunicorn, two workers) on 127.0.0.1 with a fresh database:
SQLite by default, or a schema of its own on PostgreSQL when TEST_DATABASE_URL says so. The
demo catalogue is loaded and one user per role is created. Screenshots of failures go to
test-results/ (pytest-playwright's --screenshot only-on-failure, set in pyproject.toml).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests import dbs

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
PASSWORD = "journey-password-2026"
USERS = {
    "admin": ("admin@example.org", []),
    "panel": ("panel@example.org", []),
    "submitter": ("submitter@ieee.example.org", ["--body", "IEEE"]),
}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM:
                item.add_marker(pytest.mark.skip(
                    reason="no Chromium: install Debian's chromium package (see .ci/run) or "
                           "set CHROMIUM_PATH"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    """Environment of a fresh registry: migrated, demo loaded, one user per role."""
    with ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("e2e")
        if dbs.is_postgres():
            reason = dbs.postgres_unavailable_reason()
            if reason:
                pytest.skip(reason)
            database_url = stack.enter_context(dbs.postgres_schema("e2e"))
        else:
            database_url = f"sqlite:///{tmp / 'registry.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": database_url,
               "SEARCH_INDEX_DIR": str(tmp / "search-index"),
               "SECRET_KEY": "e2e-secret-key", "REGISTRY_PASSWORD": PASSWORD}
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        for role, (email, extra) in USERS.items():
            subprocess.run(flask + ["users", "create", email, "--role", role, *extra],
                           cwd=ROOT, env=env, check=True, capture_output=True)
        yield env


@pytest.fixture(scope="session")
def live_server(server_env):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(server_env["SEARCH_INDEX_DIR"]).parent / "gunicorn.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def base(live_server):
    return live_server
