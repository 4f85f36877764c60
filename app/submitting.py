"""Submissions as the web pages and the API both use them: authorize, then call the service.

Every check against the entry touched happens here, through ``app.auth.guard.authorize``, so a
page and an API call cannot disagree about who may submit or review what.
"""

import uuid
from pathlib import Path
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app import importing
from app.auth.guard import authorize
from app.extensions import db
from importers import FORMATS, read_submission
from registry.models import Submission, User
from registry.services import submissions
from registry.services.submissions import SubmissionError

__all__ = [
    "SubmissionError",
    "ValidationError",
    "approve",
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
    name = importing.upload_name(upload)
    # The stored copy's name is ours; the uploader's is only shown.
    stored = _upload_dir() / f"{uuid.uuid4().hex}-{secure_filename(name)[:100] or 'upload'}"
    upload.save(stored)
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
        stored.unlink(missing_ok=True)
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


def approve(submission: Submission, reviewer: User) -> dict[str, Any]:
    """Make the submission public: the core claims it and writes it (or imports its file) in
    one transaction, under the policy."""
    authorize("submission.approve", submission)
    return submissions.approve(db.session, submission, reviewer, read=read_submission)


def reject(submission: Submission, reviewer: User, reason: str, path: str) -> None:
    authorize("submission.review", submission)
    submissions.reject(db.session, submission, reviewer, reason, path)
