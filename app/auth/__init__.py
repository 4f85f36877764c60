"""Sign-in sessions (Flask-Login) and, through registry.policy, who may do what."""

from flask import Flask

from app.extensions import db, login_manager
from registry.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def register(app: Flask) -> None:
    login_manager.session_protection = "strong"
