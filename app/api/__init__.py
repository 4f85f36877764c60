"""JSON API v1 (flask-smorest): read the registry; OpenAPI at /api/v1/openapi.json."""

from flask import Flask
from flask_smorest import Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser

from app.extensions import api, csrf


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # a bad filter is the client's error, said plainly

    def load_querystring(self, req, schema):
        """Refuse ``?status=`` where the OpenAPI document allows no empty value.

        The query schemas read a blank as "any" for the pages' forms; the API documents the
        parameters' patterns and enums instead, so an empty value they exclude is a 400 here.
        """
        fields = {f.data_key or name: f for name, f in schema.load_fields.items()}
        errors = {}
        for name, value in req.args.items(multi=True):
            if value == "" and name in fields:
                try:
                    fields[name].deserialize("")
                except ValidationError as exc:
                    errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return super().load_querystring(req, schema)


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, answering invalid arguments with 400 instead of 422."""

    ARGUMENTS_PARSER = _Parser()


def register(app: Flask) -> None:
    from app.api import (
        catalogue,
        debate,
        gaps,
        glossary,
        imports,
        jobs,
        search,
        submissions,
    )

    _bearer_scheme()
    for blueprint in (catalogue.blp, glossary.blp, gaps.blp, imports.blp, search.blp,
                      submissions.blp, debate.blp, jobs.blp):
        # The API authenticates with tokens, not the session cookie; CSRF applies to forms.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)


def _bearer_scheme() -> None:
    """API tokens in the OpenAPI document: ``Authorization: Bearer <token>``."""
    schemes = api.spec.to_dict().get("components", {}).get("securitySchemes", {})
    if "bearerAuth" not in schemes:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer",
                           "description": "A personal API token (account page, or "
                                          "`flask users token`)."})
