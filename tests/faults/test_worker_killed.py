"""kill -9 of gunicorn workers while clients write: nothing acknowledged is lost, nothing is
half-written.

Four clients submit definitions through the API as fast as they can while the test kills a
worker with SIGKILL every half second (gunicorn's master starts a new one). Requests that were
cut may or may not have committed; what must hold afterwards is that every submission the server
acknowledged (201 with an id) is in the database, and that every submission in the database is
whole: its payload stored and its audit row beside it (one transaction, or neither).
"""

import http.client
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

from tests import dbs, live

CLIENTS = 4
KILLS = 4


def _workers(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid) for pid in children}


def _submit(url: str, token: str, n: int) -> int | None:
    """The acknowledged submission's id, or None when the request was cut or refused."""
    record = {
        "concept": "transparency", "body": "IEEE", "source": "IEEE 7001-2021", "clause": "3.1",
        "language": "en", "designations": [{"term": "transparency", "type": "preferred"}],
        "text": f"Fault test text number {n} (not an IEEE definition).",
        "licence": "Test fixture", "excerpt": True,
    }
    request = urllib.request.Request(
        url + "/api/v1/submissions", method="POST",
        data=json.dumps({"kind": "definition", "record": record}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["id"] if response.status == 201 else None
    # A worker killed while it sends the body cuts the answer short: not acknowledged.
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError,
            json.JSONDecodeError):
        return None


def test_killed_workers_lose_no_acknowledged_write(tmp_path):
    with ExitStack() as stack:
        if dbs.is_postgres():
            database_url = stack.enter_context(dbs.postgres_schema("workerkill"))
        else:
            database_url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        env = live.registry_env(database_url, tmp_path, API_WRITE_LIMIT="100000 per minute")
        live.prepare(env)
        email = live.USERS["submitter"][0]
        token = live.flask(env, "users", "token", email, "--scope", "write").stdout.split()[-1]
        url, master = stack.enter_context(live.gunicorn(env, tmp_path / "gunicorn.log"))

        acknowledged: list[int] = []
        attempts = [0]
        stop = threading.Event()

        def client(offset: int) -> None:
            n = offset
            while not stop.is_set():
                attempts[0] += 1
                if (sid := _submit(url, token, n)) is not None:
                    acknowledged.append(sid)
                n += CLIENTS

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        killed = 0
        try:
            time.sleep(1.0)
            for _ in range(KILLS):
                victims = _workers(master.pid)
                if victims:
                    os.kill(min(victims), signal.SIGKILL)
                    killed += 1
                time.sleep(0.5)
            time.sleep(1.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        live.wait_until_up(url, master)  # the master replaced the killed workers

        engine = create_engine(database_url)
        try:
            with engine.connect() as db:
                stored = dict(db.execute(text(
                    "SELECT id, payload FROM submissions")).all())
                audited = {row[0] for row in db.execute(text(
                    "SELECT entity_id FROM revisions WHERE entity = 'submissions'"))}
        finally:
            engine.dispose()

    assert killed == KILLS
    assert acknowledged, "no write went through at all"
    assert set(acknowledged) <= set(stored), "an acknowledged submission was lost"
    assert len(stored) <= attempts[0]
    assert all(payload for payload in stored.values()), "a submission without its payload"
    assert set(stored) == audited, "a submission without its audit row, or the reverse"
