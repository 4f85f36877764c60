"""Personal API tokens: minted once, stored as a SHA-256, looked up by that hash."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.models import ApiToken, User
from registry.models.tokens import TOKEN_SCOPES
from registry.services import audit

PREFIX = "ase_"
# last_used_at is a hint, not a log: write it at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    pass


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, user: User, *, scope: str, name: str = "", path: str = "web"
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not kept and cannot be shown again."""
    if scope not in TOKEN_SCOPES:
        raise TokenError(f"scope must be one of {', '.join(TOKEN_SCOPES)}")
    if not user.active:
        raise TokenError("the account is deactivated")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=secret[:10],
        secret_hash=digest(secret),
        scope=scope,
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        entity="api_tokens",
        entity_id=token.id,
        action="create",
        path=path,
        actor_id=user.id,
        after={"user": user.email, "scope": scope, "name": token.name, "prefix": token.prefix},
    )
    return token, secret


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The live token with this secret whose user is active, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def touch(session: Session, token: ApiToken) -> bool:
    """Record use, at most once per LAST_USED_RESOLUTION. True when a row was written."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    token.last_used_at = now
    return True


def revoke(session: Session, token: ApiToken, *, actor: User, path: str = "web") -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(
        session,
        entity="api_tokens",
        entity_id=token.id,
        action="revoke",
        path=path,
        actor_id=actor.id,
        before={"revoked": False},
        after={"revoked": True},
    )


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )
