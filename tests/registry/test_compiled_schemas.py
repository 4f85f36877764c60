"""The compiled validators load exactly what the marshmallow schemas load, and reject exactly
what they reject, with the same messages at the same locations."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields

from registry.models import vocab
from registry.schemas.compiled import Slow, compile_schema
from registry.schemas.records import RECORD_SCHEMAS

words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
               max_size=20).filter(str.strip)
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
language = st.sampled_from(["en", "fr", "zh-Hans", "pt-BR", "ar"])
key = st.fixed_dictionaries({"body": st.sampled_from(["NIST", "EU"]),
                             "source": st.sampled_from(["NIST AI 100-1", "ISO 1:2020 3.1"])},
                            optional={"language": language, "concept": slug,
                                      "clause": st.sampled_from(["3.1", "4"])})

# Valid values of every field the record schemas declare.
GOOD = {
    "reference": st.sampled_from(["ISO/IEC 22989:2022", "  ITU-T Y.3172  (06/2019) "]),
    "title": words, "name": words, "text": words, "scope": words, "note": words,
    "rationale": words, "description": words, "measurability": words, "licence": words,
    "edition": st.sampled_from(["1", "2nd"]), "source_id": st.sampled_from(["1234"]),
    "text_licence": words, "country": st.sampled_from(["US", "FR"]),
    "code": st.sampled_from(["ISO", "ITU-T", "ISO/IEC", " IEEE "]),
    "bodies": st.lists(st.sampled_from(["ISO", "IEC", "IEEE"]), min_size=1, max_size=3),
    "type": st.sampled_from(["IS", "TR", "Recommendation", "close", "exact"]),
    "status": st.sampled_from(["published", "withdrawn", "proposed"]),
    "stage": st.sampled_from(["60.60", "90.93"]),
    "published": st.dates().map(str), "date": st.dates().map(str),
    "published_precision": st.sampled_from(["day", "month", "year"]),
    "url": st.sampled_from(["https://www.iso.org/standard/1.html", "http://x.org/a?b=c"]),
    "ics": st.lists(st.sampled_from(["35.020", "01.040.35", "03"]), max_size=3),
    "languages": st.lists(language, max_size=3), "keywords": st.lists(words, max_size=2),
    "areas": st.lists(slug, max_size=3), "slug": slug, "parent": slug, "concept": slug,
    "committee": words, "position": st.integers(0, 10_000),
    "measurement_evaluation": st.booleans(), "socio_technical": st.booleans(),
    "human_rights_considered": st.booleans(), "excerpt": st.booleans(),
    "contested": st.booleans(), "merge": st.booleans(),
    "titles": st.dictionaries(language, words, max_size=2),
    "scopes": st.dictionaries(language, words, max_size=2),
    "labels": st.dictionaries(language, words, max_size=2),
    "alt_labels": st.dictionaries(language, st.lists(words, max_size=2), max_size=2),
    "designations": st.lists(st.fixed_dictionaries(
        {"term": words}, optional={"type": st.sampled_from(["preferred", "admitted"])}),
        min_size=1, max_size=2),
    "notes": st.lists(words, max_size=2), "examples": st.lists(words, max_size=2),
    "body": st.sampled_from(["NIST", "EU"]),
    "source": st.sampled_from(["NIST AI 100-1", "ISO/IEC 22989:2022 3.1.4"]),
    "clause": st.sampled_from(["3.1", "A.2"]), "language": language,
    "nature": st.sampled_from(["technical", "socio_technical"]),
    "state": st.sampled_from(["proposed", "accepted"]),
}
# What a bad source gives instead: wrong types, blanks, out-of-vocabulary and malformed values.
# Per kind of field, the values a validator must tell apart from good ones.
NEAR = {
    fields.Boolean: ["maybe", 2, "tru", 1.5, "", "Yes!", "0", "off", "TRUE", 0],
    fields.Date: ["2022-02-30", "2022-7-1", "20220719", 2022, "", "2022-07-19T10:00"],
    fields.Integer: ["3", 2.5, True, -1, 10_001, "", 3.0],
    fields.List: ["a", [None], [""], [5], ["  "], {"a": 1}],
    fields.Dict: [{"": "x"}, {"en": ""}, {"EN!": "x"}, "x", {"en": 5}, {"en": [""]}],
    fields.Nested: ["x", {}, [], {"term": ""}, {"type": "bogus"}],
}
TEXT_NEAR = ["", "  ", 5, "x" * 20_001, ["a"], "Not A Slug", "ftp://x", "e", "60", b"ISO"]


def near_misses(field):
    return st.sampled_from(NEAR.get(type(field), TEXT_NEAR))


NEAR_MISSES = st.sampled_from([
    "", "   ", "x" * 2001, "Not A Slug", "2022-02-30", "2022-7-1", "20220719", "ftp://x", "yes",
    "maybe", "60", "e", [None], [""], ["  "], [{}], {"": "x"}, {"en": ""}, [{"term": ""}],
    [{"term": "x", "type": "bogus"}], 2.0, "3", 2, -1, "0", "off", "on", "TRUE", b"ISO"])
BAD = st.one_of(
    NEAR_MISSES, NEAR_MISSES, NEAR_MISSES, st.none(), st.booleans(), st.integers(-3, 3),
    st.floats(allow_nan=False), st.text(max_size=5), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def records(kind: str):
    """A valid record of ``kind`` (optional fields present or not), then none to three of its
    fields removed or replaced by what a bad source gives."""
    schema = RECORD_SCHEMAS[kind]()

    def value(name: str):
        if kind == "link" and name in ("source", "target"):
            return key
        if kind == "link" and name == "type":
            return st.sampled_from(["close", "exact", "broader"])
        if name == "kind":
            return st.sampled_from(vocab.AREA_KINDS if kind == "area" else vocab.BODY_KINDS)
        if kind == "concept" and name == "relations":
            return st.lists(st.fixed_dictionaries(
                {"type": st.sampled_from(["broader", "related"]), "concept": slug}), max_size=2)
        if name == "relations":
            return st.lists(st.fixed_dictionaries(
                {"type": st.sampled_from(["replaces", "amends"]),
                 "reference": st.sampled_from(["ISO 1:2020", "IEEE 7000-2021"])}), max_size=2)
        return GOOD[name]

    required = {n: value(n) for n, f in schema.load_fields.items() if f.required}
    optional = {n: value(n) for n, f in schema.load_fields.items() if not f.required}
    good = st.fixed_dictionaries(required, optional=optional)

    @st.composite
    def mutated(draw):
        record = dict(draw(good))
        for name in draw(st.lists(st.sampled_from(sorted(schema.load_fields)), max_size=3)):
            how = draw(st.sampled_from(["drop", "near", "near", "bad"]))
            if how == "drop":
                record.pop(name, None)
            else:
                field = schema.load_fields[name]
                record[name] = draw(near_misses(field) if how == "near" else BAD)
        if draw(st.booleans()):
            record["record"] = kind
        return record

    return mutated()


def _load(load, raw):
    try:
        return "ok", load(raw)
    except ValidationError as exc:
        return "error", exc.messages


@pytest.mark.parametrize("kind", sorted(RECORD_SCHEMAS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_compiled_schema_equals_marshmallow(kind, data):
    schema = RECORD_SCHEMAS[kind]()
    compiled = compile_schema(RECORD_SCHEMAS[kind]())
    raw = data.draw(records(kind))
    assert _load(compiled, raw) == _load(schema.load, raw)
    try:  # the fast path alone never accepts what the schema rejects
        fast = compiled.fast(raw)
    except Slow:
        return
    assert fast == schema.load(raw)


@pytest.mark.parametrize("kind", sorted(RECORD_SCHEMAS))
def test_the_fast_path_takes_good_records(kind):
    """Not a fast path in name only: typical good records never fall back to marshmallow."""
    good = {
        "body": {"code": "ISO", "name": "ISO", "kind": "international_sdo"},
        "committee": {"reference": "ISO/IEC JTC 1/SC 42", "bodies": ["ISO", "IEC"]},
        "area": {"slug": "fairness", "title": "Fairness", "kind": "trustworthiness",
                 "position": 2},
        "standard": {"reference": "ISO/IEC 22989:2022", "title": "AI concepts",
                     "bodies": ["ISO", "IEC"], "type": "IS", "status": "published",
                     "published": "2022-07-19", "ics": ["35.020"], "areas": ["terminology"],
                     "relations": [{"type": "replaces", "reference": "ISO 1:2020"}],
                     "url": "https://www.iso.org/standard/74296.html",
                     "titles": {"en": "AI concepts"}, "measurement_evaluation": True},
        "concept": {"slug": "fairness", "labels": {"en": "fairness"},
                    "alt_labels": {"en": ["equity"]}, "merge": True},
        "definition": {"concept": "fairness", "body": "NIST", "source": "NIST AI 100-1",
                       "language": "en", "designations": [{"term": "fairness"}],
                       "text": "a text", "licence": "Public domain", "date": "2023-01-26"},
        "link": {"source": {"body": "NIST", "source": "NIST AI 100-1"},
                 "target": {"body": "EU", "source": "Regulation (EU) 2024/1689"},
                 "type": "close"},
    }[kind]
    compiled = compile_schema(RECORD_SCHEMAS[kind]())
    assert compiled.fast(good) == RECORD_SCHEMAS[kind]().load(good)
