"""The whoosh index under faults, with the real processes: gunicorn serving, the CLI repairing.

- deleted, or its files overwritten with garbage: ``search check`` says so (exit 1), the pages
  keep answering while ``search reindex`` rebuilds, and afterwards check passes and search
  finds again;
- its folder on a disk that fills up (a small tmpfs, mounted in a private mount namespace
  made with ``unshare``, then filled): ``search reindex`` fails with a clear message and no
  traceback, the index already there is still served, and the database is untouched.
"""

import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests import dbs, live

READ_PATHS = ["/", "/standards", "/glossary", "/search?q=fairness", "/api/v1/standards"]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all


class Reader(threading.Thread):
    """Reads the main pages in a loop and keeps every status it got."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.statuses, self.stop = base, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for path in READ_PATHS:
                self.statuses.append((path, status(self.base + path)))


@pytest.fixture
def registry(tmp_path):
    with ExitStack() as stack:
        if dbs.is_postgres():
            reason = dbs.postgres_unavailable_reason()
            if reason:
                pytest.skip(reason)
            url = stack.enter_context(dbs.postgres_schema("index"))
        else:
            url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        # The reader below searches many times a second: the per-client search limit is not
        # what these tests are about.
        env = live.registry_env(url, tmp_path, SEARCH_BACKEND="whoosh",
                                SEARCH_RATE_LIMIT="100000/minute")
        live.prepare(env, users=False)
        engine = create_engine(url)
        stack.callback(engine.dispose)
        yield env, engine


def search_hits(base: str, term: str) -> str:
    with urllib.request.urlopen(f"{base}/search?q={term}", timeout=30) as response:
        return response.read().decode()


def repair_while_reading(env, base: str) -> list[tuple[str, int]]:
    reader = Reader(base)
    reader.start()
    time.sleep(0.5)
    result = live.flask(env, "search", "reindex", check=False)
    time.sleep(0.5)
    reader.stop.set()
    reader.join(timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return reader.statuses


def damage(index_dir: Path, how: str) -> None:
    if how == "deleted":
        shutil.rmtree(index_dir)
        return
    live_dir = index_dir / (index_dir / "current").readlink()
    for path in live_dir.iterdir():
        if path.name != "VERSION":
            path.write_bytes(b"\x00garbage\xff" * 64)


@pytest.mark.parametrize("how", ["deleted", "corrupted"])
def test_a_broken_index_is_detected_and_repaired_while_pages_answer(registry, tmp_path, how):
    env, _engine = registry
    index_dir = Path(env["SEARCH_INDEX_DIR"])
    assert live.flask(env, "search", "check", check=False).returncode == 0
    with live.gunicorn(env, tmp_path / "gunicorn.log") as (base, _process):
        assert "Fairness" in search_hits(base, "fairness")

        damage(index_dir, how)
        check = live.flask(env, "search", "check", check=False)
        assert check.returncode != 0, check.stdout
        assert "Traceback" not in check.stderr, check.stderr

        statuses = repair_while_reading(env, base)
        assert statuses, "the reader got no answer at all"
        broken = [(path, code) for path, code in statuses if code == 0 or code >= 500]
        assert not broken, f"pages stopped answering during the repair: {broken[:10]}"

        check = live.flask(env, "search", "check", check=False)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "Fairness" in search_hits(base, "fairness")


def _table_counts(engine) -> dict[str, int]:
    tables = ["standards", "concepts", "definitions", "revisions", "search_outbox"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in tables}


def _index_size(env, folder: Path) -> int:
    probe = {**env, "SEARCH_INDEX_DIR": str(folder)}
    live.flask(probe, "search", "reindex")
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_for_the_index_is_a_clear_error_and_the_database_is_untouched(
    registry, tmp_path
):
    env, engine = registry
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) to make a private mount namespace")
    # A disk with room for a few indexes, then filled up (64 KiB left) once the first is built.
    # A build needs room for its temporary runs besides the final index: with the demo's
    # glossary of 1,300+ definitions four times the final size was not always enough.
    disk_kb = 8 * _index_size(env, tmp_path / "probe") // 1024 + 1024
    index_dir = tmp_path / "small-disk"
    index_dir.mkdir()
    flask = " ".join(live.FLASK)
    script = (
        f"mount -t tmpfs -o size={disk_kb}k tmpfs {index_dir} || exit 97\n"
        f"{flask} search reindex || exit 98\n"
        f"avail=$(df --output=avail -k {index_dir} | tail -1)\n"
        f"dd if=/dev/zero of={index_dir}/filler bs=1k count=$((avail - 64)) 2>/dev/null\n"
        f"{flask} search reindex; echo second-reindex-exit=$?\n"
        f"{flask} search check; echo check-exit=$?\n"
    )
    before = _table_counts(engine)
    result = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=live.ROOT,
        env={**env, "SEARCH_INDEX_DIR": str(index_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode == 97:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {result.stderr}")
    assert result.returncode != 98, f"the first index did not fit in {disk_kb} KiB: {result.stderr}"
    assert "second-reindex-exit=1" in result.stdout, result.stdout + result.stderr
    assert "No space left on device" in result.stderr
    assert "The database is unchanged" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # The index built before the disk filled is still the one served, and still right.
    assert "check-exit=0" in result.stdout, result.stdout + result.stderr
    assert _table_counts(engine) == before
