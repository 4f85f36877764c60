"""Who may do what: the one place that decides, for every write in the web, the API and the CLI.

Actions are named ``<entity>.<verb>``. Each maps to a rule taking the user and, where the
decision depends on it, the target (a standard, a body code, a submission, a post...). Views and
API resources never look at roles themselves: they call ``require`` (through
``app.auth.guard.authorize``), which raises ``NotSignedIn`` or ``Forbidden``.

Roles: anonymous visitors read everything public and write nothing; a *submitter* speaks for one
body and proposes entries for that body only; a *panel* member reviews submissions, links
definitions, tags areas, annotates gaps and evaluates standards; an *admin* may do everything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from registry.models import User


class PolicyError(Exception):
    """Base of the two refusals; the message is safe to show to the user."""


class NotSignedIn(PolicyError):
    """The action needs a signed-in user (HTTP 401)."""


class Forbidden(PolicyError):
    """The user is signed in but may not do this (HTTP 403)."""


Rule = Callable[[User, Any], bool]


@dataclass(frozen=True)
class Operator:
    """Whoever runs the command line (or a script) on the registry's own machine: they hold
    the database already, so they act as an administrator. Their audit rows name no user and
    carry the path they came by (cli, demo, import)."""

    name: str = "the command line"
    id: None = None
    role: str = "admin"
    active: bool = True
    is_authenticated: bool = True
    body = None


OPERATOR = Operator()


def _signed_in(user: User, target: Any = None) -> bool:
    return True


def _panel(user: User, target: Any = None) -> bool:
    return user.role in ("panel", "admin")


def _another_reviewer(user: User, target: Any = None) -> bool:
    """Four eyes: the panel approves, but never what they submitted themselves."""
    return _panel(user) and (target is None or getattr(target, "submitter_id", None) != user.id)


def _admin(user: User, target: Any = None) -> bool:
    return user.role == "admin"


def body_codes_of(target: Any) -> set[str]:
    """The bodies a target belongs to: a code, a Body, a Standard, a Definition, a record."""
    if target is None:
        return set()
    if isinstance(target, str):
        return {target}
    if isinstance(target, dict):
        codes = target.get("bodies") or ([target["body"]] if target.get("body") else [])
        return set(codes)
    if hasattr(target, "body_codes"):
        return set(target.body_codes)
    body = getattr(target, "body", None)
    if body is not None:
        return {body.code} if hasattr(body, "code") else {body}
    code = getattr(target, "code", None)
    return {code} if code else set()


def _own_body(user: User, target: Any = None) -> bool:
    """Panel and admins act for anyone; a submitter only for the body it belongs to.

    Without a target (opening a form, the role-level check of ``guarded``) a submitter with a
    body passes; the view then checks again with the entry it is about to touch.
    """
    if user.role in ("panel", "admin"):
        return True
    if user.role != "submitter" or user.body is None:
        return False
    if target is None:
        return True
    codes = body_codes_of(target)
    return bool(codes) and codes <= {user.body.code}


def _own_or_panel(user: User, target: Any = None) -> bool:
    """The author of ``target`` (anything with ``author_id``/``user_id``), or the panel."""
    owner = getattr(target, "author_id", None) or getattr(target, "user_id", None)
    return _panel(user) or (owner is not None and owner == user.id)


def _own_annotation(user: User, target: Any = None) -> bool:
    """Panel members edit their own annotations; admins edit any."""
    if user.role == "admin":
        return True
    if user.role != "panel":
        return False
    return target is None or getattr(target, "author_id", None) == user.id


def _self_or_admin(user: User, target: Any = None) -> bool:
    """Anyone for their own things (an API token); admins for everyone's."""
    owner = getattr(target, "user_id", None)
    return target is None or owner == user.id or user.role == "admin"


def _self(user: User, target: Any = None) -> bool:
    """A person's own account (``target`` a user); admins change others' in user.manage."""
    return target is None or getattr(target, "id", None) == user.id


def _author(user: User, target: Any = None) -> bool:
    """Only the author (a post is a person's word: the panel hides, it does not rewrite)."""
    if target is None:
        return True  # role-level check; the view checks again with the post
    return getattr(target, "author_id", None) == user.id


def _panel_or_one_of_bodies(user: User, target: Any = None) -> bool:
    """Panel and admins, or a submitter for one of the target's bodies (a joint standard is
    described by any of its bodies)."""
    if user.role in ("panel", "admin"):
        return True
    if user.role != "submitter" or user.body is None:
        return False
    return target is None or user.body.code in body_codes_of(target)


RULES: dict[str, Rule] = {
    # submissions by standards bodies, reviewed by the panel
    "submission.create": _own_body,
    "submission.list": _signed_in,  # each sees its own; the panel sees every submission
    "submission.read": _own_or_panel,
    "submission.review": _panel,
    "submission.approve": _another_reviewer,
    # the glossary
    "link.create": _panel,
    "link.review": _panel,
    "concept.edit": _panel,
    "glossary.recompute": _admin,
    # areas and gaps
    "area.tag": _panel,
    "area.edit": _admin,
    "gap.annotate": _panel,
    "annotation.edit": _own_annotation,
    # debate and evaluation
    "post.create": _signed_in,
    "post.edit": _author,
    "post.flag": _signed_in,
    "post.hide": _panel,
    "evaluation.write": _panel,
    "follow": _signed_in,
    "standard.process": _panel_or_one_of_bodies,
    # accounts and administration
    "token.manage": _self_or_admin,
    "account.edit": _self,
    "user.manage": _admin,
    "body.edit": _admin,
    "audit.read": _admin,
    "batch.read": _admin,
    "import.run": _admin,
    "harvest.manage": _admin,
    "search.rebuild": _admin,
    "job.read": _self_or_admin,  # a job is followed by who started it, and administrators
}


Actor = User | Operator


def can(user: Actor | None, action: str, target: Any = None) -> bool:
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}: add it to registry.policy.RULES")
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return RULES[action](user, target)


def require(user: Actor | None, action: str, target: Any = None) -> None:
    """Return quietly when allowed; otherwise raise NotSignedIn or Forbidden."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}: add it to registry.policy.RULES")
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        raise NotSignedIn("Sign in to do this.")
    if not RULES[action](user, target):
        raise Forbidden(_refusal(user, action, target))


def _refusal(user: User, action: str, target: Any) -> str:
    if user.role == "submitter" and RULES[action] is _own_body:
        body = user.body.code if user.body else "no body"
        return f"You submit for {body} only; this entry belongs to another body."
    if RULES[action] is _another_reviewer and _panel(user):
        return "Nobody approves their own submission: another panel member must review it."
    return "Your role does not allow this."
