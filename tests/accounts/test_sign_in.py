"""Signing in and out, password links, and what the sign-in form does not reveal."""

import logging
import re

import pytest
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer

from app.auth import links
from app.auth.views import SIGN_IN_REFUSED, safe_next
from registry.models import User
from registry.passwords import verify_password
from tests.auth import make_user

PASSWORD = "password-panel-long"


@pytest.fixture
def panel(session):
    return make_user(session, "panel", email="Panel@Example.org")


def _sign_in(client, email, password, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_sign_in_then_out(app, client, panel):
    response = _sign_in(client, "panel@example.org", PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/")
    assert "panel@example.org" in page.text and "Sign out" in page.text
    assert client.get("/account/tokens").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert client.get("/account/tokens").status_code == 302  # a page: back to sign-in
    assert "Sign in" in client.get("/").text


def test_sign_out_is_post_only(client, panel):
    _sign_in(client, "panel@example.org", PASSWORD)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/account/tokens").status_code == 200


def test_refusals_do_not_reveal_which_emails_exist(session, client, panel):
    wrong_password = _sign_in(client, "panel@example.org", "not-the-password")
    unknown_email = _sign_in(client, "nobody@example.org", PASSWORD)
    panel.active = False
    session.commit()
    inactive = _sign_in(client, "panel@example.org", PASSWORD)
    for response in (wrong_password, unknown_email, inactive):
        assert response.status_code == 401
        assert SIGN_IN_REFUSED in response.text
    assert client.get("/account/tokens").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, panel):
    response = _sign_in(client, "panel@example.org", PASSWORD, remember="1")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token")]
    assert cookie and "HttpOnly" in cookie[0] and "Expires" in cookie[0]
    plain = _sign_in(client, "panel@example.org", PASSWORD)
    assert not [
        h
        for h in plain.headers.getlist("Set-Cookie")
        if h.startswith("remember_token=") and "Expires=Thu, 01 Jan 1970" not in h
    ]


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/review?status=pending", "/review?status=pending"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("review", None),
    ],
)
def test_next_must_stay_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_sign_in_returns_to_a_safe_next_only(client, panel):
    ok = _sign_in(client, "panel@example.org", PASSWORD, next="/submissions")
    assert ok.location == "/submissions"
    evil = _sign_in(client, "panel@example.org", PASSWORD, next="https://evil.example/x")
    assert evil.location == "/"


def test_a_guarded_page_sends_anonymous_visitors_to_sign_in_and_back(client, panel):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/sign-in?next=/account/tokens" in response.location
    form = client.get(response.location)
    assert 'name="next" value="/account/tokens"' in form.text


def _reset_link(caplog, client, email) -> str:
    with caplog.at_level(logging.WARNING):
        response = client.post("/reset-password", data={"email": email})
    assert response.status_code == 302
    found = re.findall(r"http://\S+/password/reset/\S+", caplog.text)
    return found[-1] if found else ""


def test_password_reset_link_is_logged_and_works_once(app, session, client, caplog, panel):
    link = _reset_link(caplog, client, "panel@example.org")
    assert link, "the reset link should be written to the log when MAIL_SERVER is unset"
    path = link.split("127.0.0.1:5000", 1)[1]
    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    new = "a-brand-new-password"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    session.expire_all()
    assert verify_password(session.get(User, panel.id).password_hash, new)
    again = client.post(
        path, data={"password": "another-new-password", "confirm": "another-new-password"}
    )
    assert again.status_code == 400 and "already been used" in again.text
    assert _sign_in(client, "panel@example.org", new).status_code == 302


