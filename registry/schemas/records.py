"""The registry's exchange records: what every importer yields and the pipeline writes.

One schema per record kind. Importers of foreign formats (STS, TBX, SKOS, ...) map their input
onto these dicts; the registry's own JSON Lines format (``importers.registry_jsonl``) is these
dicts verbatim with a ``record`` field naming the kind (body, committee, area, standard,
concept, definition, link). Loading normalises whitespace and references, so two
spellings of the same record load to the same data and the same checksum.
"""

import re

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from registry.models import vocab
from registry.text import clean

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                       error="must be a lower-case slug (a-z, 0-9, -)")
BODY_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9/ .&-]{0,31}$", error="not a body code")
# BCP 47 language tags as used here: en, fr, zh-Hans, pt-BR, ku-Arab ...
LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$", error="not a language tag")
STAGE = validate.Regexp(r"^\d{2}\.\d{2}$", error="not a harmonized stage code like 60.60")
class _Url(validate.URL):
    """An absolute http(s) URL that RFC 3986/3987 allows: marshmallow's check lets quotes,
    angle brackets and braces through, which no URL may hold (and which broke the SKOS
    export)."""

    _NOT_IN_IRI = re.compile(r'[\s"<>\\^`{|}]')

    def __call__(self, value: str) -> str:
        if self._NOT_IN_IRI.search(value):
            raise ValidationError(self._format_error(value))
        return super().__call__(value)


URL = _Url(relative=False, schemes={"http", "https"}, error="not an http(s) URL")

DATE_PRECISIONS = ("day", "month", "year")

# Caps on free text, so one bad record cannot fill the database.
TITLE_MAX = 2000
TEXT_MAX = 20000


