"""Query arguments of pages, validated by the same schemas as the API's."""

from flask import abort, request
from marshmallow import Schema, ValidationError


def load_args(schema: type[Schema]) -> dict:
    """The validated query arguments, or a 400 page that says which one is wrong."""
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as exc:
        abort(400, description="Some filters are not valid: " + "; ".join(
            f"{name}: {' '.join(msgs) if isinstance(msgs, list) else msgs}"
            for name, msgs in exc.messages.items()))
