"""Personal API tokens: minted once, stored as a SHA-256, looked up by that hash."""

import hashlib
import logging
import secrets
import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.models import ApiToken, User
from registry.models.tokens import TOKEN_SCOPES
from registry.services import audit

log = logging.getLogger(__name__)

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


class UsageRecorder:
    """Last-used times of tokens, best effort: a request only notes its token's use (in
    memory), and the notes are written later in one batch, on a connection of their own that
    waits at most ``LOCK_WAIT_MS`` for a lock. A token is noted at most once per resolution per
    process (also when its write failed, so a read-only or locked database is not retried on
    every request); a write that fails is logged and dropped, never raised: an API read must
    not fail because a hint could not be recorded."""

    LOCK_WAIT_MS = 200

    def __init__(self, resolution: timedelta = LAST_USED_RESOLUTION) -> None:
        self.resolution = resolution
        self._lock = threading.Lock()
        self._pending: dict[int, datetime] = {}
        self._noted: dict[int, datetime] = {}

    def note(self, token: ApiToken) -> bool:
        """Note a use of ``token``; True when it will be written with the next batch."""
        now = utcnow()
        if token.last_used_at is not None and now - token.last_used_at < self.resolution:
            return False
        with self._lock:
            last = self._noted.get(token.id)
            if last is not None and now - last < self.resolution:
                return False
            self._noted[token.id] = now
            self._pending[token.id] = now
        return True

    def flush(self, engine: Engine) -> int:
        """Write every noted use in one transaction; the number of tokens written (0 when
        there was nothing to write or the write failed)."""
        with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return 0
            horizon = utcnow() - self.resolution
            self._noted = {i: t for i, t in self._noted.items() if t > horizon}
        rows = [{"token_id": i, "used_at": t} for i, t in batch.items()]
        try:
            with engine.connect() as conn:
                try:
                    _write_briefly(conn, rows, self.LOCK_WAIT_MS)
                except SQLAlchemyError:
                    # The connection may be the broken one (a SQLite file opened while it was
                    # read-only stays read-only): the pool must not hand it out again.
                    conn.invalidate()
                    raise
        except SQLAlchemyError as exc:
            log.warning("last-used time of %d API token(s) not recorded: %s", len(rows),
                        getattr(exc, "orig", None) or exc)
            return 0
        return len(rows)


def _write_briefly(conn, rows: list[dict], wait_ms: int) -> None:
    table = ApiToken.__table__
    stmt = update(table).where(table.c.id == bindparam("token_id")).values(
        last_used_at=bindparam("used_at"))
    # Wait briefly for a lock, not the engine's 10 s: this write is not worth a worker's time.
    if conn.dialect.name == "sqlite":
        previous = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar())
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
        conn.commit()
        try:
            conn.execute(stmt, rows)
            conn.commit()
        finally:
            conn.rollback()  # nothing left after a commit; after a failure, the failed write
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")
            conn.commit()
    else:
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'")
            conn.execute(stmt, rows)


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
