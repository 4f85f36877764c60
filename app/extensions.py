"""Flask extensions, created unbound here and bound in ``create_app``."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()


class _LoginManager(LoginManager):
    """Flask-Login, except that a request carrying an Authorization header is authenticated by
    that header alone (app.auth's request loader): an API client never falls back to a browser
    session or remember-me cookie, so a token request is never a cookie request."""

    def _load_user(self):
        if request.authorization is not None and self._request_callback is not None:
            return self._update_request_context_with_user(self._load_user_from_request(request))
        return super()._load_user()


login_manager = _LoginManager()
limiter = Limiter(get_remote_address)
api = Api()


def sessions() -> sessionmaker[Session]:
    """A sessionmaker on the app's engine, for work that manages its own transactions."""
    return sessionmaker(db.engine, expire_on_commit=False)
