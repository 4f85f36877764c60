"""Signing test clients in as users of each role, without going through the sign-in form."""

from registry.models import User
from registry.services.users import create_user


def make_user(session, role: str, body: str | None = None, email: str | None = None) -> User:
    """A user of ``role`` (a submitter needs ``body``); its password is ``password-<role>``."""
    from registry.services.bodies import find_or_create_known

    if body:
        find_or_create_known(session, body)
    user = create_user(session, email=email or f"{role}-{body or 'x'}@example.org".lower(),
                       role=role, body_code=body, password=f"password-{role}-long")
    session.commit()
    return user


def sign_in(client, user: User) -> None:
    """Put ``user`` in the client's session as Flask-Login's ``login_user`` would.

    The session identifier must match the test client's address and agent, or "strong" session
    protection logs the user straight out again.
    """
    from flask_login.utils import _create_identifier

    with client.application.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": _agent(client)}
    ):
        identifier = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier


def _agent(client) -> str:
    return client.environ_base.get("HTTP_USER_AGENT", f"Werkzeug/{_werkzeug_version()}")


def _werkzeug_version() -> str:
    from importlib.metadata import version

    return version("werkzeug")
