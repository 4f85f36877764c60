"""Server-rendered pages. Every page works without JavaScript."""

from flask import Blueprint, Flask

bp = Blueprint("web", __name__)

# Importing the modules registers their routes on ``bp``.
from app.web import areas, bodies, gaps, glossary, home, imports, standards  # noqa: E402,F401


def register(app: Flask) -> None:
    app.register_blueprint(bp)
