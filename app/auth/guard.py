"""Permission checks for views: ``guarded`` on every write view, ``authorize`` for targets.

Every view that writes carries ``@guarded("<action>")``: it refuses anonymous users (401) and
roles the policy excludes (403) before the view runs, and records the action on the view so the
permission-matrix test can walk the URL map and find every write route and what guards it.
Inside the view, ``authorize(action, target)`` checks again against the entry being touched
(a submitter may act for its own body only).

Anonymous visitors get 401, with one exception made for people rather than programs: a GET of
a page (not under /api/) redirects to the sign-in page and back. A request authenticated by an
API token with the read scope gets 403 for anything but GET/HEAD/OPTIONS.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app.errors import refusal_text
from registry import policy


def _user():
    return current_user if current_user.is_authenticated else None


def authorize(action: str, target: Any = None) -> None:
    """Abort with 401 (not signed in) or 403 (not allowed) unless ``registry.policy`` agrees."""
    try:
        policy.require(_user(), action, target)
    except policy.NotSignedIn as exc:
        if request.method == "GET" and not request.path.startswith("/api/"):
            abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"))))
        abort(401, description=refusal_text(str(exc)))
    except policy.Forbidden as exc:
        abort(403, description=refusal_text(str(exc)))


def allowed(action: str, target: Any = None) -> bool:
    """For templates: show a button only to those who may press it."""
    return policy.can(_user(), action, target)


def guarded(action: str) -> Callable:
    """Mark a write view with its policy action and check the role before it runs."""
    if action not in policy.RULES:
        raise KeyError(f"unknown action {action!r}: add it to registry.policy.RULES")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            authorize(action)
            token = g.get("api_token")
            if token is not None and request.method not in ("GET", "HEAD", "OPTIONS") \
                    and not token.allows("write"):
                abort(403, description="This token has the read scope; writing needs a token "
                                       "with the write scope.")
            return view(*args, **kwargs)

        wrapper.policy_action = action
        return wrapper

    return decorate
