"""Schemas of the accounts part: the activity log's filters and the submissions API."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.models.submissions import SUBMISSION_KINDS, SUBMISSION_STATUSES
from registry.models.vocab import AUDIT_PATHS
from registry.schemas.datetimes import UtcDateTime
from registry.schemas.ids import entry_id
from registry.schemas.queries import PagingQuery

RECORD_SUBMISSION_KINDS = tuple(k for k in SUBMISSION_KINDS if k != "import_file")


class ActivityQuery(PagingQuery):
    user = entry_id()
    path = fields.String(validate=validate.OneOf(AUDIT_PATHS))
    entity = fields.String(validate=validate.Length(max=32))
    since = fields.Date()
    until = fields.Date()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be before 'since'", "until")


class SubmissionQuery(PagingQuery):
    status = fields.String(validate=validate.OneOf(SUBMISSION_STATUSES))


class SubmissionIn(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(RECORD_SUBMISSION_KINDS),
        metadata={"description": "What is proposed; files go through the web form."},
    )
    record = fields.Dict(
        required=True,
        metadata={
            "description": "An exchange record as in registry/schemas/records.py: a standard "
            "record for standard and standard_change, a definition record for "
            "definition."
        },
    )
    note = fields.String(
        validate=validate.Length(max=2000),
        load_default=None,
        metadata={"description": "A note to the reviewer."},
    )


class RejectIn(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Shown to the submitter."},
    )


class SubmissionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    body = fields.Function(lambda s: s.body.code)
    title = fields.String()
    submitter = fields.Function(lambda s: s.submitter.public_name if s.submitter else None)
    reviewer = fields.Function(lambda s: s.reviewer.public_name if s.reviewer else None)
    payload = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    standard_id = fields.Integer(allow_none=True)
    upload_name = fields.String(allow_none=True)
    format = fields.String(allow_none=True)
    dry_run = fields.Dict(allow_none=True)
    result = fields.Dict(allow_none=True)
    created_at = UtcDateTime()
    reviewed_at = UtcDateTime(allow_none=True)
