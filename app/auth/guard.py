"""Permission checks for views: ``guarded`` on every write view, ``authorize`` for targets.

Every view that writes carries ``@guarded("<action>")``: it refuses anonymous users (401) and
roles the policy excludes (403) before the view runs, and records the action on the view so the
permission-matrix test can walk the URL map and find every write route and what guards it.
Inside the view, ``authorize(action, target)`` checks again against the entry being touched
(a submitter may act for its own body only).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from registry import policy


def _user():
    return current_user if current_user.is_authenticated else None


def authorize(action: str, target: Any = None) -> None:
    """Abort with 401 (not signed in) or 403 (not allowed) unless ``registry.policy`` agrees."""
    try:
        policy.require(_user(), action, target)
    except policy.NotSignedIn as exc:
        abort(401, description=str(exc))
    except policy.Forbidden as exc:
        abort(403, description=str(exc))


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
            return view(*args, **kwargs)

        wrapper.policy_action = action
        return wrapper

    return decorate
