"""API tokens: shown once, stored hashed, scoped, revocable; CSRF for cookie API writes."""

import hashlib
import re

import pytest
from sqlalchemy import select

from registry.models import ApiToken, Submission
from tests.accounts.conftest import bearer, ieee_definition
from tests.auth import sign_in


def test_a_token_is_shown_once_and_stored_as_a_hash(session, client, users):
    sign_in(client, users["ieee"])
    created = client.post("/account/tokens", data={"name": "CI <robot>", "scope": "write"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"  # the page shows a secret
    secret = re.search(r'id="new-token">([^<]+)<', created.text).group(1)
    token = session.scalar(select(ApiToken))
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.secret_hash and token.prefix == secret[:10]
    listing = client.get("/account/tokens").text
    assert secret not in listing and token.prefix in listing
    assert "CI &lt;robot&gt;" in listing
    assert client.post("/account/tokens", data={"scope": "admin"}).status_code == 400

    api = client.application.test_client()  # no cookie: the token alone
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/submissions", headers=headers).status_code == 200
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at is not None


def test_revoked_wrong_and_malformed_tokens_are_refused(session, client, users):
    headers = bearer(session, users["ieee"], "write")
    assert client.get("/api/v1/submissions", headers=headers).status_code == 200
    token = session.scalar(select(ApiToken))
    sign_in(client, users["ieee"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    api = client.application.test_client()
    assert api.get("/api/v1/submissions", headers=headers).status_code == 401
    for value in ("Bearer ase_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500):
        response = api.get("/api/v1/submissions", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.json["code"] == 401


def test_only_the_owner_or_an_admin_revokes_a_token(session, client, users):
    bearer(session, users["ieee"])
    token = session.scalar(select(ApiToken))
    sign_in(client, users["panel"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 403
    sign_in(client, users["admin"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is not None


def test_a_read_token_cannot_write(session, client, users):
    read = bearer(session, users["ieee"], "read")
    response = client.post(
        "/api/v1/submissions",
        headers=read,
        json={"kind": "definition", "record": ieee_definition()},
    )
    assert response.status_code == 403 and "write scope" in response.json["message"]
    assert session.scalar(select(Submission)) is None


def test_the_cli_prints_a_token_once(app, session, runner, users):
    result = runner.invoke(args=["users", "token", users["panel"].email, "--scope", "read"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("ase_")
    token = session.scalar(select(ApiToken))
    assert token.scope == "read" and token.user_id == users["panel"].id
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    client = app.test_client()
    assert (
        client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    unknown = runner.invoke(args=["users", "token", "nobody@example.org", "--scope", "read"])
    assert unknown.exit_code != 0 and "no user" in unknown.output


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_cookie_api_writes_need_csrf_token_writes_do_not(app, session, client, users):
    payload = {"kind": "definition", "record": ieee_definition()}
    sign_in(client, users["ieee"])
    # The browser's session cookie is not enough for an API write ...
    refused = client.post("/api/v1/submissions", json=payload)
    assert refused.status_code == 400 and "CSRF" in refused.json["message"]
    # ... reads still work with it ...
    assert client.get("/api/v1/submissions").status_code == 200
    # ... and with the CSRF token of the session, the write goes through.
    page = client.get("/account/tokens").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ok = client.post("/api/v1/submissions", json=payload, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 201, ok.json
    # A token needs no CSRF token, even from a client that also holds a session cookie.
    headers = bearer(session, users["ieee"])
    assert client.post("/api/v1/submissions", json=payload, headers=headers).status_code == 201
    # And forms without the token are refused with 400.
    assert client.post("/account/tokens", data={"scope": "read"}).status_code == 400


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_every_page_form_carries_a_csrf_token(app, client, users):
    sign_in(client, users["admin"])
    for path in (
        "/account/tokens",
        "/admin/users",
        "/submissions/new/definition",
        "/submissions/new/standard",
        "/submissions/new/file",
        "/",
    ):
        page = client.get(path).text
        posts = page.count('method="post"')
        assert posts and page.count('name="csrf_token"') >= posts, path
    anonymous = client.application.test_client()
    for path in ("/sign-in", "/reset-password"):
        assert 'name="csrf_token"' in anonymous.get(path).text
    assert anonymous.post("/sign-in", data={"email": "a@b.c", "password": "x"}).status_code == 400


def test_openapi_documents_the_submission_endpoints_and_bearer_tokens(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/submissions", "post"),
        ("/api/v1/submissions", "get"),
        ("/api/v1/submissions/{submission_id}/approve", "post"),
        ("/api/v1/submissions/{submission_id}/reject", "post"),
    ):
        operation = paths[path][method]
        assert operation["security"] == [{"bearerAuth": []}], (path, method)
    assert "requestBody" in paths["/api/v1/submissions"]["post"]
    assert "422" in paths["/api/v1/submissions"]["post"]["responses"]


def _token_updates(engine) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_last_used_is_written_at_most_once_a_minute_per_token(app, session, client, users,
                                                              monkeypatch):
    from datetime import timedelta

    from app.extensions import db
    from registry.services import tokens

    first, second = bearer(session, users["ieee"]), bearer(session, users["panel"])
    updates = _token_updates(db.engine)
    for _ in range(5):
        for headers in (first, second):
            assert client.get("/api/v1/submissions", headers=headers).status_code == 200
    assert len(updates) == 2  # one per token, not one per request
    session.expire_all()
    used = {t.id: t.last_used_at for t in session.scalars(select(ApiToken))}
    assert all(used.values())
    later = tokens.utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(tokens, "utcnow", lambda: later)
    assert client.get("/api/v1/submissions", headers=first).status_code == 200
    assert len(updates) == 3
    session.expire_all()
    assert sorted(t.last_used_at for t in session.scalars(select(ApiToken)))[-1] == later


def _hold_the_token_rows(engine, token_ids):
    """Another connection holding a write lock: on SQLite the whole database, on PostgreSQL
    the token rows."""
    from sqlalchemy import text

    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.execute(text("SELECT id FROM api_tokens WHERE id = ANY(:ids) FOR UPDATE"),
                     {"ids": list(token_ids)})
    return conn


def test_a_token_read_succeeds_while_its_last_used_time_cannot_be_written(
        app, session, client, users, caplog):
    """A token GET failed (503) while the database was locked or read-only, because it wrote
    the token's last-used time in the request. Now the write is best effort."""
    from app.extensions import db

    headers = bearer(session, users["ieee"])
    token_id = session.scalar(select(ApiToken.id))
    session.commit()
    blocker = _hold_the_token_rows(db.engine, [token_id])
    try:
        response = client.get("/api/v1/submissions", headers=headers)
        assert response.status_code == 200
        assert "not recorded" in caplog.text
        # A write the database refuses is not retried on every request.
        caplog.clear()
        assert client.get("/api/v1/submissions", headers=headers).status_code == 200
        assert "not recorded" not in caplog.text
    finally:
        blocker.rollback()
        blocker.close()
    session.expire_all()
    assert session.get(ApiToken, token_id).last_used_at is None  # dropped, not queued forever
    # Writes on the engine work again afterwards: the failed connection was not kept.
    assert client.post("/api/v1/submissions", headers=headers, json={
        "kind": "definition", "record": ieee_definition()}).status_code == 201
