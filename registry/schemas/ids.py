"""Entry ids given as arguments, bounded to what the id columns hold.

An id past the column's range makes the database raise (SQLite: OverflowError; PostgreSQL: out
of range) instead of finding nothing; bounded here it is a 400 that says why, and the OpenAPI
document states the range.
"""

from marshmallow import fields, validate

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER, the narrowest id column the registry uses


def entry_id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=ID_MAX), **kwargs)
