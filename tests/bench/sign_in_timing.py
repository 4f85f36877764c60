"""Benchmark: how long a refused sign-in takes for each account state, with the production
argon2 parameters. The active account with a wrong password is the same-run baseline; the
others must not answer noticeably faster (an invited account without a password answered in
about 1 ms against about 110 ms before every refusal verified a hash).

    .venv/bin/python tests/bench/sign_in_timing.py [--runs 15]

Prints medians; asserts nothing. In process, through Flask's test client, on a temporary
SQLite database.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

STATES = {
    "active, wrong password (baseline)": "active@example.org",
    "invited, no password yet": "invited@example.org",
    "deactivated": "gone@example.org",
    "unknown e-mail": "nobody@example.org",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs

    from app import create_app
    from app.extensions import db
    from registry.models import Base
    from registry.services.users import create_user

    folder = tempfile.mkdtemp(prefix="bench-sign-in-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/registry.sqlite3",
                      "SEARCH_INDEX_DIR": f"{folder}/index", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        password = "a-long-enough-password"
        create_user(db.session, email="active@example.org", role="panel", password=password)
        create_user(db.session, email="invited@example.org", role="panel")
        create_user(db.session, email="gone@example.org", role="panel",
                    password=password).active = False
        db.session.commit()
        client = app.test_client()
        client.post("/sign-in", data={"email": "nobody@example.org", "password": "x"})  # warm
        for label, email in STATES.items():
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.post("/sign-in",
                                       data={"email": email, "password": "wrong-password"})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 401, response.status_code
            print(f"{label:36} median {statistics.median(times):7.1f} ms   "
                  f"min {min(times):7.1f}   max {max(times):7.1f}")


if __name__ == "__main__":
    main()
