"""A compiled form of the record schemas for the bulk path: the same results, at a fraction of
the cost.

``compile_schema(schema)`` reads a marshmallow schema's declared fields once and builds plain
functions that check and convert a record field by field, calling the schema's own validators
and hooks. It is a fast path, never a second definition of what is valid: whenever it meets
something it does not handle exactly as marshmallow does (a value of another type, a blank
required field, a validator's complaint, a field kind it does not know), it gives up and the
schema itself loads the record. Every rejection, with its message and location, therefore comes
from marshmallow; ``tests/registry/test_compiled_schemas.py`` checks, over generated good and
bad records, that accepted records load to exactly what marshmallow loads.

Each string is normalised (``registry.text.clean``) once; marshmallow's ``Text`` does it twice.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing

from registry.text import clean

Loader = Callable[[Any], dict[str, Any]]
Converter = Callable[[Any], Any]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Slow(Exception):
    """The fast path cannot decide this record: marshmallow loads it."""


class NotCompilable(Exception):
    """The schema uses something the fast path does not know."""


def compile_schema(schema: Schema) -> Loader:
    """``schema.load``, faster for the records it accepts, identical for every record."""
    try:
        fast = _compile(schema)
    except NotCompilable:
        return schema.load

    def load(raw: Any) -> dict[str, Any]:
        try:
            return fast(raw)
        except Slow:
            return schema.load(raw)

    load.fast = fast  # for the tests: the fast path alone (raises Slow when it gives up)
    return load


def _compile(schema: Schema) -> Loader:
    from registry.schemas.records import Text  # the schemas module imports this one lazily

    if schema.unknown != EXCLUDE or schema.many:
        raise NotCompilable("only single records that exclude unknown fields")
    hooks = dict(schema._hooks)
    allowed = {"pre_load", "post_load", "validates_schema"}
    if set(k for k, v in hooks.items() if v) - allowed:
        raise NotCompilable(f"hooks {sorted(hooks)}")
    for name, many, kwargs in (h for v in hooks.values() for h in v):
        if many or kwargs.get("pass_original") or kwargs.get("pass_collection"):
            raise NotCompilable(f"hook {name} takes more than the record")
    pre = [getattr(schema, n) for n, _, _ in hooks.get("pre_load", [])]
    post = [getattr(schema, n) for n, _, _ in hooks.get("post_load", [])]
    checks = [getattr(schema, n) for n, _, _ in hooks.get("validates_schema", [])]

    plan: list[tuple[str, bool, Any, Converter]] = []
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise NotCompilable(f"{name}: data_key or attribute")
        plan.append((name, field.required, field.load_default, _converter(field, Text)))

    def load(raw: Any) -> dict[str, Any]:
        data = raw
        try:
            for hook in pre:
                data = hook(data)
        except ValidationError:
            raise Slow from None
        out: dict[str, Any] = {}
        for name, required, default, convert in plan:
            if name in data:
                out[name] = convert(data[name])
            elif required:
                raise Slow
            elif default is not missing:
                out[name] = default() if callable(default) else default
        try:
            for check in checks:
                check(out)
        except ValidationError:
            raise Slow from None
        for hook in post:
            out = hook(out)
        return out

    return load


def _check(validators: list, value: Any) -> Any:
    """``value``, once every validator accepts it (a complaint: marshmallow decides)."""
    try:
        for validator in validators:
            if validator(value) is False:
                raise Slow
    except ValidationError:
        raise Slow from None
    return value


def _validated(field: fields.Field, convert: Converter) -> Converter:
    validators = list(field.validators)
    if not validators:
        return convert
    return lambda value: _check(validators, convert(value))


def _converter(field: fields.Field, text_class: type) -> Converter:
    if field.allow_none:
        raise NotCompilable("fields that allow None")
    kind = type(field)
    if kind is text_class:
        return _text(field)
    if kind is fields.List:
        inner = _converter(field.inner, text_class)

        def convert_list(value: Any) -> list:
            if type(value) is not list:
                raise Slow
            return [inner(v) for v in value]

        return _validated(field, convert_list)
    if kind is fields.Nested:
        if field.many or not isinstance(field.nested, type):
            raise NotCompilable("nested schemas other than one class")
        sub = _compile(field.schema)

        def convert_nested(value: Any) -> dict:
            if type(value) is not dict:
                raise Slow
            return sub(value)

        return _validated(field, convert_nested)
    if kind is fields.Boolean:
        truthy, falsy = field.truthy, field.falsy

        def convert_bool(value: Any) -> bool:
            if type(value) not in (bool, int, str):
                raise Slow
            if value in truthy:
                return True
            if value in falsy:
                return False
            raise Slow

        return _validated(field, convert_bool)
    if kind is fields.Integer:

        def convert_int(value: Any) -> int:
            if type(value) is not int:
                raise Slow
            return value

        return _validated(field, convert_int)
    if kind is fields.Date and field.format in (None, "iso", "iso8601"):

        def convert_date(value: Any) -> date:
            if type(value) is not str or not _ISO_DATE.fullmatch(value):
                raise Slow
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise Slow from None

        return _validated(field, convert_date)
    if kind is fields.Dict:
        keys = _converter(field.key_field, text_class)
        values = _converter(field.value_field, text_class)

        def convert_dict(value: Any) -> dict:
            if type(value) is not dict:
                raise Slow
            out = {}
            for k, v in value.items():
                key = keys(k)
                if key is None:
                    raise Slow
                out[key] = values(v)
            return out

        return _validated(field, convert_dict)
    raise NotCompilable(f"field kind {kind.__name__}")


def _text(field: fields.Field) -> Converter:
    required, validators = field.required, list(field.validators)

    def convert_text(value: Any) -> str | None:
        if type(value) is not str:
            raise Slow
        cleaned = clean(value)
        if not cleaned:
            if required:
                raise Slow
            return None  # a blank optional string is absent, unvalidated (as ``Text`` does)
        return _check(validators, cleaned)

    return convert_text
