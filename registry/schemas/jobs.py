"""Shapes of jobs and harvest sources: what the API answers and what an administrator sends."""

from marshmallow import Schema, fields, validate

from registry.models.jobs import HARVEST_RUN_STATUSES, JOB_KINDS, JOB_STATUSES
from registry.schemas.datetimes import UtcDateTime
from registry.schemas.imports import ImportFields, ProblemOut
from registry.schemas.queries import PagingQuery
from registry.services.harvest import INTERVALS


class JobQuery(PagingQuery):
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))


class JobOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(JOB_KINDS)})
    status = fields.String(required=True, metadata={"enum": list(JOB_STATUSES)})
    label = fields.String(required=True)
    # While running: the count so far (bytes read of an import, say) and the total if known.
    progress = fields.Integer(allow_none=True)
    total = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    message = fields.String(allow_none=True, metadata={"description": "why it failed, or why "
                                                       "it was queued again"})
    report = fields.Dict(allow_none=True)
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)


class HarvestSourceIn(ImportFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                        metadata={"description": "http(s) URL, or a local path under "
                                  "HARVEST_FILE_ROOTS"})
    complete = fields.Boolean(load_default=False, metadata={
        "description": "the feed lists everything the source publishes: what disappears "
                       "from it is marked withdrawn"})
    interval_hours = fields.Integer(load_default=24, validate=validate.OneOf(list(INTERVALS)))
    enabled = fields.Boolean(load_default=True)


class HarvestRunOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(HARVEST_RUN_STATUSES)})
    job = fields.Integer(attribute="job_id", allow_none=True)
    batch = fields.Integer(attribute="batch_id", allow_none=True)
    http_status = fields.Integer(allow_none=True)
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    withdrawn = fields.Integer()
    rejected = fields.Integer()
    errors = fields.List(fields.Nested(ProblemOut))
    message = fields.String(allow_none=True)
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


class HarvestSourceOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    format = fields.String(required=True)
    url = fields.String(required=True)
    body = fields.String(attribute="body_code", allow_none=True)
    licence = fields.String(allow_none=True)
    complete = fields.Boolean()
    interval_hours = fields.Integer()
    enabled = fields.Boolean()
    next_run_at = UtcDateTime(allow_none=True)
    running_job = fields.Integer(attribute="running_job_id", allow_none=True)


class HarvestSourceDetailOut(HarvestSourceOut):
    runs = fields.Method("_runs")

    def _runs(self, source):
        return HarvestRunOut(many=True).dump(source.runs.limit(50))