class Text(fields.String):
    """A string with whitespace normalised; empty becomes None."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return clean(value) or None

    def deserialize(self, value, attr=None, data=None, **kwargs):
        # Blank is absent; decided here, because validators (Length...) cannot take None.
        if isinstance(value, str) and not clean(value):
            if self.required:
                raise ValidationError("may not be blank")
            return None
        return super().deserialize(value, attr, data, **kwargs)


class RecordSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_nulls(self, data, **kwargs):
        """Absent and null mean the same; lets every format leave out what it does not know."""
        if not isinstance(data, dict):
            raise ValidationError("a record must be an object")
        return {k: v for k, v in data.items() if v is not None and k != "record"}


def _required_text(max_len: int = TITLE_MAX, **kw) -> Text:
    return Text(required=True, validate=validate.Length(min=1, max=max_len), **kw)


class BodyRecord(RecordSchema):
    code = Text(required=True, validate=BODY_CODE)
    name = _required_text(200)
    kind = Text(required=True, validate=validate.OneOf(vocab.BODY_KINDS))
    url = Text(validate=URL)
    country = Text(validate=validate.Length(max=8))
    description = Text(validate=validate.Length(max=TEXT_MAX))


class CommitteeRecord(RecordSchema):
    reference = _required_text(120)
    title = Text(validate=validate.Length(max=300))
    bodies = fields.List(Text(validate=BODY_CODE), load_default=list)
    parent = Text(validate=validate.Length(max=120))
    url = Text(validate=URL)
    source_id = Text(validate=validate.Length(max=64))

    @post_load
    def _tidy(self, data, **kwargs):
        # Stored bodies come back sorted by code: sort here too, so a file listing
        # ["ISO", "IEC"] loads as unchanged the second time.
        data["bodies"] = sorted(set(data["bodies"]))
        return data


class AreaRecord(RecordSchema):
    slug = Text(required=True, validate=SLUG)
    title = _required_text(200)
    kind = Text(required=True, validate=validate.OneOf(vocab.AREA_KINDS))
    description = Text(validate=validate.Length(max=TEXT_MAX))
    source = Text(validate=validate.Length(max=500))
    parent = Text(validate=SLUG)
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))


class RelationRecord(RecordSchema):
    type = Text(required=True, validate=validate.OneOf(vocab.RELATION_TYPES))
    reference = _required_text(200)


class StandardRecord(RecordSchema):
    reference = _required_text(200)
    title = _required_text()
    bodies = fields.List(Text(validate=BODY_CODE), required=True, validate=validate.Length(min=1))
    type = Text(required=True, validate=validate.OneOf(vocab.DOC_TYPES))
    status = Text(required=True, validate=validate.OneOf(vocab.STANDARD_STATUSES))
    stage = Text(validate=STAGE)
    published = fields.Date()
    # How much of ``published`` the source gives: day (the default), month or year; the date
    # is then the first day of its month or year.
    published_precision = Text(validate=validate.OneOf(DATE_PRECISIONS))
    edition = Text(validate=validate.Length(max=32))
    committee = Text(validate=validate.Length(max=120))
    scope = Text(validate=validate.Length(max=TEXT_MAX))
    url = Text(validate=URL)
    ics = fields.List(Text(validate=validate.Regexp(
        r"^\d{2}(\.\d{3}(\.\d{2})?)?$",
        error="not an ICS code: two digits, then optionally .three and .two (35.020.10)")),
                      load_default=list)
    languages = fields.List(Text(validate=LANGUAGE), load_default=list)
    keywords = fields.List(Text(validate=validate.Length(max=200)), load_default=list)
    relations = fields.List(fields.Nested(RelationRecord), load_default=list)
    areas = fields.List(Text(validate=SLUG), load_default=list)
    measurement_evaluation = fields.Boolean(load_default=False)
    socio_technical = fields.Boolean(load_default=False)
    human_rights_considered = fields.Boolean(load_default=False)
    text_licence = Text(validate=validate.Length(max=200))
    source_id = Text(validate=validate.Length(max=64))
    # Title and scope in every language the source gives; ``title``/``scope`` hold one of them.
    titles = fields.Dict(keys=Text(validate=LANGUAGE),
                         values=Text(validate=validate.Length(max=TITLE_MAX)), load_default=dict)
    scopes = fields.Dict(keys=Text(validate=LANGUAGE),
                         values=Text(validate=validate.Length(max=TEXT_MAX)), load_default=dict)

    @post_load
    def _tidy(self, data, **kwargs):
        data["bodies"] = sorted(set(data["bodies"]))
        data["areas"] = sorted(set(data["areas"]))
        data["ics"] = sorted(set(data["ics"]))
        return data


class DesignationRecord(RecordSchema):
    term = _required_text(300)
    type = Text(load_default="preferred", validate=validate.OneOf(vocab.DESIGNATION_TYPES))


class ConceptRelationRecord(RecordSchema):
    type = Text(required=True, validate=validate.OneOf(("broader", "narrower", "related")))
    concept = Text(required=True, validate=SLUG)


def _labels_field():
    return fields.Dict(
        keys=Text(validate=LANGUAGE), values=Text(validate=validate.Length(min=1, max=300)),
        load_default=dict,
    )


class ConceptRecord(RecordSchema):
    slug = Text(required=True, validate=SLUG)
    labels = _labels_field()
    alt_labels = fields.Dict(
        keys=Text(validate=LANGUAGE),
        values=fields.List(Text(validate=validate.Length(min=1, max=300))),
        load_default=dict,
    )
    contested = fields.Boolean(load_default=False)
    measurability = Text(validate=validate.Length(max=TEXT_MAX))
    note = Text(validate=validate.Length(max=TEXT_MAX))
    areas = fields.List(Text(validate=SLUG), load_default=list)
    relations = fields.List(fields.Nested(ConceptRelationRecord), load_default=list)
    # A termbase's concept (TBX, SKOS, STS): its labels and relations are added to the concept
    # found by slug, else by a preferred label in its language (created when neither finds
    # one); nothing the registry already says about that concept is removed or changed.
    merge = fields.Boolean(load_default=False)


class DefinitionRecord(RecordSchema):
    """What one source says a concept is.

    ``concept`` names an existing or earlier concept by slug; without it, the concept is found
    by the preferred designation and language, or created. ``source`` is a standard reference
    (optionally followed by a clause: "ISO/IEC 22989:2022 3.6.5") or a citation.
    """

    concept = Text(validate=SLUG)
    body = Text(required=True, validate=BODY_CODE)
    source = _required_text(500)
    clause = Text(validate=validate.Length(max=64))
    language = Text(required=True, validate=LANGUAGE)
    designations = fields.List(
        fields.Nested(DesignationRecord), required=True, validate=validate.Length(min=1)
    )
    text = _required_text(TEXT_MAX)
    excerpt = fields.Boolean(load_default=False)
    notes = fields.List(Text(validate=validate.Length(max=TEXT_MAX)), load_default=list)
    examples = fields.List(Text(validate=validate.Length(max=TEXT_MAX)), load_default=list)
    date = fields.Date()
    licence = _required_text(300)
    url = Text(validate=URL)
    nature = Text(validate=validate.OneOf(vocab.DEFINITION_NATURES))

    @validates_schema
    def _one_preferred(self, data, **kwargs):
        if not any(d["type"] == "preferred" for d in data.get("designations", [])):
            raise ValidationError("needs a preferred designation", "designations")


def preferred_term(record: dict) -> str:
    return next(d["term"] for d in record["designations"] if d["type"] == "preferred")


class DefinitionKey(RecordSchema):
    """Names a definition in a link record by its natural key."""

    body = Text(required=True, validate=BODY_CODE)
    source = _required_text(500)
    clause = Text(validate=validate.Length(max=64))
    language = Text(load_default="en", validate=LANGUAGE)
    concept = Text(validate=SLUG)


class LinkRecord(RecordSchema):
    source = fields.Nested(DefinitionKey, required=True)
    target = fields.Nested(DefinitionKey, required=True)
    type = Text(required=True, validate=validate.OneOf(vocab.LINK_TYPES))
    rationale = Text(validate=validate.Length(max=TEXT_MAX))
    state = Text(load_default="proposed", validate=validate.OneOf(vocab.LINK_STATES))


RECORD_SCHEMAS: dict[str, type[RecordSchema]] = {
    "body": BodyRecord,
    "committee": CommitteeRecord,
    "area": AreaRecord,
    "standard": StandardRecord,
    "concept": ConceptRecord,
    "definition": DefinitionRecord,
    "link": LinkRecord,
}

# The order in which a chunk's kinds are written, so references resolve within one chunk.
KIND_ORDER = ("body", "committee", "area", "standard", "concept", "definition", "link")


def error_text(messages) -> str:
    """Flatten marshmallow's nested messages into one readable line."""
    parts: list[str] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                name = "" if key == "_schema" else str(key)
                walk(f"{prefix}.{name}" if prefix and name else prefix or name, sub)
        elif isinstance(value, list):
            if all(isinstance(v, str) for v in value):
                parts.append(f"{prefix}: {' '.join(value)}" if prefix else " ".join(value))
            else:
                for sub in value:
                    walk(prefix, sub)
        else:
            parts.append(f"{prefix}: {value}" if prefix else str(value))

    walk("", messages)
    return "; ".join(parts)
