"""Query parameters of lists, validated the same way for pages and for the API."""

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from registry.models import vocab
from registry.schemas.ids import entry_id
from registry.schemas.records import BODY_CODE, LANGUAGE, SLUG


class PagingQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        """A form's "Any" option sends ``status=``: an empty value means no filter."""
        return {k: v for k, v in data.items() if v not in ("", None)}

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class StandardQuery(PagingQuery):
    body = fields.String(validate=BODY_CODE)
    status = fields.String(validate=validate.OneOf(vocab.STANDARD_STATUSES))
    type = fields.String(validate=validate.OneOf(vocab.DOC_TYPES))
    area = fields.String(validate=SLUG)
    year = fields.Integer(validate=validate.Range(min=1900, max=2100))
    reference = fields.String(validate=validate.Length(min=1, max=200))
    committee = fields.String(validate=validate.Length(min=1, max=120))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(load_default="reference",
                         validate=validate.OneOf(("reference", "-published", "published",
                                                  "title")))


class ConceptQuery(PagingQuery):
    q = fields.String(validate=validate.Length(max=200))
    body = fields.String(validate=BODY_CODE)
    area = fields.String(validate=SLUG)
    language = fields.String(validate=LANGUAGE)
    contested = fields.Boolean()
    sort = fields.String(load_default="label",
                         validate=validate.OneOf(("label", "divergence", "definitions")))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ConceptPageQuery(Schema):
    """A concept page's view: filters, superseded revisions, a past date, a display language."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        return {k: v for k, v in data.items() if v not in ("", None)}

    body = fields.String(validate=BODY_CODE)
    language = fields.String(validate=LANGUAGE)
    superseded = fields.Boolean(load_default=False)
    as_of = fields.Date()
    lang = fields.String(validate=LANGUAGE)  # absent: the reader's interface language


class DefinitionQuery(PagingQuery):
    body = fields.String(validate=BODY_CODE)
    language = fields.String(validate=LANGUAGE)
    concept = fields.String(validate=SLUG)
    source = fields.String(validate=validate.Length(min=1, max=500))
    status = fields.String(load_default="current",
                           validate=validate.OneOf(vocab.DEFINITION_STATUSES))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LinkQuery(PagingQuery):
    state = fields.String(validate=validate.OneOf(vocab.LINK_STATES))
    type = fields.String(validate=validate.OneOf(vocab.LINK_TYPES))
    concept = fields.String(validate=SLUG)
    body = fields.String(validate=BODY_CODE)
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CompareQuery(Schema):
    """Two definitions to set side by side (or two revisions of one, for a diff)."""

    class Meta:
        unknown = EXCLUDE

    a = entry_id(required=True)
    b = entry_id(required=True)


class LinkForm(Schema):
    """A panel member's proposed link, from the concept page's form or the API."""

    class Meta:
        unknown = EXCLUDE

    source = entry_id(required=True)
    target = entry_id(required=True)
    type = fields.String(required=True, validate=validate.OneOf(vocab.LINK_TYPES))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class LinkReviewForm(Schema):
    class Meta:
        unknown = EXCLUDE

    state = fields.String(required=True, validate=validate.OneOf(vocab.LINK_STATES))
