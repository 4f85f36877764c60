"""The database goes away under a running gunicorn: 503 with a message, then recovery.

The registry runs on PostgreSQL reached through a TCP proxy (tests/faults/proxy.py); cutting
the proxy resets every connection and refuses new ones, as a crashed or unreachable database
server would. Pages and the API must answer 503 with a message (not hang, not 500), and once
the proxy is back the same gunicorn processes must serve again without a restart.

SQLite is embedded: there is no server to lose, and in WAL mode readers are never blocked by
a lock, so this fault exists on PostgreSQL only. On the SQLite run the test uses the
PostgreSQL server of the PostgreSQL run when one answers (TEST_DATABASE_URL or the default).
"""

import json
import os
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests import dbs, live
from tests.faults.proxy import TcpProxy

SERVER = (
    dbs.TEST_DATABASE_URL
    if dbs.is_postgres()
    else os.environ.get("FAULT_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
PAGES = ["/", "/standards", "/glossary", "/bodies"]
API = ["/api/v1/standards", "/api/v1/concepts", "/api/v1/bodies"]


def fetch(url: str, accept: str = "text/html") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def workers(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid) for pid in children}


@pytest.fixture
def registry_behind_proxy(tmp_path):
    with ExitStack() as stack:
        reason = dbs.postgres_unavailable_reason(SERVER)
        if reason:
            pytest.skip(f"no PostgreSQL server to cut off: {reason}")
        direct = stack.enter_context(dbs.postgres_schema("down", SERVER))
        parsed = make_url(direct)
        proxy = TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxy.start()
        stack.callback(proxy.stop)
        proxied = direct.replace(
            f"@{parsed.host}:{parsed.port or 5432}/", f"@127.0.0.1:{proxy.port}/", 1
        )
        assert proxied != direct, "the database URL must name host and port"
        env = live.registry_env(proxied, tmp_path)
        live.prepare(env, users=False)
        log = live.ROOT / "reports" / "faults" / "database-down-gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.unlink(missing_ok=True)
        url, process = stack.enter_context(live.gunicorn(env, log))
        yield url, process, proxy


def test_database_down_is_a_503_with_a_message_and_recovers(registry_behind_proxy):
    url, gunicorn, proxy = registry_behind_proxy
    for path in PAGES + API:
        assert fetch(url + path)[0] == 200, path
    before = workers(gunicorn.pid)

    proxy.stop()
    for _round in range(2):  # pooled connections first, then fresh connection attempts
        for path in PAGES:
            status, body, headers = fetch(url + path)
            assert status == 503, (path, body[:300])
            assert "database is unavailable" in body
            assert headers.get("Retry-After")
            assert "text/html" in headers["Content-Type"]
        for path in API:
            status, body, headers = fetch(url + path, accept="application/json")
            assert status == 503, (path, body[:300])
            assert "database is unavailable" in json.loads(body)["message"]
        assert fetch(url + "/healthz")[0] == 503

    proxy.start()
    for path in PAGES + API:
        assert fetch(url + path)[0] == 200, path
    assert fetch(url + "/healthz")[0] == 200
    assert gunicorn.poll() is None
    assert workers(gunicorn.pid) == before, "recovery needed new worker processes"
