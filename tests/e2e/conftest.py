"""Browser journeys: Debian's Chromium driven by pytest-playwright, against gunicorn.

The server runs the real stack (gunicorn, two workers) on 127.0.0.1 with a fresh database:
SQLite by default, or a schema of its own on PostgreSQL when TEST_DATABASE_URL says so. The
demo catalogue is loaded and one user per role is created. Screenshots of failures go to
test-results/ (pytest-playwright's --screenshot only-on-failure, set in pyproject.toml).
"""

import os
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests import dbs, live
from tests.e2e import browser as helpers

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
PASSWORD = live.PASSWORD
USERS = live.USERS


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
        env = live.registry_env(database_url, tmp)
        live.prepare(env)
        yield env


@pytest.fixture(scope="session")
def live_server(server_env):
    folder = Path(server_env["SEARCH_INDEX_DIR"]).parent
    with live.worker(server_env, folder / "worker.log"), \
            live.gunicorn(server_env, folder / "gunicorn.log") as (url, _process):
        yield url


@pytest.fixture
def base(live_server):
    return live_server


@pytest.fixture(scope="session")
def main_pages(live_server) -> dict[str, str]:
    return helpers.main_pages(live_server)


@pytest.fixture(scope="session")
def role_states(browser, live_server) -> dict[str, dict]:
    """Each role's signed-in cookies, signed in once: contexts reuse them instead of the form."""
    return {role: helpers.signed_in_state(browser, live_server, role) for role in helpers.ROLES}
