"""Users of the registry. Anonymous visitors need no row: they read everything public."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, Timestamped
from registry.models.catalogue import Body

ROLE_LABELS = {"admin": "Administrator", "panel": "Panel member", "submitter": "Standards body"}


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | panel | submitter
    # A submitter speaks for exactly one body.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Part of every session and remember-me cookie: raising it ends them all (sign-out,
    # password change, deactivation).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The interface language they chose (a BCP 47 tag, app.i18n.LANGUAGES); None: the
    # browser's.
    language: Mapped[str | None] = mapped_column(String(16))

    body: Mapped[Body | None] = relationship()

    # The interface Flask-Login expects, written here so the core needs no Flask import.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        """"Panel member", "Administrator", or "Standards body ISO" for a body's submitter."""
        role = ROLE_LABELS.get(self.role, self.role)
        if self.role == "submitter" and self.body is not None:
            return f"{role} {self.body.code}"
        return role

    @property
    def public_name(self) -> str:
        """How everyone else sees this person: display name and role, never the e-mail
        address, which only admins and the person themself see."""
        role = self.role_label
        if not self.name:
            return f"{role} #{self.id}"
        return f"{self.name}, {role[0].lower()}{role[1:]}"

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
