"""Shapes of import administration: the batch list's filters, an upload's options, a batch."""

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from registry.schemas.datetimes import UtcDateTime
from registry.schemas.queries import PagingQuery
from registry.schemas.records import BODY_CODE

# The statuses a stored batch can have (a refused file or a dry run leaves no batch).
BATCH_STATUSES = ("running", "committed", "failed")


class BatchQuery(PagingQuery):
    status = fields.String(validate=validate.OneOf(BATCH_STATUSES))
    format = fields.String(validate=validate.Length(min=1, max=32))


class ImportFields(Schema):
    """What any import names (an upload, a harvest source), as a form or the API sends it: a
    blank field is an absent one."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        return {k: v for k, v in dict(data).items() if v not in ("", None)}

    format = fields.String(required=True, validate=validate.Length(min=1, max=32))
    body = fields.String(validate=BODY_CODE)
    licence = fields.String(validate=validate.Length(min=1, max=300))


class UploadOptions(ImportFields):
    """The fields sent with an uploaded file (form or multipart API request)."""

    dry_run = fields.Boolean(load_default=False)


class ProblemOut(Schema):
    location = fields.String(required=True)
    reason = fields.String(required=True)


class BatchOut(Schema):
    id = fields.Integer(required=True)
    format = fields.String(required=True)
    filename = fields.String(required=True)
    checksum = fields.String(allow_none=True)
    origin = fields.String(required=True)
    status = fields.String(required=True)
    body = fields.String(attribute="body_code", allow_none=True)
    licence = fields.String(allow_none=True)
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    message = fields.String(allow_none=True)
    user = fields.Function(lambda b: b.user.email if b.user else None, allow_none=True)
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


class BatchDetailOut(BatchOut):
    # Capped at 1000 on the batch row (importers.pipeline.MAX_ERRORS_STORED).
    errors = fields.List(fields.Nested(ProblemOut))
