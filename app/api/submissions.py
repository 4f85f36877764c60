"""Submissions and their review over the API. Authenticate with ``Authorization: Bearer``."""

from flask import current_app, g, jsonify, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import abort

from app import jobs, submitting
from app.api import ApiBlueprint
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from registry.schemas.accounts import (
    RejectIn,
    SubmissionIn,
    SubmissionOut,
    SubmissionQuery,
)
from registry.schemas.api import page_schema
from registry.schemas.jobs import JobOut
from registry.schemas.records import error_text
from registry.services import submissions

blp = ApiBlueprint(
    "submissions_api",
    __name__,
    url_prefix="/api/v1",
    description="Submissions by standards bodies, and their review. Needs a "
    "token (Authorization: Bearer); writes need the write scope.",
)

SubmissionPage = page_schema(SubmissionOut, "SubmissionPage")
BEARER = [{"bearerAuth": []}]


def _write_limit() -> str:
    return current_app.config["API_WRITE_LIMIT"]


def _client_key() -> str:
    """Rate-limit per token (or signed-in user), else per address."""
    if current_user.is_authenticated:  # loads the user first, which sets g.api_token
        token = g.get("api_token")
        return f"token:{token.id}" if token is not None else f"user:{current_user.id}"
    return get_remote_address()


write_limit = limiter.limit(_write_limit, key_func=_client_key)


def _get(submission_id: int):
    return submissions.get(db.session, submission_id) or abort(
        404, message=f"There is no submission {submission_id}."
    )


@blp.post("/submissions")
@write_limit
@guarded("submission.create")
@blp.arguments(SubmissionIn)
@blp.response(201, SubmissionOut)
@blp.alt_response(401, description="No valid token")
@blp.alt_response(403, description="Wrong role, another body, or a read-only token")
@blp.alt_response(422, description="The record is not valid; messages say why per field")
@blp.doc(security=BEARER)
def create_submission(data):
    """Propose a standard, a change to a standard, or a definition for review."""
    try:
        return submitting.submit_record(
            current_user, data["kind"], data["record"], data.get("note"), "api"
        )
    except submitting.ValidationError as exc:
        abort(
            422,
            message="The record is not valid: " + error_text(exc.messages),
            messages={"record": exc.messages},
        )
    except submitting.SubmissionError as exc:
        abort(409, message=str(exc))


@blp.get("/submissions")
@guarded("submission.list")
@blp.arguments(SubmissionQuery, location="query", as_kwargs=True)
@blp.response(200, SubmissionPage)
@blp.doc(security=BEARER)
def list_submissions(status=None, page=1, per_page=20):
    """Your submissions; the panel and admins see everyone's (the review queue: pending)."""
    return submissions.listing(
        db.session, current_user, status=status, page=page, per_page=per_page
    )


@blp.get("/submissions/<int:submission_id>")
@guarded("submission.list")
@blp.response(200, SubmissionOut)
@blp.doc(security=BEARER)
def get_submission(submission_id: int):
    """One submission, with its status and, once rejected, the reason."""
    item = _get(submission_id)
    authorize("submission.read", item)
    return item


@blp.post("/submissions/<int:submission_id>/approve")
@write_limit
@guarded("submission.review")
@blp.response(200, SubmissionOut)
@blp.alt_response(202, schema=JobOut,
                  description="A file: its import is queued; follow the job at Location")
@blp.alt_response(409, description="Already decided, or the record can no longer be written")
@blp.doc(security=BEARER)
def approve_submission(submission_id: int):
    """Approve: the entry becomes public through the review path, with its provenance. A
    submitted file is imported by a job (202 with its Location)."""
    item = _get(submission_id)
    try:
        job = submitting.approve(item, current_user)
    except submitting.SubmissionError as exc:
        abort(409, message=str(exc))
    if job is not None:  # a response of its own: not a submission's shape
        queued = jsonify(JobOut().dump(jobs.job_out(job)))
        queued.status_code = 202
        queued.headers["Location"] = url_for("jobs_api.get_job", job_id=job.id)
        return queued
    return item


@blp.post("/submissions/<int:submission_id>/reject")
@write_limit
@guarded("submission.review")
@blp.arguments(RejectIn)
@blp.response(200, SubmissionOut)
@blp.alt_response(409, description="Already decided")
@blp.doc(security=BEARER)
def reject_submission(data, submission_id: int):
    """Reject with a reason the submitter sees."""
    item = _get(submission_id)
    try:
        submitting.reject(item, current_user, data["reason"], "api")
    except submitting.SubmissionError as exc:
        abort(409, message=str(exc))
    return item
