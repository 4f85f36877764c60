"""Submissions as the web pages and the API both use them: authorize, then call the service.

Every check against the entry touched happens here, through ``app.auth.guard.authorize``, so a
page and an API call cannot disagree about who may submit or review what.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app import importing, jobs
from app.auth.guard import authorize
from app.extensions import db
from importers import FORMATS, read_submission
from registry.models import Job, Submission, User
from registry.services import submissions
from registry.services.submissions import SubmissionError

log = logging.getLogger(__name__)

__all__ = [
    "SubmissionError",
    "ValidationError",
    "approve",
    "approve_now",
    "reject",
    "submit_file",
    "submit_record",
]


def submit_record(
    user: User, kind: str, raw: dict[str, Any], note: str | None, path: str
) -> Submission:
    """Validate (ValidationError), authorize against the record and the standard it changes
    (401/403), and store for review (SubmissionError when the kind does not fit)."""
    return submissions.submit_record(db.session, user, kind, raw, note, path)


def _upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def submit_file(
    user: User,
    upload: FileStorage,
    fmt: str,
    body_code: str,
    licence: str | None,
    note: str | None,
    path: str,
) -> Submission:
    """Store the file, dry-run it through the pipeline, and queue it with the report.

    A file the pipeline refuses whole is not queued (SubmissionError with the reason).
    """
    if fmt not in FORMATS:
        raise SubmissionError(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    authorize("submission.create", body_code)
    cap = current_app.config["SUBMISSION_PENDING_FILES_MAX"]
    waiting = submissions.pending_files(db.session, user)
    if waiting >= cap:
        # Each pending file stays on disk until it is decided: a submitter may not fill it.
        raise SubmissionError(
            f"you have {waiting} files waiting for review, the most one submitter may have; "
            "submit more once the panel has decided on them")
    name = importing.upload_name(upload)
    # The stored copy's name is ours; the uploader's is only shown.
    stored = _upload_dir() / f"{uuid.uuid4().hex}-{secure_filename(name)[:100] or 'upload'}"
    upload.save(stored)
    try:
        return _queue_file(user, stored, name, fmt, body_code, licence, note, path)
    except BaseException:
        stored.unlink(missing_ok=True)  # nothing refers to it
        raise


def _queue_file(user: User, stored: Path, name: str, fmt: str, body_code: str,
                licence: str | None, note: str | None, path: str) -> Submission:
    db.session.commit()  # end this session's read transaction before the pipeline writes
    report = importing.run(
        fmt,
        stored,
        name=name,
        dry_run=True,
        body=body_code,
        licence=licence or None,
        origin=path,
        actor=user,
        screen=submissions.import_screen(db.session, body_code),
    )
    if report.refused:
        raise SubmissionError(f"the file was refused: {report.refused}")
    db.session.commit()  # the screen read in this session; start afresh before writing
    submission = submissions.create_import_submission(
        db.session,
        user,
        body_code=body_code,
        fmt=fmt,
        upload_path=str(stored),
        upload_name=name,
        dry_run=report.to_dict(),
        note=note,
        path=path,
    )
    submission.payload = {"licence": licence} if licence else None
    db.session.commit()
    return submission


def approve(submission: Submission, reviewer: User) -> Job | None:
    """Make the submission public: the core claims it and writes it in one transaction, under
    the policy. A record is written at once (None); a file's import is queued as a job, which
    calls ``approve_now`` (returned, so the reviewer can follow it)."""
    authorize("submission.approve", submission)
    if submission.kind == "import_file":
        if submission.status != "pending":  # said now, not on the job's page later
            raise submissions.Conflict(
                f"submission {submission.id} is already {submission.status}")
        return jobs.start(reviewer, "approval", {"submission": submission.id},
                          f"Approval of submission #{submission.id} "
                          f"({submission.upload_name or 'file'})",
                          action="submission.approve", target=submission)
    approve_now(submission, reviewer)
    return None


def approve_now(submission: Submission, reviewer: User) -> dict[str, Any]:
    result = submissions.approve(db.session, submission, reviewer, read=read_submission)
    # Imported: the batch keeps its name, counts and rejections, the submission both reports;
    # nothing reads the file again.
    _remove_upload(submission)
    return result


def reject(submission: Submission, reviewer: User, reason: str, path: str) -> None:
    authorize("submission.review", submission)
    submissions.reject(db.session, submission, reviewer, reason, path)
    _remove_upload(submission)


def _remove_upload(submission: Submission) -> None:
    """The decided submission's file, once its decision is committed (a failed approval
    leaves it pending, with its file)."""
    if submission.kind != "import_file" or not submission.upload_path:
        return
    try:
        Path(submission.upload_path).unlink(missing_ok=True)
    except OSError as exc:  # clean-uploads removes it later
        log.warning("could not remove the upload of submission %s: %s", submission.id, exc)


def orphan_uploads(min_age_seconds: float) -> Iterator[Path]:
    """Stored uploads that no pending submission refers to (left by a crash between saving
    the file and queueing it, or by a removal that failed), older than ``min_age_seconds``:
    a younger file may belong to a submission still in its dry run."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "submissions"
    if not folder.is_dir():
        return
    needed = {str(Path(p).resolve()) for p in submissions.pending_upload_paths(db.session)}
    now = time.time()
    for file in sorted(folder.iterdir()):
        if not file.is_file() or str(file.resolve()) in needed:
            continue
        if now - file.stat().st_mtime >= min_age_seconds:
            yield file
