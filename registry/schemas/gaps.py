"""Gap pages and API: query arguments, annotation input and the JSON shapes."""

from marshmallow import Schema, fields, validate

from registry.models import vocab
from registry.schemas.datetimes import UtcDateTime
from registry.schemas.queries import PagingQuery
from registry.schemas.records import BODY_CODE, SLUG, TEXT_MAX, Text
from registry.services.gaps import rule_titles


class GapQuery(PagingQuery):
    rule = fields.String(validate=validate.OneOf(list(rule_titles())))
    severity = fields.String(validate=validate.OneOf(vocab.SEVERITIES))
    kind = fields.String(validate=validate.OneOf(vocab.AREA_KINDS))
    status = fields.String(validate=validate.OneOf(vocab.ANNOTATION_STATUSES + ("none",)),
                           metadata={"description": "the panel's status; none: not annotated"})
    area = fields.String(validate=SLUG, metadata={"description": "this area and those below"})
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AnnotationInput(Schema):
    status = fields.String(load_default="open",
                           validate=validate.OneOf(vocab.ANNOTATION_STATUSES))
    severity = fields.String(load_default="medium", validate=validate.OneOf(vocab.SEVERITIES))
    rule = Text(validate=validate.OneOf(list(rule_titles())),
                metadata={"description": "the gap rule judged; absent: the whole area"})
    text = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX),
                         metadata={"description": "Markdown"})
    proposed_action = Text(validate=validate.Length(max=5000))
    addressed_to = fields.List(Text(validate=BODY_CODE), load_default=list,
                               metadata={"description": "body codes"})
    addressed_by = Text(validate=validate.Length(max=200),
                        metadata={"description": "reference of the standard that addresses it"})


class AreaEditInput(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(validate=validate.Length(max=TEXT_MAX))
    source = Text(validate=validate.Length(max=500))
    parent = Text(validate=SLUG)
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))


# -- output --------------------------------------------------------------------------------------


class FlagOut(Schema):
    rule = fields.String(required=True)
    title = fields.String()
    severity = fields.String()
    reason = fields.String(required=True)
    evidence = fields.List(fields.Integer(), required=True,
                           metadata={"description": "ids of the standards the rule counted "
                                                    "(at most GAP_EVIDENCE_LIMIT)"})
    evidence_total = fields.Integer()


class GapOut(Schema):
    area = fields.String(attribute="slug", required=True)
    title = fields.String(required=True)
    kind = fields.String()
    rules = fields.List(fields.Nested(FlagOut), attribute="flags", required=True)
    severity = fields.String(allow_none=True, metadata={
        "description": "the panel's severity when annotated, else the computed one"})
    computed_severity = fields.String(allow_none=True)
    annotation_status = fields.String(allow_none=True)


class GapPageOut(Schema):
    items = fields.List(fields.Nested(GapOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer()
    per_page = fields.Integer()


class AnnotationOut(Schema):
    id = fields.Integer(required=True)
    area = fields.Function(lambda a: a.area.slug)
    rule = fields.String(allow_none=True)
    status = fields.String(required=True)
    severity = fields.String(required=True)
    addressed_by = fields.Function(lambda a: a.addressed_by.reference if a.addressed_by else None)
    text = fields.String()
    proposed_action = fields.String(allow_none=True)
    addressed_to = fields.List(fields.String())
    author = fields.Function(lambda a: a.author.public_name if a.author else None)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class HistoryOut(Schema):
    annotation = fields.Integer(attribute="entity_id")
    action = fields.String()
    at = UtcDateTime()
    author = fields.Function(lambda r: r.actor.public_name if r.actor else None)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class CellOut(Schema):
    body = fields.String(required=True)
    published = fields.Integer(required=True)
    in_development = fields.Integer(required=True)
    gap = fields.Boolean()


class AreaCoverageOut(Schema):
    area = fields.String(required=True)
    title = fields.String()
    parent = fields.String(allow_none=True)
    flags = fields.List(fields.String())
    cells = fields.List(fields.Nested(CellOut))


class CoverageOut(Schema):
    bodies = fields.List(fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaCoverageOut), required=True)


class YearOut(Schema):
    year = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer()


class PerYearOut(Schema):
    series = fields.List(fields.String(), required=True)
    years = fields.List(fields.Nested(YearOut), required=True)
    note = fields.String()


class AreaDetailOut(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String()
    description = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    parent = fields.String(allow_none=True)
    children = fields.List(fields.String())
    stats = fields.Dict()
    coverage = fields.List(fields.Nested(CellOut))
    flags = fields.List(fields.Nested(FlagOut))
    severity = fields.String(allow_none=True)
    concepts = fields.List(fields.String())
    standards = fields.List(fields.Integer())
    annotations = fields.List(fields.Nested(AnnotationOut))
