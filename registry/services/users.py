"""Creating and changing users."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import policy
from registry.models import Body, User
from registry.models.vocab import ROLES
from registry.passwords import MIN_LENGTH, hash_password
from registry.services import audit
from registry.text import clean


class UserError(ValueError):
    """The request cannot be carried out; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, *, email: str, role: str, password: str | None = None,
                body_code: str | None = None, name: str = "", actor_id: int | None = None,
                path: str = "cli") -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise UserError(f"a user with the email {email} already exists")
    body = None
    if role == "submitter":
        if not body_code:
            raise UserError("a submitter belongs to one body: give --body CODE")
        body = session.scalar(select(Body).where(Body.code == body_code))
        if body is None:
            raise UserError(f"unknown body {body_code!r}")
    elif body_code:
        raise UserError("only submitters belong to a body")
    if password is not None and len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters")
    user = User(email=email, role=role, name=name, body=body,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    audit.record(session, entity="users", entity_id=user.id, action="create", path=path,
                 actor_id=actor_id, after={"email": email, "role": role, "body": body_code})
    return user


def user_snapshot(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role,
            "body": user.body.code if user.body else None, "active": user.active}


def update_user(session: Session, user: User, *, role: str, body_code: str | None,
                active: bool, name: str | None = None, actor_id: int | None = None,
                path: str = "web") -> bool:
    """Set role, body, active (and name); audited. False when nothing changed."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    body = None
    if role == "submitter":
        if not body_code:
            raise UserError("a submitter belongs to one body: choose it")
        body = session.scalar(select(Body).where(Body.code == body_code))
        if body is None:
            raise UserError(f"unknown body {body_code!r}")
    elif body_code:
        raise UserError("only submitters belong to a body")
    if actor_id == user.id and (role != "admin" or not active):
        raise UserError("you cannot demote or deactivate your own account")
    before = user_snapshot(user)
    if user.active and not active:
        end_sessions(user)
    user.role, user.body, user.active = role, body, active
    if name is not None:
        user.name = name.strip()[:200]
    after = user_snapshot(user)
    if before == after:
        return False
    session.flush()
    audit.record(session, entity="users", entity_id=user.id, action="update", path=path,
                 actor_id=actor_id, before=before, after=after)
    return True


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of ``user`` stops working (no commit)."""
    user.session_version = (user.session_version or 0) + 1


def rename(session: Session, actor, user: User, name: str) -> bool:
    """A person sets the display name everyone else sees (with their role). False when it is
    the same; audited."""
    policy.require(actor, "account.edit", user)
    name = clean(name)[:200]
    if not name:
        raise UserError("Your display name cannot be empty: it is how others see you.")
    if name == user.name:
        return False
    before = user_snapshot(user)
    user.name = name
    session.flush()
    audit.record(session, entity="users", entity_id=user.id, action="update", path="web",
                 actor_id=actor.id, before=before, after=user_snapshot(user))
    return True


def set_password(session: Session, user: User, password: str, *, path: str = "web") -> None:
    if len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters")
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(session, entity="users", entity_id=user.id, action="password", path=path,
                 actor_id=user.id, summary="password set")


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
