"""``authorize``: the only way a view or API resource checks permission."""

from typing import Any

from flask import abort
from flask_login import current_user

from registry import policy


def authorize(action: str, target: Any = None) -> None:
    """Abort with 401 (not signed in) or 403 (not allowed) unless ``registry.policy`` agrees."""
    try:
        policy.require(current_user if current_user.is_authenticated else None, action, target)
    except policy.NotSignedIn as exc:
        abort(401, description=str(exc))
    except policy.Forbidden as exc:
        abort(403, description=str(exc))


def allowed(action: str, target: Any = None) -> bool:
    """For templates: show a button only to those who may press it."""
    return policy.can(current_user if current_user.is_authenticated else None, action, target)
