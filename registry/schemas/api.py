"""Public API shapes (JSON API v1). Written explicitly: a stable contract, not an ORM dump."""

from typing import Any

from marshmallow import Schema, fields

from registry.schemas.datetimes import UtcDateTime


class Overlay:
    """Reads like ``base`` with some attributes added or replaced, for dumping computed values
    (counts, a filtered list of definitions) through the same schema as the entity."""

    def __init__(self, base: Any, **extra: Any) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


class BodyOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    url = fields.String(allow_none=True)
    country = fields.String(allow_none=True)


class BodyCountOut(BodyOut):
    published = fields.Integer()
    in_development = fields.Integer()
    standards = fields.Integer()


class AreaOut(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    parent = fields.Function(lambda a: a.parent.slug if a.parent else None, allow_none=True)
    standards = fields.Integer(dump_default=0)


class RelationOut(Schema):
    type = fields.String(required=True)
    reference = fields.String(attribute="target_reference", required=True)
    id = fields.Integer(attribute="target_id", allow_none=True)


class StandardOut(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    type = fields.String(attribute="doc_type", required=True)
    bodies = fields.List(fields.String(), attribute="body_codes", required=True)
    published = fields.Date(allow_none=True)
    year = fields.Integer(allow_none=True)
    committee = fields.Function(lambda s: s.committee.reference if s.committee else None,
                                allow_none=True)
    areas = fields.Function(lambda s: [a.slug for a in s.areas])
    url = fields.String(allow_none=True)
    stage = fields.String(attribute="stage_code", allow_none=True)
    edition = fields.String(allow_none=True)


class StandardDetailOut(StandardOut):
    scope = fields.String(allow_none=True)
    ics = fields.List(fields.String())
    languages = fields.List(fields.String())
    keywords = fields.List(fields.String())
    relations = fields.List(fields.Nested(RelationOut))
    measurement_evaluation = fields.Boolean()
    socio_technical = fields.Boolean()
    human_rights_considered = fields.Boolean()
    text_licence = fields.String(allow_none=True)
    source_id = fields.String(allow_none=True)
    batch = fields.Integer(attribute="batch_id", allow_none=True)


class DesignationOut(Schema):
    term = fields.String(required=True)
    type = fields.String(required=True)


class DefinitionOut(Schema):
    id = fields.Integer(required=True)
    concept = fields.Function(lambda d: d.concept.slug)
    body = fields.Function(lambda d: d.body.code, required=True)
    source = fields.String(attribute="source_label", required=True)
    standard_id = fields.Integer(allow_none=True)
    clause = fields.String(allow_none=True)
    language = fields.String(required=True)
    term = fields.String(required=True)
    designations = fields.List(fields.Nested(DesignationOut))
    text = fields.String(required=True)
    excerpt = fields.Boolean(attribute="is_excerpt")
    notes = fields.List(fields.String())
    examples = fields.List(fields.String())
    date = fields.Date(attribute="valid_from", allow_none=True)
    licence = fields.String(required=True)
    url = fields.String(attribute="source_url", allow_none=True)
    nature = fields.String(allow_none=True)
    status = fields.String(required=True)
    revision = fields.Integer()


def _labels(concept, kind: str = "preferred") -> dict:
    return {lab.language: lab.label for lab in concept.labels if lab.kind == kind}


def _alt_labels(concept) -> dict:
    alt: dict[str, list[str]] = {}
    for lab in concept.labels:
        if lab.kind == "alternative":
            alt.setdefault(lab.language, []).append(lab.label)
    return alt


class ConceptOut(Schema):
    slug = fields.String(required=True)
    label = fields.Function(lambda c: c.label("en"))
    labels = fields.Function(_labels, metadata={"description": "language tag -> label"})
    alt_labels = fields.Function(_alt_labels)
    contested = fields.Boolean()
    divergence = fields.Float(allow_none=True)
    measurability = fields.String(allow_none=True)
    areas = fields.Function(lambda c: [a.slug for a in c.areas])


class ConceptRowOut(ConceptOut):
    definitions = fields.Integer()
    bodies = fields.Integer()


class ConceptDetailOut(ConceptOut):
    definitions = fields.List(fields.Nested(DefinitionOut))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...], "total": N, "page": P, "per_page": K}`` around ``item``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


class DefinitionRefOut(Schema):
    """A definition named briefly, at either end of a link or a pair."""

    id = fields.Integer(required=True)
    concept = fields.Function(lambda d: d.concept.slug)
    body = fields.Function(lambda d: d.body.code)
    language = fields.String()
    term = fields.String()
    source = fields.String(attribute="source_label")
    clause = fields.String(allow_none=True)


class LinkOut(Schema):
    id = fields.Integer(required=True)
    source = fields.Nested(DefinitionRefOut, required=True)
    target = fields.Nested(DefinitionRefOut, required=True)
    type = fields.String(required=True, metadata={
        "description": "SKOS mapping read from source to target, or 'conflicting'"})
    rationale = fields.String(allow_none=True)
    state = fields.String(required=True)
    author = fields.Function(lambda lk: lk.author.public_name if lk.author else None,
                             allow_none=True)
    reviewed_by = fields.Function(lambda lk: lk.reviewed_by.public_name if lk.reviewed_by else None,
                                  allow_none=True)
    created_at = UtcDateTime()
    reviewed_at = UtcDateTime(allow_none=True)


class PairOut(Schema):
    a = fields.Nested(DefinitionRefOut, required=True)
    b = fields.Nested(DefinitionRefOut, required=True)
    similarity = fields.Float(required=True)


class DivergenceOut(Schema):
    concept = fields.String(required=True)
    divergence = fields.Float(allow_none=True, metadata={
        "description": "1 - mean similarity of cross-body, same-language pairs"})
    measure = fields.String()
    pairs = fields.List(fields.Nested(PairOut))


class RelatedConceptOut(Schema):
    type = fields.String(required=True)
    concept = fields.Function(lambda r: r.concept.slug)


class ConceptFullOut(ConceptDetailOut):
    links = fields.List(fields.Nested(LinkOut))
    relations = fields.List(fields.Nested(RelatedConceptOut))
    pairs = fields.List(fields.Nested(PairOut))


class SegmentOut(Schema):
    kind = fields.String(metadata={"description": "same | diff"})
    text = fields.String()


class ComparisonOut(Schema):
    a = fields.Nested(DefinitionOut, required=True)
    b = fields.Nested(DefinitionOut, required=True)
    similarity = fields.Float(allow_none=True)
    shared_words = fields.Integer()
    a_segments = fields.List(fields.Nested(SegmentOut))
    b_segments = fields.List(fields.Nested(SegmentOut))
