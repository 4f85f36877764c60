"""Sign-in sessions and API tokens (Flask-Login) and, through registry.policy, who may do what.

A browser signs in with a password and carries a session cookie; its forms carry CSRF tokens.
An API client sends ``Authorization: Bearer <token>``; such a request is authenticated by the
token alone (see ``app.extensions._LoginManager``) and needs no CSRF token, because a browser
never adds that header by itself. An API write that arrives with the session cookie instead is
held to the same CSRF check as a form (header ``X-CSRFToken``), so the API is no way around it.
"""

from flask import Flask, current_app, g, request
from flask_login import current_user

from app.extensions import csrf, db, login_manager
from registry.models import User
from registry.services import tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """``id.version``: a session or cookie from before the user's last sign-out, password
    change or deactivation carries an older version and is refused."""
    ident, _, version = user_id.partition(".")
    if not (ident.isdigit() and version.isdigit()) or len(ident) > 18:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    auth = req.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    token = tokens.authenticate(db.session, auth.token)
    if token is None:
        return None
    g.api_token = token
    # Noted only; written after the response, in a batch, best effort (never fails a request).
    _usage().note(token)
    return token.user


def _usage() -> tokens.UsageRecorder:
    return current_app.extensions.setdefault("token_usage", tokens.UsageRecorder())


def _record_token_usage(exc: BaseException | None = None) -> None:
    if g.get("api_token") is not None:
        _usage().flush(db.engine)


def api_token():
    """The token that authenticated this request, or None for a session (or anonymous)."""
    return g.get("api_token")


def _forget_token() -> None:
    # g can outlive a request (an app context pushed around several): start each one clean.
    g.pop("api_token", None)


def _csrf_for_cookie_api_writes() -> None:
    if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
        return
    if request.authorization is not None or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if current_user.is_authenticated:
        csrf.protect()


def register(app: Flask) -> None:
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.sign_in"
    app.before_request(_forget_token)
    app.before_request(_csrf_for_cookie_api_writes)
    app.teardown_request(_record_token_usage)

    from app.auth import views

    app.register_blueprint(views.bp)
