"""The Flask face of the registry: ``create_app`` builds it (``wsgi.py`` serves it)."""

from pathlib import Path
from typing import Any

from flask import Flask

from app import extensions as ext
from app import routing
from app.config import build_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(build_config(app.instance_path, config))
    routing.register(app)

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"))
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    ext.login_manager.init_app(app)
    ext.api.init_app(app)

    # The app's parts import models and extensions; import them once the app is configured.
    from app import (
        api,
        auth,
        cli,
        edge,
        errors,
        glossary,
        health,
        history,
        i18n,
        jobs,
        search,
        security,
        templating,
        web,
    )

    errors.register(app)
    edge.register(app)
    security.register(app)
    history.register(app)
    auth.register(app)
    health.register(app)
    i18n.register(app)
    templating.register(app)
    web.register(app)
    api.register(app)
    cli.register(app)
    search.register(app)
    jobs.register(app)
    glossary.register(app)
    return app