def test_reset_for_an_unknown_email_answers_the_same_and_logs_nothing(client, caplog, panel):
    known = client.post(
        "/reset-password", data={"email": "panel@example.org"}, follow_redirects=True
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        unknown = client.post(
            "/reset-password", data={"email": "nobody@example.org"}, follow_redirects=True
        )
    assert "/password/reset/" not in caplog.text
    message = "If an account exists for that address"
    assert message in known.text and message in unknown.text


def test_reset_links_expire_and_cannot_be_forged(app, client, panel):
    with app.test_request_context():
        token = links.make(panel, "reset").rsplit("/", 1)[1]
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    expired = client.get(f"/password/reset/{token}")
    assert expired.status_code == 400 and "expired" in expired.text
    app.config["RESET_TOKEN_MAX_AGE"] = 3600
    forged = URLSafeTimedSerializer("another-key", salt="password-reset").dumps(
        {"u": panel.id, "f": "x"}
    )
    assert client.get(f"/password/reset/{forged}").status_code == 400
    # An invitation link is not a reset link (different salt).
    assert client.get(f"/password/invite/{token}").status_code == 400


def test_sign_in_rehashes_nothing_but_records_the_time(session, client, panel):
    assert panel.last_login_at is None
    _sign_in(client, "panel@example.org", PASSWORD)
    session.expire_all()
    assert session.get(User, panel.id).last_login_at is not None


@pytest.mark.private_app
def test_current_user_is_anonymous_without_a_session(app, client):
    @app.get("/_probe-anon")
    def probe():
        return "yes" if current_user.is_anonymous else "no"

    assert client.get("/_probe-anon").text == "yes"


def _remember_cookie(response) -> str:
    header = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    return header.split(";", 1)[0].split("=", 1)[1]


def _with_only_the_cookie(app, cookie: str):
    other = app.test_client()
    other.set_cookie("remember_token", cookie)
    return other


def test_sign_out_ends_every_session_and_remember_me_cookie(app, session, client, panel):
    """An old cookie worked after sign-out; now sign-out, a password change and deactivation
    each end them all."""
    cookie = _remember_cookie(_sign_in(client, "panel@example.org", PASSWORD, remember="1"))
    stolen = _with_only_the_cookie(app, cookie)
    assert stolen.get("/account/tokens").status_code == 200  # the cookie signs in
    client.post("/sign-out")
    assert stolen.get("/account/tokens").status_code == 302  # ... until its owner signs out
    again = _remember_cookie(_sign_in(client, "panel@example.org", PASSWORD, remember="1"))
    assert again != cookie  # a new sign-in after a sign-out gets a new cookie

    from registry.services import users

    users.set_password(session, panel, "a-brand-new-password")
    session.commit()
    assert _with_only_the_cookie(app, again).get("/account/tokens").status_code == 302
    assert client.get("/account/tokens").status_code == 302  # the open session too


def test_deactivation_ends_the_sessions_of_that_person(app, session, client, panel):
    cookie = _remember_cookie(_sign_in(client, "panel@example.org", PASSWORD, remember="1"))
    from registry.services import users

    users.update_user(session, panel, role="panel", body_code=None, active=False)
    session.commit()
    panel.active = True  # even re-activated, the old cookie stays dead
    session.commit()
    assert _with_only_the_cookie(app, cookie).get("/account/tokens").status_code == 302


def test_every_account_state_verifies_one_hash(session, client, panel, monkeypatch):
    """An invited account (no password yet) answered in 4 ms against 115 ms for the others,
    so it could be told apart: now every refusal costs one argon2 verification."""
    from registry import passwords
    from registry.services import users

    users.create_user(session, email="invited@example.org", role="panel")  # no password
    inactive = make_user(session, "panel", email="gone@example.org")
    inactive.active = False
    session.commit()
    verified = []

    class Counting(type(passwords._hasher)):
        def verify(self, hash, password):
            verified.append(hash)
            return super().verify(hash, password)

    cheap = passwords._hasher
    monkeypatch.setattr(passwords, "_hasher", Counting(
        time_cost=cheap.time_cost, memory_cost=cheap.memory_cost, parallelism=cheap.parallelism))
    for email in ("invited@example.org", "nobody@example.org", "gone@example.org",
                  "panel@example.org"):
        verified.clear()
        response = _sign_in(client, email, "not-the-password")
        assert response.status_code == 401 and SIGN_IN_REFUSED in response.text
        assert len(verified) == 1, email
    # The dummy hash never lets anyone in, whatever the password.
    from app.auth.views import _dummy_hash

    assert not verify_password(_dummy_hash(), "")
    assert _sign_in(client, "invited@example.org", "not-a-real-password-for-timing"
                    ).status_code == 401


ACCOUNT_LIMITED = {
    "RATELIMIT_ENABLED": True,
    "SIGN_IN_LIMIT": "100 per minute",
    "SIGN_IN_ACCOUNT_LIMIT": "2 per minute",
}


def _from(client, address: str, email: str, password: str):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("app", [ACCOUNT_LIMITED], indirect=True)
def test_sign_in_is_limited_per_account_whatever_the_address(app, client, panel):
    codes = [
        _from(client, address, email, "wrong").status_code
        for address, email in [("10.0.0.1", "panel@example.org"),
                               ("10.0.0.2", " Panel@Example.ORG"),
                               ("10.0.0.3", "PANEL@example.org")]
    ]
    assert codes == [401, 401, 429]
    # The right password does not get past the limit either, from yet another address ...
    assert _from(client, "10.0.0.4", "panel@example.org", PASSWORD).status_code == 429
    # ... while other accounts are not affected.
    assert _from(client, "10.0.0.1", "other@example.org", "wrong").status_code == 401


@pytest.mark.parametrize("app", [ACCOUNT_LIMITED], indirect=True)
def test_successful_sign_ins_do_not_count_against_the_account(app, client, panel):
    codes = [_sign_in(client, "panel@example.org", PASSWORD).status_code for _ in range(4)]
    assert codes == [302] * 4


def _redis_or_skip(url: str):
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed")
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return client


def test_limits_in_redis_are_shared_by_every_worker(database_url, tmp_path, session, panel):
    """With memory:// each worker counts alone; with Redis a second worker (a second app, with
    its own storage connection) sees the attempts the first one counted."""
    import uuid

    from app.extensions import limiter
    from tests.conftest import make_app

    url = "redis://127.0.0.1:6379/15"
    store = _redis_or_skip(url)
    prefix = f"test-{uuid.uuid4().hex}"
    config = {**ACCOUNT_LIMITED, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix}
    try:
        first = make_app(database_url, tmp_path / "one", **config)
        assert [_sign_in(first.test_client(), "panel@example.org", "wrong").status_code
                for _ in range(2)] == [401, 401]
        second = make_app(database_url, tmp_path / "two", **config)
        assert _sign_in(second.test_client(), "panel@example.org", "wrong").status_code == 429
        assert store.keys(f"*{prefix}*account:panel@example.org*")
        # The same with memory://: the second worker starts counting from nothing.
        memory = {**ACCOUNT_LIMITED, "RATELIMIT_STORAGE_URI": "memory://"}
        third = make_app(database_url, tmp_path / "three", **memory)
        assert _sign_in(third.test_client(), "panel@example.org", "wrong").status_code == 401
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        limiter._key_prefix = ""  # the limiter is one object for every app
        limiter.enabled = False
