"""URL converters: ``<int:...>`` is bounded to what the database's integer ids can hold.

Werkzeug's ``int`` matches any number of digits; an id past the column's range made the
database raise (SQLite: OverflowError, PostgreSQL: out of range) instead of finding nothing.
Bounded here, such a URL is a plain 404, and the OpenAPI document states the range.
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

from registry.schemas.ids import ID_MAX


class BoundedIntegerConverter(IntegerConverter):
    def __init__(
        self,
        url_map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = ID_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    """Before any route is added: rules pick their converters when they are registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter
