"""kill -9 of an import halfway: nothing half-written, the batch failed, a re-run completes.

The import runs as a real ``flask import`` process against a migrated database (SQLite, or a
PostgreSQL schema of its own); the test kills it with SIGKILL once it is writing.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from registry.models import ImportBatch, Standard
from tests import dbs

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 10_000


def _write_file(path: Path) -> None:
    with path.open("w") as fh:
        for n in range(RECORDS):
            fh.write(json.dumps({
                "record": "standard", "reference": f"ISO/IEC {100000 + n}:2024",
                "title": f"Generated deliverable number {n}", "bodies": ["ISO", "IEC"],
                "type": "IS", "status": "published", "published": "2024-01-01",
                "committee": "ISO/IEC JTC 1/SC 42"}) + "\n")


@pytest.fixture
def database(tmp_path):
    with ExitStack() as stack:
        if dbs.is_postgres():
            reason = dbs.postgres_unavailable_reason()
            if reason:
                pytest.skip(reason)
            url = stack.enter_context(dbs.postgres_schema("kill"))
        else:
            url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "fault-test",
               "SEARCH_INDEX_DIR": str(tmp_path / "index")}
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        engine = create_engine(url)
        yield env, engine
        engine.dispose()


def _batches(engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(ImportBatch.status, ImportBatch.created).order_by(ImportBatch.id))]


def _read_position(pid: int, path: Path) -> int | None:
    """How far the process has read into ``path`` (its file offset), None once it is closed."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if Path(os.readlink(fd)) == path:
                info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
                return int(info.split("pos:")[1].split()[0])
        except (OSError, IndexError):
            continue
    return None


def test_killed_import_leaves_nothing_half_written(database, tmp_path):
    env, engine = database
    data = tmp_path / "big.jsonl"
    _write_file(data)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "import", "registry", str(data)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _batches(engine) != [("running", 0)]:
        time.sleep(0.05)
    assert _batches(engine) == [("running", 0)], "the import never started"
    # Kill it once it has read half the file: the chunks before that are written inside its
    # one transaction (whatever the machine's speed), the rest is still to come.
    half = data.stat().st_size // 2
    while process.poll() is None and (_read_position(process.pid, data) or 0) < half:
        time.sleep(0.01)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    with engine.connect() as conn:
        assert conn.execute(select(func.count(Standard.id))).scalar() == 0
        assert conn.execute(text("select count(*) from revisions")).scalar() == 0
    assert _batches(engine) == [("running", 0)]

    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"created {RECORDS}, updated 0, unchanged 0, rejected 0" in rerun.stdout
    assert _batches(engine) == [("failed", 0), ("committed", RECORDS)]
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Standard.id))).scalar() == RECORDS
