"""The test helper signs a client in the way Flask-Login expects, and it stays signed in."""

import pytest
from flask_login import current_user

from tests.auth import make_user, sign_in


@pytest.mark.private_app
def test_sign_in_sticks(app, client, session):
    user = make_user(session, "panel")

    @app.get("/_probe-current-user")
    def probe_current_user():
        return str(current_user.get_id())

    sign_in(client, user)
    assert client.get("/_probe-current-user").text == user.get_id()
    assert client.get("/_probe-current-user").text == user.get_id()
