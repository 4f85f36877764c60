"""Signed, expiring, single-use links to set a password (reset and invitation).

The link carries the user id and a fingerprint of the current password hash. Setting a password
changes the hash (argon2 salts every hash), so a used link stops working, and so do all other
outstanding links for that user: single use without a table of issued tokens.
"""

import hashlib

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from registry.models import User

PURPOSES = {"reset": "RESET_TOKEN_MAX_AGE", "invite": "INVITE_TOKEN_MAX_AGE"}


class LinkError(ValueError):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"password-{purpose}")


def _fingerprint(user: User) -> str:
    seed = user.password_hash or f"no-password:{user.id}:{user.created_at}"
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def make(user: User, purpose: str) -> str:
    """The absolute URL of a password link for ``user``."""
    token = _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})
    path = url_for("auth.set_password", purpose=purpose, token=token)
    return current_app.config["BASE_URL"].rstrip("/") + path


def read(purpose: str, token: str) -> User:
    """The user a valid link is for; LinkError (with a message to show) otherwise."""
    if purpose not in PURPOSES:
        raise LinkError("This link is not valid.")
    try:
        data = _serializer(purpose).loads(token, max_age=current_app.config[PURPOSES[purpose]])
    except SignatureExpired:
        raise LinkError("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise LinkError("This link is not valid.") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise LinkError("This link has already been used or is no longer valid.")
    return user
