"""Import batches over the API, and imports by upload (multipart), for administrators."""

from flask import abort, current_app, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from app import importing, jobs
from app.api import ApiBlueprint
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from importers import FORMATS
from registry.schemas.api import page_schema
from registry.schemas.imports import (
    BatchDetailOut,
    BatchOut,
    BatchQuery,
    UploadOptions,
)
from registry.schemas.jobs import JobOut
from registry.schemas.records import error_text
from registry.services import imports

blp = ApiBlueprint(
    "imports_api",
    __name__,
    url_prefix="/api/v1",
    description="Import batches and imports by upload (administrators)",
)

BatchPage = page_schema(BatchOut, "BatchPage")
UPLOAD_LIMIT = "20 per hour"


@blp.get("/imports")
@blp.arguments(BatchQuery, location="query", as_kwargs=True)
@blp.response(200, BatchPage)
@blp.alt_response(401, description="Not signed in")
@blp.alt_response(403, description="Not an administrator")
def list_imports(**args):
    """Import batches, newest first, with their counts."""
    authorize("batch.read")
    return imports.list_batches(
        db.session,
        page=args["page"],
        per_page=args["per_page"],
        status=args.get("status"),
        fmt=args.get("format"),
    )


@blp.get("/imports/<int:batch_id>")
@blp.response(200, BatchDetailOut)
@blp.alt_response(404, description="No such batch")
def get_import(batch_id: int):
    """One batch, with the location and reason of each rejected record."""
    authorize("batch.read")
    return imports.get_batch(db.session, batch_id) or abort(
        404, description=f"There is no import batch {batch_id}."
    )


_OPTION_PROPERTIES = {
    "format": {"type": "string", "enum": sorted(FORMATS)},
    "body": {"type": "string", "description": "source body code, if the file lacks it"},
    "licence": {"type": "string", "description": "licence of definition texts"},
    "dry_run": {"type": "boolean", "default": False},
}


@blp.post("/imports")
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "format"],
                    "properties": {"file": {"type": "string", "format": "binary"},
                                   **_OPTION_PROPERTIES},
                }
            },
            # The file as the whole body, the options in the query string: no multipart
            # parsing, so a large file is stored at the speed of the disk.
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    parameters=[
        {"in": "query", "name": name, "schema": schema, "required": False,
         "description": "with an application/octet-stream body (required: format)"}
        for name, schema in {**_OPTION_PROPERTIES,
                             "name": {"type": "string", "description": "the file's name"}}.items()
    ],
)
@blp.response(202, JobOut, description="Queued: follow the job at the Location given")
@blp.alt_response(400, description="Missing file or invalid options")
@blp.alt_response(413, description="The file is over the size limit")
@blp.alt_response(429, description="Too many uploads")
@limiter.limit(UPLOAD_LIMIT)
@guarded("import.run")
def create_import():
    """Queue the import of an uploaded file (the same pipeline as the command line).

    Answers at once with the job; its report (created, updated, unchanged, rejected with their
    locations, or why the file was refused whole) is on the job once it is done. The file comes
    as multipart field ``file`` with the options as fields, or as the whole request body
    (``application/octet-stream``) with the options in the query string."""
    raw = request.mimetype != "multipart/form-data"
    try:
        options = UploadOptions().load((request.args if raw else request.form).to_dict())
    except ValidationError as exc:
        abort(400, description=error_text(exc.messages))
    authorize("import.run", options.get("body"))
    if raw:  # the body is the file
        upload = FileStorage(stream=request.stream, filename=request.args.get("name", "upload"))
        if not request.content_length:
            abort(400, description="send the file as the request body (with Content-Length), "
                                   "or as multipart field 'file'.")
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(400, description="file: send the file to import as multipart field 'file'.")
    fmt = options.pop("format")
    try:
        job = importing.queue_upload(
            current_user._get_current_object(), fmt, upload, origin="api",
            max_bytes=current_app.config["IMPORT_MAX_BYTES"], **options)
    except importing.UnknownFormat as exc:
        abort(400, description=str(exc))
    except importing.TooLarge as exc:
        abort(413, description=str(exc))
    return jobs.job_out(job), 202, {"Location": url_for("jobs_api.get_job", job_id=job.id)}
