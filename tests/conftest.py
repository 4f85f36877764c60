"""Fixtures: an app on a fresh database per test, its client, and the database session.

The whole suite runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL names one.
Tests with the default configuration share one app (building one costs ~0.1 s): after each
test its database is emptied, its configuration restored and its search index and memo
dropped, so each test still starts from nothing. A test that asks for other settings
(``@pytest.mark.parametrize("app", [...], indirect=True)``) or that changes the app itself
(adds a route: ``@pytest.mark.private_app``) gets an app of its own.
"""

import shutil

import pytest
from argon2 import PasswordHasher
from flask import g
from sqlalchemy import create_engine

from app import create_app
from app.extensions import db as flask_db
from app.extensions import limiter as flask_limiter
from registry import passwords
from registry.models import Base
from tests import dbs

# argon2id at its cheapest: the tests check who may sign in, not the hash's cost (a real one
# takes ~50 ms of CPU per user created or signed in).
passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if dbs.is_postgres():
        reason = dbs.postgres_unavailable_reason()
        if reason:
            pytest.skip(reason)
        with dbs.postgres_schema() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def make_app(database_url: str, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # Jobs run where they are queued; tests/jobs runs real queues and workers.
        "JOBS_QUEUE": "immediate",
        "JOBS_DIR": str(tmp_path / "jobs"),
    }
    config.update(overrides)
    return create_app(config)


def _forget_login_user() -> None:
    g.pop("_login_user", None)


def _test_app(database_url: str, folder, overrides: dict):
    application = make_app(database_url, folder, **overrides)
    # The fixture's app context outlives each request, and Flask-Login caches the user in ``g``
    # of that context: forget it per request so every request authenticates afresh.
    application.before_request(_forget_login_user)
    return application


@pytest.fixture(scope="session")
def _shared_app(_schema, database_url, tmp_path_factory):
    application = _test_app(database_url, tmp_path_factory.mktemp("app"), {})
    return application, dict(application.config)


def _forget_state(application, config: dict) -> None:
    """What a test may leave in the shared app: settings, the search index and its service,
    memoized gap results, noted token uses."""
    application.config.clear()
    application.config.update(config)
    application.extensions.pop("gaps_memo", None)
    application.extensions.pop("token_usage", None)  # token ids are reused after the wipe
    if application.extensions.pop("search", None) is not None:
        shutil.rmtree(config["SEARCH_INDEX_DIR"], ignore_errors=True)


@pytest.fixture
def app(_schema, database_url, tmp_path, request):
    overrides = getattr(request, "param", None) or {}
    if overrides or request.node.get_closest_marker("private_app"):
        application, config = _test_app(database_url, tmp_path, overrides), None
    else:
        application, config = request.getfixturevalue("_shared_app")
        # The limiter is one object for every app: an app of its own (rate limits on) may
        # have switched it on since.
        flask_limiter.enabled = config["RATELIMIT_ENABLED"]
    with application.app_context():
        yield application
        flask_db.session.remove()
    dbs.wipe(_schema)
    if config is not None:
        _forget_state(application, config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return flask_db.session


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
