"""Errors as the client expects them: JSON under /api/, pages elsewhere; always a message."""

import logging
import re

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from app.extensions import db
from registry import policy

log = logging.getLogger(__name__)


# The reader's words for each status (the JSON body keeps ``status`` in English: a stable code).
TITLES = {
    400: _l("Bad request"), 401: _l("Sign-in needed"), 403: _l("Not allowed"),
    404: _l("Not found"), 405: _l("Method not allowed"), 409: _l("Conflict"),
    410: _l("Gone"), 413: _l("Too large"), 415: _l("Unsupported media type"),
    422: _l("Unprocessable request"), 429: _l("Too many requests"),
    500: _l("Internal server error"), 503: _l("Service unavailable"),
}
# Werkzeug's own descriptions, said in the reader's language when an error carries no other.
DEFAULT_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Sign in to see this."),
    403: _l("You are not allowed to see this."),
    404: _l("There is nothing at this address. If you typed it, check the spelling."),
    405: _l("This address does not accept this method."),
    409: _l("The request conflicts with the current state of the entry."),
    410: _l("This entry is gone for good."),
    413: _l("The request is larger than the registry accepts."),
    415: _l("The registry cannot read this kind of content."),
    422: _l("The request is well formed but cannot be processed."),
    500: _l("Something went wrong on our side; it has been logged."),
    503: _l("The registry cannot answer right now. Please try again shortly."),
}
# The core's refusals (registry.policy), in the reader's language.
REFUSALS = {
    "Sign in to do this.": _l("Sign in to do this."),
    "Your role does not allow this.": _l("Your role does not allow this."),
    "Nobody approves their own submission: another panel member must review it.":
        _l("Nobody approves their own submission: another panel member must review it."),
}
OWN_BODY = re.compile(r"You submit for (.+) only; this entry belongs to another body\.")


def refusal_text(message: str) -> str:
    if message in REFUSALS:
        return str(REFUSALS[message])
    match = OWN_BODY.fullmatch(message)
    if match:
        return _("You submit for %(body)s only; this entry belongs to another body.",
                 body=match.group(1))
    return message


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def respond(code: int, name: str, message: str, errors=None):
    if wants_json():
        body = {"code": code, "status": name, "message": message}
        if errors:
            body["errors"] = errors
        return make_response(jsonify(body), code)
    # A Response, not a (text, code) tuple: callers add headers (Allow, Retry-After) to it.
    return make_response(render_template("error.html", code=code, name=TITLES.get(code, name),
                                         message=message, errors=errors), code)


def handle_http(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages")
    message = data.get("message") or exc.description or exc.name
    if message == type(exc).description and exc.code in DEFAULT_MESSAGES:
        message = str(DEFAULT_MESSAGES[exc.code])
    if errors and not data.get("message"):
        message = _("The request has invalid parameters.")
    if exc.code == 429:
        # The window may be a minute, an hour or a day: say which, not "a minute" always.
        if "minute" in str(exc.description):
            message = _("Too many requests: the limit here is %(limit)s. Please wait a minute, "
                        "then try again.", limit=exc.description)
        else:
            message = _("Too many requests: the limit here is %(limit)s. Please wait a while, "
                        "then try again.", limit=exc.description)
    response = respond(exc.code or 500, exc.name, message, errors)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if exc.code == 429 or exc.code == 503:
        response.headers.setdefault("Retry-After", "30")
    return response


def handle_csrf(exc: CSRFError):
    return respond(400, "Bad Request",
                    _("The form could not be accepted: %(reason)s Reload the page and try again.",
                      reason=exc.description))


def handle_refusal(exc: policy.PolicyError):
    """The core refused an action (``registry.policy``): 401 not signed in, 403 not allowed."""
    if isinstance(exc, policy.NotSignedIn):
        return respond(401, "Unauthorized", refusal_text(str(exc)))
    return respond(403, "Forbidden", refusal_text(str(exc)))


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
        _("The registry's database is unavailable right now. Please try again shortly.")))


def handle_too_deep(exc: RecursionError):
    """JSON nested thousands deep exhausts the parser's recursion (Flask's and webargs' alike):
    the client's error. Anywhere else a RecursionError is ours."""
    if not request.is_json:
        raise exc
    return respond(400, "Bad Request", _("The JSON body is nested too deeply to be read."))


def handle_unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return respond(500, "Internal Server Error", str(DEFAULT_MESSAGES[500]))


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(policy.PolicyError, handle_refusal)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(RecursionError, handle_too_deep)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
