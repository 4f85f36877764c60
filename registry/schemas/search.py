"""Search arguments and results: the shape of GET /api/v1/search (and of the /search page)."""

from marshmallow import Schema, fields, validate

from registry.models import vocab
from registry.schemas.queries import PagingQuery
from registry.schemas.records import BODY_CODE, LANGUAGE, SLUG
from registry.search.documents import KINDS


class SearchArgs(PagingQuery):
    # Not length-checked: an over-long query is cut and answered, never refused.
    q = fields.String(load_default="")
    kind = fields.String(validate=validate.OneOf(KINDS))
    body = fields.String(validate=BODY_CODE)
    lang = fields.String(validate=LANGUAGE)
    status = fields.String(
        validate=validate.OneOf(vocab.STANDARD_STATUSES + vocab.DEFINITION_STATUSES)
    )
    area = fields.String(validate=SLUG)


class SearchHitOut(Schema):
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    snippet = fields.String(
        required=True,
        metadata={"description": "HTML: the text escaped, the words that matched in <mark>."},
    )
    score = fields.Float(required=True)
    reference = fields.String(
        metadata={"description": "A standard's reference, or the source a definition cites."}
    )
    bodies = fields.List(fields.String())
    lang = fields.String()
    status = fields.String()
    year = fields.Integer(allow_none=True)
    concept = fields.String(attribute="slug", allow_none=True)
    url = fields.String()


class SearchResultsOut(Schema):
    query = fields.String(required=True)
    items = fields.List(fields.Nested(SearchHitOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
        metadata={"description": "kind, body, lang: counts."},
    )
    did_you_mean = fields.String(allow_none=True)
    fuzzy = fields.Boolean(
        metadata={
            "description": "True when nothing matched as typed and words one edit away were used."
        }
    )
    degraded = fields.Boolean(
        metadata={
            "description": "True while the index is rebuilt: a simpler database search answered."
        }
    )
    message = fields.String(allow_none=True)
