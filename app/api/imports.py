"""Import batches over the API, and imports by upload (multipart), for administrators."""

from flask import abort, current_app, request
from flask_login import current_user
from marshmallow import ValidationError

from app import importing
from app.api import ApiBlueprint
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from importers import FORMATS
from registry.schemas.api import page_schema
from registry.schemas.imports import (
    BatchDetailOut,
    BatchOut,
    BatchQuery,
    ReportOut,
    UploadOptions,
)
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


@blp.post("/imports")
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "format"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "format": {"type": "string", "enum": sorted(FORMATS)},
                        "body": {
                            "type": "string",
                            "description": "source body code, if the file lacks it",
                        },
                        "licence": {"type": "string", "description": "licence of definition texts"},
                        "dry_run": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
)
@blp.response(
    201,
    ReportOut,
    description="Imported (some records may be rejected: see rejected and exit_code 1)",
)
@blp.alt_response(200, schema=ReportOut, description="Dry run: what would change")
@blp.alt_response(400, description="Missing file or invalid options")
@blp.alt_response(413, description="The file is over the size limit")
@blp.alt_response(
    422, schema=ReportOut, description="The file was refused whole; nothing was written"
)
@blp.alt_response(429, description="Too many uploads")
@limiter.limit(UPLOAD_LIMIT)
@guarded("import.run")
def create_import():
    """Import an uploaded file through the same pipeline as the command line."""
    try:
        options = UploadOptions().load(request.form.to_dict())
    except ValidationError as exc:
        abort(400, description=error_text(exc.messages))
    authorize("import.run", options.get("body"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description="file: send the file to import as multipart field 'file'.")
    fmt = options.pop("format")
    try:
        report = importing.run_upload(
            fmt,
            upload,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            origin="api",
            actor=current_user._get_current_object(),
            **options,
        )
    except importing.UnknownFormat as exc:
        abort(400, description=str(exc))
    except importing.TooLarge as exc:
        abort(413, description=str(exc))
    body = {**report.to_dict(), "exit_code": report.exit_code}
    if report.refused:
        return ReportOut().dump(body), 422
    return ReportOut().dump(body), 200 if report.dry_run else 201
