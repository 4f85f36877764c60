"""Submitted files: a rate and a quota per submitter, removed once decided, orphans cleaned."""

import io
import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.models import Submission
from tests.accounts.conftest import ieee_definition
from tests.auth import make_user, sign_in


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """UPLOAD_DIR in this test's folder (the shared app's setting is restored afterwards)."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads" / "submissions"


def _upload(client, text: str = "XAI transparency", name: str = "ieee.jsonl"):
    record = ieee_definition(text) | {"record": "definition"}
    return client.post(
        "/submissions/new/file",
        data={"format": "registry", "file": (io.BytesIO(json.dumps(record).encode()), name)},
        content_type="multipart/form-data",
    )


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True,
                                  "SUBMISSION_FILE_LIMIT": "2 per minute"}], indirect=True)
def test_file_submissions_are_rate_limited_per_submitter(app, session, client, users, uploads):
    """30 files of 1 MiB were accepted in 10 s."""
    sign_in(client, users["ieee"])
    codes = [_upload(client, f"text {i}").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    limited = _upload(client, "one more")
    assert "Too many requests" in limited.text and "2 per 1 minute" in limited.text
    assert len(_files(uploads)) == 2  # the refused uploads were not stored
    assert client.get("/submissions/new/file").status_code == 200  # the form is not limited
    other = app.test_client()
    sign_in(other, make_user(session, "submitter", body="IEEE", email="second@ieee.example"))
    assert _upload(other).status_code == 302  # another submitter has their own count


@pytest.mark.parametrize("app", [{"SUBMISSION_PENDING_FILES_MAX": 2}], indirect=True)
def test_a_submitter_may_have_only_so_many_files_waiting(app, session, client, users, uploads):
    sign_in(client, users["ieee"])
    assert [_upload(client, f"text {i}").status_code for i in range(2)] == [302, 302]
    refused = _upload(client, "a third")
    assert refused.status_code == 400
    assert "2 files waiting for review" in refused.text
    assert len(_files(uploads)) == 2
    first = session.scalar(select(Submission).order_by(Submission.id))
    sign_in(client, users["panel"])
    assert client.post(f"/submissions/{first.id}/reject",
                       data={"reason": "Duplicate"}).status_code in (302, 303)
    sign_in(client, users["ieee"])
    assert _upload(client, "a third").status_code == 302  # one was decided: room again


def test_a_decided_submission_leaves_no_file_behind(app, session, client, users, uploads):
    """Files were kept after rejection (and after approval) for ever."""
    sign_in(client, users["ieee"])
    assert _upload(client, "to be rejected").status_code == 302
    assert _upload(client, "to be approved").status_code == 302
    rejected, approved = session.scalars(select(Submission).order_by(Submission.id)).all()
    assert Path(rejected.upload_path).exists() and Path(approved.upload_path).exists()
    sign_in(client, users["panel"])
    assert client.post(f"/submissions/{rejected.id}/reject",
                       data={"reason": "Not ours"}).status_code in (302, 303)
    assert not Path(rejected.upload_path).exists()
    assert Path(approved.upload_path).exists()
    response = client.post(f"/submissions/{approved.id}/approve")
    # The import runs as a job; the reviewer lands on its page (in tests it ran at once).
    assert response.status_code == 303 and "/jobs/" in response.location
    job_page = client.get(response.location).text
    assert f"Approval of submission #{approved.id}" in job_page and "Done" in job_page
    session.expire_all()
    done = session.get(Submission, approved.id)
    assert done.status == "approved" and done.result["created"] >= 1 and done.batch_id
    assert not Path(approved.upload_path).exists()
    assert _files(uploads) == []


def test_a_failed_approval_keeps_the_file_of_the_pending_submission(
        app, session, client, users, uploads, monkeypatch):
    from registry.services import submissions

    sign_in(client, users["ieee"])
    assert _upload(client).status_code == 302
    item = session.scalar(select(Submission))

    def refuse(*args, **kwargs):
        raise submissions.SubmissionError("the import was refused: test")

    monkeypatch.setattr(submissions, "approve", refuse)
    sign_in(client, users["panel"])
    job_page = client.get(client.post(f"/submissions/{item.id}/approve").location).text
    assert "Failed" in job_page and "not approved: the import was refused: test" in job_page
    session.expire_all()
    assert session.get(Submission, item.id).status == "pending"
    assert Path(item.upload_path).exists()


def test_the_api_answers_202_for_a_file_approval_and_the_job_reports_it(
        app, session, client, users, uploads):
    sign_in(client, users["ieee"])
    assert _upload(client).status_code == 302
    item = session.scalar(select(Submission))
    sign_in(client, users["panel"])
    response = client.post(f"/api/v1/submissions/{item.id}/approve")
    assert response.status_code == 202 and response.json["kind"] == "approval"
    job = client.get(response.headers["Location"]).json
    assert job["status"] == "done" and job["report"]["submission"] == item.id
    assert job["report"]["created"] >= 1
    session.expire_all()
    assert session.get(Submission, item.id).status == "approved"
    again = client.post(f"/api/v1/submissions/{item.id}/approve")
    assert again.status_code == 409 and "already approved" in again.json["message"]


def test_clean_uploads_removes_only_files_no_pending_submission_needs(
        app, session, client, runner, users, uploads):
    sign_in(client, users["ieee"])
    assert _upload(client).status_code == 302
    pending = Path(session.scalar(select(Submission.upload_path)))
    orphan = uploads / "0123-crashed.jsonl"  # saved, then the worker died before queueing it
    orphan.write_bytes(b"x" * 1000)
    fresh = uploads / "4567-in-its-dry-run.jsonl"
    fresh.write_bytes(b"y")
    old = time.time() - 2 * 3600
    for file in (orphan, pending):
        os.utime(file, (old, old))

    result = runner.invoke(args=["submissions", "clean-uploads"])
    assert result.exit_code == 0, result.output
    assert f"Removed {orphan} (1,000 bytes)" in result.output
    assert "Removed 1 file(s), 1,000 bytes." in result.output
    assert not orphan.exists() and pending.exists() and fresh.exists()

    result = runner.invoke(args=["submissions", "clean-uploads", "--min-age", "0"])
    assert str(fresh) in result.output and not fresh.exists() and pending.exists()


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True,
                                  "SUBMISSION_FILE_LIMIT": "1 per day"}], indirect=True)
def test_a_daily_limit_does_not_ask_to_wait_a_minute(app, session, client, users, uploads):
    sign_in(client, users["ieee"])
    assert _upload(client).status_code == 302
    limited = _upload(client, "again")
    assert limited.status_code == 429 and "1 per 1 day" in limited.text
    assert "wait a minute" not in limited.text and "wait a while" in limited.text
