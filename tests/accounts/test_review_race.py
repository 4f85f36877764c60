"""Approving an uploaded file is atomic: a rejection racing it either decides first (and the
approval writes nothing) or waits for the approval and is told it came too late (409).

On PostgreSQL the rejection waits on the submission row the approval claimed before importing;
on SQLite on the database's one write lock, which the approval holds from its first write.
"""

import json
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import sessions
from importers import read_submission
from registry.models import ImportBatch, Standard, Submission, User
from registry.services import submissions
from tests import factories as f
from tests.auth import make_user


@pytest.fixture
def pending_file(session, tmp_path):
    f.load(session, f.body("IEEE", name="IEEE Standards Association"))
    submitter = make_user(session, "submitter", body="IEEE")
    make_user(session, "panel", email="panel-one@example.org")
    make_user(session, "panel", email="panel-two@example.org")
    path = tmp_path / "ieee.jsonl"
    path.write_text(json.dumps(f.standard("IEEE 3119-2025", bodies=["IEEE"], committee=None)))
    item = Submission(kind="import_file", status="pending", body_id=submitter.body_id,
                      submitter_id=submitter.id, format="registry", upload_path=str(path),
                      upload_name="ieee.jsonl", dry_run={})
    session.add(item)
    session.commit()
    return item.id


def _in(session, submission_id):
    panel = session.scalars(select(User).where(User.role == "panel").order_by(User.id)).all()
    return session.get(Submission, submission_id), panel


def test_a_rejection_that_decides_first_leaves_nothing_to_import(app, pending_file):
    with sessions()() as one, sessions()() as other:
        item, panel = _in(one, pending_file)
        submissions.reject(one, item, panel[0], "Not ours", "api")
        item, panel = _in(other, pending_file)
        with pytest.raises(submissions.Conflict, match="already rejected"):
            submissions.approve(other, item, panel[1], read=read_submission)
        assert other.scalar(select(func.count(Standard.id))) == 0
        assert other.scalar(select(func.count(ImportBatch.id))) == 0


def test_a_rejection_during_the_import_waits_and_is_refused(app, pending_file):
    factory = sessions()  # plain sessions on the app's engine: one per thread
    importing, go, rejecting = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_read(session, submission):
        importing.set()
        go.wait(30)  # hold the claim until the rejection is under way
        yield from read_submission(session, submission)

    def approve():
        with factory() as session:
            item, panel = _in(session, pending_file)
            outcome["approved"] = submissions.approve(session, item, panel[0], read=slow_read)

    def reject():
        with factory() as session:
            item, panel = _in(session, pending_file)
            rejecting.set()
            try:
                submissions.reject(session, item, panel[1], "Too late?", "api")
            except submissions.Conflict as exc:
                outcome["conflict"] = str(exc)

    approval = threading.Thread(target=approve)
    approval.start()
    assert importing.wait(30)
    rejection = threading.Thread(target=reject)
    rejection.start()
    assert rejecting.wait(30)
    go.set()
    approval.join(60)
    rejection.join(60)
    assert outcome["approved"]["created"] == 1
    assert "already approved" in outcome["conflict"]
    with factory() as session:
        assert session.get(Submission, pending_file).status == "approved"
        assert session.scalar(select(func.count(Standard.id))) == 1
