"""Input shapes of debate and evaluation writes, shared by the web forms and the API."""

import pycountry
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from registry.models import vocab
from registry.schemas.datetimes import UtcDateTime
from registry.schemas.ids import entry_id


def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 for a code (alpha-2 or alpha-3) or an English name."""
    try:
        return pycountry.countries.lookup(value.strip()).alpha_2
    except LookupError:
        raise ValidationError(f"{value!r} is not a country (ISO 3166-1 code or name)") from None


def _split(value):
    """A list, or a form's comma/newline-separated text."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
    return value


class Countries(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(_split(value), attr, data, **kwargs)
        codes, errors = [], []
        for item in items:
            try:
                codes.append(country_code(item))
            except ValidationError as exc:
                errors += exc.messages
        if errors:
            raise ValidationError(errors)
        return sorted(set(codes))


class ProcessIn(Schema):
    """How a standard was made (registry.models.StandardProcess)."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _forms(self, data, **kwargs):
        data = dict(data)
        if isinstance(data.get("stakeholder_groups"), str):
            data["stakeholder_groups"] = _split(data["stakeholder_groups"])
        for key in ("comment_opens", "comment_closes", "price", "source", "note"):
            if data.get(key) == "":
                data[key] = None
        if data.get("public_comment") in ("", "unknown"):
            data["public_comment"] = None
        return data

    countries = Countries(load_default=list)
    stakeholder_groups = fields.List(
        fields.String(validate=validate.OneOf(vocab.STAKEHOLDER_GROUPS)), load_default=list
    )
    text_access = fields.String(load_default="unknown", validate=validate.OneOf(vocab.TEXT_ACCESS))
    price = fields.String(allow_none=True, validate=validate.Length(max=100))
    public_comment = fields.Boolean(allow_none=True, load_default=None)
    comment_opens = fields.Date(allow_none=True)
    comment_closes = fields.Date(allow_none=True)
    source = fields.String(allow_none=True, validate=validate.Length(max=500))
    note = fields.String(allow_none=True, validate=validate.Length(max=4000))

    @validates_schema
    def _period(self, data, **kwargs):
        opens, closes = data.get("comment_opens"), data.get("comment_closes")
        if opens and closes and closes < opens:
            raise ValidationError("the comment period closes before it opens", "comment_closes")
        if (opens or closes) and data.get("public_comment") is False:
            raise ValidationError(
                "a comment period was given but public comment is 'no'", "public_comment"
            )


class PostIn(Schema):
    class Meta:
        unknown = EXCLUDE

    body = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    parent = entry_id(allow_none=True, load_default=None)


class PostEditIn(Schema):
    class Meta:
        unknown = EXCLUDE

    body = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


class ReasonIn(Schema):
    class Meta:
        unknown = EXCLUDE

    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class EvaluationIn(Schema):
    """Scores are checked by registry.rubric.validate, which names each wrong criterion."""

    class Meta:
        unknown = EXCLUDE

    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    summary = fields.String(allow_none=True, validate=validate.Length(max=4000))


class FollowIn(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(vocab.FOLLOW_KINDS))
    id = entry_id(required=True)


# -- what the API returns -------------------------------------------------------------------


class PostOut(Schema):
    """A post; a hidden post's text is withheld and its reason shown instead."""

    id = fields.Integer()
    target_kind = fields.String()
    target_id = fields.Integer()
    parent = fields.Integer(attribute="parent_id", allow_none=True)
    author = fields.Function(
        lambda p: p.author.public_name if p.author else "Former user"
    )
    author_role = fields.String()
    author_body = fields.String(allow_none=True)
    official = fields.Function(
        lambda p: p.author_body is not None, metadata={"description": "speaks for a standards body"}
    )
    body = fields.Function(lambda p: None if p.hidden else p.body, allow_none=True)
    hidden = fields.Boolean()
    hidden_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    edited_at = UtcDateTime(allow_none=True)


class PostWithRepliesOut(PostOut):
    replies = fields.List(fields.Nested(PostOut))


class ThreadOut(Schema):
    kind = fields.String()
    id = fields.Integer()
    label = fields.String()
    posts = fields.List(fields.Nested(PostWithRepliesOut))


class ScoreOut(Schema):
    score = fields.Integer(allow_none=True)
    justification = fields.String()


class EvaluationOut(Schema):
    id = fields.Integer()
    standard_id = fields.Integer()
    edition = fields.String()
    author = fields.Function(lambda e: e.author.public_name)
    version = fields.Integer()
    scores = fields.Dict(keys=fields.String(), values=fields.Nested(ScoreOut))
    summary = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class VersionOut(Schema):
    version = fields.Function(lambda r: (r.after or {}).get("version"))
    at = UtcDateTime()
    scores = fields.Function(lambda r: (r.after or {}).get("scores"))
    summary = fields.Function(lambda r: (r.after or {}).get("summary"))


class EvaluationDetailOut(EvaluationOut):
    history = fields.List(fields.Nested(VersionOut))


class SpreadOut(Schema):
    criterion = fields.Function(lambda s: s.criterion.key)
    n = fields.Integer()
    mean = fields.Float(allow_none=True)
    stdev = fields.Float(allow_none=True)
    low = fields.Integer(allow_none=True)
    high = fields.Integer(allow_none=True)
    abstained = fields.Integer()


class EvaluationsOut(Schema):
    standard_id = fields.Integer()
    edition = fields.String()
    aggregate = fields.List(fields.Nested(SpreadOut))
    items = fields.List(fields.Nested(EvaluationOut))


class ProcessOut(Schema):
    standard_id = fields.Integer()
    countries = fields.List(fields.String())
    stakeholder_groups = fields.List(fields.String())
    text_access = fields.String()
    price = fields.String(allow_none=True)
    public_comment = fields.Boolean(allow_none=True)
    comment_opens = fields.Date(allow_none=True)
    comment_closes = fields.Date(allow_none=True)
    source = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    updated_at = UtcDateTime()


class ChangeOut(Schema):
    id = fields.Integer()
    at = UtcDateTime()
    title = fields.String()
    html = fields.String()
    actor = fields.String(allow_none=True)
    url = fields.String()


class FeedOut(Schema):
    kind = fields.String()
    id = fields.Integer()
    title = fields.String()
    items = fields.List(fields.Nested(ChangeOut))


class FeedQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    since = fields.DateTime(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class FollowOut(Schema):
    kind = fields.String(attribute="target_kind")
    id = fields.Integer(attribute="target_id")
    created_at = UtcDateTime()
    seen_at = UtcDateTime()
