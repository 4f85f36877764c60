"""The long fuzzing run's second half: the schemathesis CLI against gunicorn (``make fuzz``).

    python -m tests.fuzz.live --max-examples 500 --max-time 600

Builds a fresh registry (SQLite, demo catalogue, one user per role) in a temporary folder,
serves it with gunicorn on 127.0.0.1 and runs ``schemathesis run`` with every check and every
phase (examples, coverage, fuzzing, stateful), anonymously and then with a bearer token of each
role when the registry can mint them (``flask users token``). Reports go to
reports/fuzz/. Exit code: non-zero when any run found a failure.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests import live

OUT = live.ROOT / "reports" / "fuzz"


def mint_token(env: dict[str, str], email: str) -> str | None:
    """A write-scoped token for ``email``, or None on a build without tokens."""
    if not re.search(r"^\s+token\s", live.flask(env, "users", "--help").stdout, re.M):
        return None
    output = live.flask(env, "users", "token", email, "--scope", "write").stdout
    return re.findall(r"\S{24,}", output)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=500)
    parser.add_argument("--max-time", type=int, default=600, help="seconds per identity")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    worst = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        env = live.registry_env(f"sqlite:///{folder / 'registry.sqlite3'}", folder)
        live.prepare(env)
        identities: dict[str, list[str]] = {"anonymous": []}
        for role, (email, _extra) in live.USERS.items():
            token = mint_token(env, email)
            if token is None:
                print(f"== {role}: no API tokens on this build; fuzzing anonymously only")
                continue
            identities[role] = ["--header", f"Authorization: Bearer {token}"]
        with live.gunicorn(env, folder / "gunicorn.log") as (url, _process):
            for who, headers in identities.items():
                print(f"== schemathesis as {who} against {url}", flush=True)
                command = [
                    sys.executable,
                    "-m",
                    "schemathesis.cli",
                    "run",
                    f"{url}/api/v1/openapi.json",
                    "--checks",
                    "all",
                    "--max-examples",
                    str(args.max_examples),
                    "--max-time",
                    str(args.max_time),
                    "--report",
                    "junit",
                    "--report-junit-path",
                    str(OUT / f"{who}.xml"),
                    *headers,
                ]
                worst = max(worst, subprocess.run(command, cwd=live.ROOT, env=env).returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
