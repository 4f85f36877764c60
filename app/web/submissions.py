"""Pages for submissions: propose (definition, standard, change, file), my submissions, review."""

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import select

from app import submitting
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from app.web import bp
from importers import FORMATS
from registry.models import Area, Body, Submission, vocab
from registry.models.submissions import SUBMISSION_STATUSES
from registry.services import catalogue, submissions
from registry.services.snapshots import standard_record

SUBMISSION_FORMS = {"definition": "definition", "standard": "standard"}


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _commas(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Blank fields are absent, so a missing required one says "missing", not "invalid"."""
    return {k: v for k, v in record.items() if v not in ("", None)}


def _body_code(form) -> str:
    """A submitter speaks for its own body; the panel and admins choose one."""
    if current_user.role == "submitter" and current_user.body is not None:
        return current_user.body.code
    return form.get("body", "").strip()


def definition_from_form(form) -> dict[str, Any]:
    designations = [{"term": form.get("term", "").strip(), "type": "preferred"}]
    designations += [{"term": t, "type": "admitted"} for t in _lines(form.get("admitted"))]
    return _compact(
        {
            "concept": form.get("concept", "").strip(),
            "body": _body_code(form),
            "source": form.get("source", "").strip(),
            "clause": form.get("clause", "").strip(),
            "language": form.get("language", "").strip() or "en",
            "designations": designations,
            "text": form.get("text", "").strip(),
            "notes": _lines(form.get("notes")),
            "examples": _lines(form.get("examples")),
            "date": form.get("date", "").strip(),
            "licence": form.get("licence", "").strip(),
            "url": form.get("url", "").strip(),
            "excerpt": bool(form.get("excerpt")),
        }
    )


def standard_from_form(form, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The form's fields over ``base`` (a change keeps what the form does not show)."""
    bodies = [_body_code(form)] if current_user.role == "submitter" else _commas(form.get("bodies"))
    fields = {
        "reference": form.get("reference", "").strip(),
        "title": form.get("title", "").strip(),
        "bodies": bodies,
        "type": form.get("type", ""),
        "status": form.get("status", ""),
        "stage": form.get("stage", "").strip(),
        "published": form.get("published", "").strip(),
        "edition": form.get("edition", "").strip(),
        "committee": form.get("committee", "").strip(),
        "scope": form.get("scope", "").strip(),
        "url": form.get("url", "").strip(),
        "ics": _commas(form.get("ics")),
        "languages": _commas(form.get("languages")),
        "keywords": _commas(form.get("keywords")),
        "areas": form.getlist("areas"),
        "measurement_evaluation": bool(form.get("measurement_evaluation")),
        "socio_technical": bool(form.get("socio_technical")),
        "human_rights_considered": bool(form.get("human_rights_considered")),
    }
    record = {k: v for k, v in (base or {}).items() if v is not None}
    for key, value in fields.items():
        if value in ("", None):
            record.pop(key, None)
        else:
            record[key] = value
    return record


def _form_context(**extra) -> dict[str, Any]:
    return {
        "bodies": db.session.scalars(select(Body).order_by(Body.code)).all(),
        "areas": db.session.scalars(select(Area).order_by(Area.position, Area.title)).all(),
        "vocab": vocab,
        "formats": sorted(FORMATS),
        "errors": {},
        "values": {},
        **extra,
    }


def _submit(kind: str, raw: dict[str, Any], template: str, **context):
    try:
        submission = submitting.submit_record(
            current_user, kind, raw, request.form.get("note"), "web"
        )
    except submitting.ValidationError as exc:
        return render_template(
            template, **_form_context(errors=exc.messages, values=request.form, **context)
        ), 400
    except submitting.SubmissionError as exc:
        return render_template(
            template,
            **_form_context(errors={"_schema": [str(exc)]}, values=request.form, **context),
        ), 400
    flash(
        gettext("Submission #%(id)s is waiting for review. Nothing is public until a panel "
                "member approves it.", id=submission.id),
        "success",
    )
    return redirect(url_for("web.submission", submission_id=submission.id))


@bp.get("/submissions")
@guarded("submission.list")
def submission_list():
    status = request.args.get("status") or None
    if status not in (None, *SUBMISSION_STATUSES):
        abort(400, description=f"status must be one of {', '.join(SUBMISSION_STATUSES)}")
    page = submissions.listing(
        db.session,
        current_user,
        status=status,
        mine=True,
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template("submissions/list.html", page=page, status=status, queue=False)


@bp.get("/submissions/new")
@guarded("submission.create")
def submission_new():
    return render_template("submissions/new.html")


@bp.route("/submissions/new/definition", methods=["GET", "POST"])
@guarded("submission.create")
def submit_definition():
    if request.method == "GET":
        return render_template(
            "submissions/definition_form.html", **_form_context(values={"language": "en"})
        )
    return _submit(
        "definition", definition_from_form(request.form), "submissions/definition_form.html"
    )


@bp.route("/submissions/new/standard", methods=["GET", "POST"])
@guarded("submission.create")
def submit_standard():
    if request.method == "GET":
        return render_template("submissions/standard_form.html", **_form_context())
    return _submit("standard", standard_from_form(request.form), "submissions/standard_form.html")


@bp.route("/standards/<int:standard_id>/propose-change", methods=["GET", "POST"])
@guarded("submission.create")
def submit_standard_change(standard_id: int):
    standard = catalogue.get_standard(db.session, standard_id) or abort(
        404, description=f"There is no standard with id {standard_id}."
    )
    authorize("submission.create", standard)
    current = standard_record(standard)
    if request.method == "GET":
        values = {
            k: ", ".join(v) if isinstance(v, list) and k != "areas" else v
            for k, v in current.items()
            if k != "relations"
        }
        return render_template(
            "submissions/standard_form.html", standard=standard, **_form_context(values=values)
        )
    return _submit(
        "standard_change",
        standard_from_form(request.form, base=current),
        "submissions/standard_form.html",
        standard=standard,
    )


def _file_limit() -> str:
    return current_app.config["SUBMISSION_FILE_LIMIT"]


def _submitter_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.route("/submissions/new/file", methods=["GET", "POST"])
@limiter.limit(_file_limit, methods=["POST"], key_func=_submitter_key)
@guarded("submission.create")
def submit_file():
    if request.method == "GET":
        return render_template("submissions/file_form.html", **_form_context())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "submissions/file_form.html",
            **_form_context(errors={"file": ["Choose a file to upload."]}, values=request.form),
        ), 400
    try:
        submission = submitting.submit_file(
            current_user,
            upload,
            request.form.get("format", ""),
            _body_code(request.form),
            request.form.get("licence", "").strip(),
            request.form.get("note"),
            "web",
        )
    except submitting.SubmissionError as exc:
        return render_template(
            "submissions/file_form.html",
            **_form_context(errors={"file": [str(exc)]}, values=request.form),
        ), 400
    flash(
        gettext("Submission #%(id)s is waiting for review with its dry-run report. Nothing is "
                "public until a panel member approves it.", id=submission.id),
        "success",
    )
    return redirect(url_for("web.submission", submission_id=submission.id))


def _submission_or_404(submission_id: int) -> Submission:
    return submissions.get(db.session, submission_id) or abort(
        404, description=f"There is no submission {submission_id}."
    )


@bp.get("/submissions/<int:submission_id>")
@guarded("submission.list")
def submission(submission_id: int):
    item = _submission_or_404(submission_id)
    authorize("submission.read", item)
    return render_template("submissions/detail.html", submission=item)


@bp.get("/review")
@guarded("submission.review")
def review_queue():
    status = request.args.get("status") or "pending"
    if status not in SUBMISSION_STATUSES:
        abort(400, description=f"status must be one of {', '.join(SUBMISSION_STATUSES)}")
    page = submissions.listing(
        db.session, current_user, status=status, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template("submissions/list.html", page=page, status=status, queue=True)


@bp.post("/submissions/<int:submission_id>/approve")
@guarded("submission.review")
def approve_submission(submission_id: int):
    item = _submission_or_404(submission_id)
    try:
        job = submitting.approve(item, current_user)
    except submitting.SubmissionError as exc:
        flash(gettext("Not approved: %(reason)s", reason=exc), "error")
        return redirect(url_for("web.submission", submission_id=submission_id), 303)
    if job is not None:  # a file: its import runs as a job the reviewer can follow
        return redirect(url_for("web.job", job_id=job.id), 303)
    flash(gettext("Submission #%(id)s is approved and public.", id=submission_id), "success")
    return redirect(url_for("web.review_queue"), 303)


@bp.post("/submissions/<int:submission_id>/reject")
@guarded("submission.review")
def reject_submission(submission_id: int):
    item = _submission_or_404(submission_id)
    try:
        submitting.reject(item, current_user, request.form.get("reason", ""), "web")
    except submitting.SubmissionError as exc:
        flash(gettext("Not rejected: %(reason)s", reason=exc), "error")
        return redirect(url_for("web.submission", submission_id=submission_id), 303)
    flash(gettext("Submission #%(id)s is rejected; the submitter sees your reason.",
                  id=submission_id), "success")
    return redirect(url_for("web.review_queue"), 303)
