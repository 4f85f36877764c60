"""Errors as the client expects them: JSON under /api/, pages elsewhere; always a message."""

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from app.extensions import db
from registry import policy

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(code: int, name: str, message: str, errors=None):
    if wants_json():
        body = {"code": code, "status": name, "message": message}
        if errors:
            body["errors"] = errors
        return make_response(jsonify(body), code)
    # A Response, not a (text, code) tuple: callers add headers (Allow, Retry-After) to it.
    return make_response(render_template("error.html", code=code, name=name, message=message,
                                         errors=errors), code)


def handle_http(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages")
    message = data.get("message") or exc.description or exc.name
    if errors and not data.get("message"):
        message = "The request has invalid parameters."
    if exc.code == 429:
        # The window may be a minute, an hour or a day: say which, not "a minute" always.
        wait = "a minute" if "minute" in str(exc.description) else "a while"
        message = (f"Too many requests: the limit here is {exc.description}. Please wait "
                   f"{wait}, then try again.")
    response = _respond(exc.code or 500, exc.name, message, errors)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if exc.code == 429 or exc.code == 503:
        response.headers.setdefault("Retry-After", "30")
    return response


def handle_csrf(exc: CSRFError):
    return _respond(400, "Bad Request",
                    f"The form could not be accepted: {exc.description} Reload the page and "
                    "try again.")


def handle_refusal(exc: policy.PolicyError):
    """The core refused an action (``registry.policy``): 401 not signed in, 403 not allowed."""
    if isinstance(exc, policy.NotSignedIn):
        return _respond(401, "Unauthorized", str(exc))
    return _respond(403, "Forbidden", str(exc))


def handle_database_down(exc: DBAPIError):
    """An unreachable, locked or read-only database is a temporary condition: 503, and the next
    request reconnects without restarting the app (pool_pre_ping finds a lost server; a
    connection the error left useless, read-only for instance, was already discarded with the
    rest of the pool: ``registry.db._discard_broken_connections``)."""
    if not getattr(exc, "connection_invalidated", False) and not isinstance(exc, OperationalError):
        raise exc
    log.warning("database unavailable: %s", exc.orig)
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.remove()
    return handle_http(ServiceUnavailable(
        "The registry's database is unavailable right now. Please try again shortly."))


def handle_too_deep(exc: RecursionError):
    """JSON nested thousands deep exhausts the parser's recursion (Flask's and webargs' alike):
    the client's error. Anywhere else a RecursionError is ours."""
    if not request.is_json:
        raise exc
    return _respond(400, "Bad Request", "The JSON body is nested too deeply to be read.")


def handle_unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _respond(500, "Internal Server Error",
                    "Something went wrong on our side; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(policy.PolicyError, handle_refusal)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(RecursionError, handle_too_deep)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
