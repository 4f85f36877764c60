"""Server-rendered pages. Every page works without JavaScript."""

from flask import Blueprint, Flask

bp = Blueprint("web", __name__)

# Importing the modules registers their routes on ``bp``.
from app.web import (  # noqa: E402,F401
    admin,
    areas,
    bodies,
    debate,
    feeds,
    gaps,
    glossary,
    home,
    imports,
    jobs,
    search,
    standards,
    submissions,
)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
