"""Import administration: the batches (who imported what, when, with which rejections) and an
upload form that queues an import job through ``app.importing``, like the API."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app import importing
from app.auth.guard import authorize, guarded
from app.extensions import db
from app.web import bp
from app.web.args import load_args
from importers import FORMATS
from registry.schemas.imports import BATCH_STATUSES, BatchQuery, UploadOptions
from registry.schemas.records import error_text
from registry.services import imports


@bp.get("/admin/imports")
def imports_list():
    authorize("batch.read")
    args = load_args(BatchQuery)
    page = imports.list_batches(
        db.session,
        page=args["page"],
        per_page=args["per_page"],
        status=args.get("status"),
        fmt=args.get("format"),
    )
    return render_template(
        "imports/list.html", page=page, args=args, formats=sorted(FORMATS), statuses=BATCH_STATUSES
    )


@bp.get("/admin/imports/<int:batch_id>")
def import_batch(batch_id: int):
    authorize("batch.read")
    batch = imports.get_batch(db.session, batch_id) or abort(
        404, description=gettext("There is no import batch %(id)s.", id=batch_id)
    )
    standards, total = imports.standards_of(db.session, batch_id)
    return render_template(
        "imports/detail.html", batch=batch, standards=standards, standards_total=total
    )


def _form(errors: list[str] | None = None, values: dict | None = None, status: int = 200):
    return render_template(
        "imports/new.html",
        formats=sorted(FORMATS),
        errors=errors or [],
        values=values or {},
        max_bytes=current_app.config["IMPORT_MAX_BYTES"],
    ), status


@bp.get("/admin/imports/new")
def import_form():
    authorize("import.run")
    return _form()


@bp.post("/admin/imports/new")
@guarded("import.run")
def import_upload():
    authorize("import.run", request.form.get("body") or None)
    values = request.form.to_dict()
    errors = []
    try:
        options = UploadOptions().load({**values, "dry_run": "dry_run" in request.form})
    except ValidationError as exc:
        errors.append(error_text(exc.messages))
        options = {}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors.append(gettext("file: choose a file to import."))
    if options and options["format"] not in FORMATS:
        errors.append(gettext("format: unknown format %(format)s.", format=repr(options["format"])))
    if errors:
        return _form(errors, values, 400)
    fmt = options.pop("format")
    try:
        job = importing.queue_upload(
            current_user._get_current_object(), fmt, upload, origin="web",
            max_bytes=current_app.config["IMPORT_MAX_BYTES"], **options)
    except importing.TooLarge as exc:
        abort(413, description=str(exc))
    return redirect(url_for("web.job", job_id=job.id), 303)
