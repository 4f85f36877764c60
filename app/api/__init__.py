"""JSON API v1 (flask-smorest): read the registry; OpenAPI at /api/v1/openapi.json."""

from flask import Flask
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from app.extensions import api, csrf


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # a bad filter is the client's error, said plainly


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, answering invalid arguments with 400 instead of 422."""

    ARGUMENTS_PARSER = _Parser()


def register(app: Flask) -> None:
    from app.api import catalogue, gaps, glossary, imports

    for blueprint in (catalogue.blp, glossary.blp, gaps.blp, imports.blp):
        # The API authenticates with tokens, not the session cookie; CSRF applies to forms.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
