"""Flask extensions, created unbound here and bound in ``create_app``."""

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
login_manager = LoginManager()
limiter = Limiter(get_remote_address)
api = Api()


def sessions() -> sessionmaker[Session]:
    """A sessionmaker on the app's engine, for work that manages its own transactions."""
    return sessionmaker(db.engine, expire_on_commit=False)
