"""The core is complete without Flask: a plain script imports a file, approves a submission and
recomputes divergence, under the same policy as the web, the API and the CLI.

The script runs in its own interpreter (this test process has imported the app), and checks at
its end that neither ``flask`` nor the ``app`` package was ever imported.
"""

import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests import dbs
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import sys

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from importers import FORMATS, read_submission
from importers.pipeline import ImportOptions, Source, run_import
from registry import policy
from registry.models import Base, Concept, Definition, Revision, Standard
from registry.services import divergence, submissions, users

url, path = sys.argv[1], sys.argv[2]
engine = create_engine(url)
Base.metadata.create_all(engine)
sessions = sessionmaker(engine, expire_on_commit=False)


def refused(action):
    try:
        action()
    except policy.PolicyError:
        return True
    return False


# 1. Import a file as the operator; a submitter may not.
report = run_import(sessions, "registry", FORMATS["registry"], Source(path),
                    ImportOptions(actor=policy.OPERATOR))
assert (report.created, report.rejected) == (4, []), report.summary()
with sessions() as s:
    panel = users.create_user(s, email="panel@example.org", role="panel", name="Panel",
                              password=None)
    nist = users.create_user(s, email="nist@example.org", role="submitter", name="NIST",
                             body_code="NIST", password=None)
    s.commit()
assert refused(lambda: run_import(sessions, "registry", FORMATS["registry"], Source(path),
                                  ImportOptions(actor=nist)))

# 2. A submitter proposes a definition; a submitter may not approve it; the panel does.
with sessions() as s:
    record = {"concept": "fairness", "body": "NIST", "source": "NIST AI 100-1",
              "language": "en", "designations": [{"term": "fairness"}],
              "text": "absence of harmful bias in decisions about people",
              "licence": "Public domain (US Government work)"}
    submission = submissions.submit_record(s, nist, "definition", record)
    assert refused(lambda: submissions.approve(s, submission, nist, read=read_submission))
    result = submissions.approve(s, submission, panel, read=read_submission)
    assert result["created"] == 1, result
    text = s.scalar(select(Definition.text).where(Definition.body.has(code="NIST")))
    assert text.startswith("absence of harmful bias"), text
    note = s.scalar(select(Revision.summary).where(Revision.entity == "definitions",
                                                    Revision.path == "review"))
    assert "approved by Panel, panel member" in note and "@" not in note, note

# 3. Recompute divergence as the operator; the panel may not (admins only).
with sessions() as s:
    assert refused(lambda: divergence.recompute_all(s, panel))
    assert divergence.recompute_all(s, policy.OPERATOR) == s.scalar(select(func.count(Concept.id)))
    fairness = s.scalar(select(Concept).where(Concept.slug == "fairness"))
    assert fairness.divergence is not None  # two bodies' definitions, compared

assert s.scalar(select(func.count(Standard.id))) == 1
loaded = sorted(m for m in sys.modules if m in ("flask", "app") or m.startswith(("flask.", "app.")))
assert not loaded, loaded
print("plain script: import, approval and recompute under the policy, without Flask")
'''


@pytest.fixture
def database_url(tmp_path):
    with ExitStack() as stack:
        if dbs.is_postgres():
            reason = dbs.postgres_unavailable_reason()
            if reason:
                pytest.skip(reason)
            yield stack.enter_context(dbs.postgres_schema("script"))
        else:
            yield f"sqlite:///{tmp_path / 'script.sqlite3'}"


def test_a_plain_script_imports_approves_and_recomputes_under_the_policy(database_url,
                                                                         tmp_path):
    records = [
        f.body("NIST", name="National Institute of Standards and Technology", kind="national"),
        f.standard("NIST AI 100-1", bodies=["NIST"], committee=None, type="Framework"),
        f.concept("fairness"),
        f.definition("the quality of treating people equally and without favouritism",
                     body="EU", source="Regulation (EU) 2024/1689", licence="EU law"),
    ]
    path = tmp_path / "catalogue.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    result = subprocess.run([sys.executable, "-c", SCRIPT, database_url, str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "without Flask" in result.stdout
