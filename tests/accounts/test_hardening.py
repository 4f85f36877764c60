"""Rate limits, security headers, and stored XSS attempts rendered as text."""

import re

import pytest
from sqlalchemy import select

from registry.models import Standard, Submission
from tests import factories as f
from tests.accounts.conftest import bearer, ieee_definition
from tests.auth import sign_in

LIMITED = {
    "RATELIMIT_ENABLED": True,
    "SIGN_IN_LIMIT": "3 per minute",
    "API_WRITE_LIMIT": "2 per minute",
}


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_sign_in_is_rate_limited_with_a_clear_page(app, client):
    codes = [
        client.post("/sign-in", data={"email": "x@example.org", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    page = client.post("/sign-in", data={"email": "x@example.org", "password": "wrong"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert "Too many requests" in page.text and "3 per 1 minute" in page.text
    assert client.get("/sign-in").status_code == 200  # reading the form is not limited


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_api_writes_are_rate_limited_per_token(app, session, client, users):
    headers = bearer(session, users["ieee"])
    payload = {"kind": "definition", "record": ieee_definition()}
    codes = [
        client.post("/api/v1/submissions", headers=headers, json=payload).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    limited = client.post("/api/v1/submissions", headers=headers, json=payload)
    assert limited.json["code"] == 429 and "Too many requests" in limited.json["message"]
    assert client.get("/api/v1/submissions", headers=headers).status_code == 200
    other = bearer(session, users["panel"])
    assert client.post("/api/v1/submissions", headers=other, json=payload).status_code == 201


def _get_pages(app) -> list[str]:
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api")
    ]


def test_security_headers_on_every_response(app, client, users):
    sign_in(client, users["admin"])
    for path in [*_get_pages(app), "/api/v1/standards", "/no-such-page", "/api/v1/nothing"]:
        response = client.get(path)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers  # BASE_URL is http here


@pytest.mark.parametrize("app", [{"BASE_URL": "https://registry.example.org"}], indirect=True)
def test_hsts_and_secure_cookies_when_served_over_https(app, client, users):
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_pages_need_no_inline_script_the_policy_would_block(app, session, client, users):
    """Every page of the URL map, signed in as an admin: scripts only from files."""
    f.load(
        session,
        f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None),
        f.concept("fairness"),
        f.definition(),
    )
    sign_in(client, users["admin"])
    for path in [*_get_pages(app), "/standards/1", "/glossary/fairness", "/bodies/IEEE"]:
        text = client.get(path).text
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        handlers = re.findall(r"<[^>]+\son[a-z]+\s*=", text)
        assert not inline and not handlers, (path, inline, handlers)
        assert "javascript:" not in text, path


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_stored_xss_attempts_render_escaped(app, session, client, users):
    f.load(session, f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None))
    ieee = bearer(session, users["ieee"])
    record = ieee_definition(
        text=XSS,
        notes=[XSS],
        examples=[XSS],
        designations=[
            {"term": "transparency", "type": "preferred"},
            {"term": XSS, "type": "admitted"},
        ],
    )
    sid = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={"kind": "definition", "record": record, "note": XSS},
    ).json["id"]
    users["ieee"].name = XSS
    session.commit()
    sign_in(client, users["panel"])
    client.post(f"/api/v1/submissions/{sid}/approve", headers=bearer(session, users["panel"]))
    other = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={"kind": "definition", "record": ieee_definition(clause="9")},
    )
    client.post(f"/submissions/{other.json['id']}/reject", data={"reason": XSS})
    client.post("/account/tokens", data={"name": XSS, "scope": "read"})
    pages = [
        f"/submissions/{sid}",
        "/review?status=approved",
        "/glossary/transparency",
        "/account/tokens",
        f"/submissions/{other.json['id']}",
        "/admin/activity",
    ]
    sign_in(client, users["ieee"])
    pages_ieee = ["/submissions", f"/submissions/{other.json['id']}", "/"]
    for who, paths in ((users["admin"], pages), (users["ieee"], pages_ieee)):
        sign_in(client, who)
        for path in paths:
            text = client.get(path).text
            assert "<script>alert" not in text and "<img src=x" not in text, path
    sign_in(client, users["ieee"])
    assert "&lt;script&gt;alert" in client.get(f"/submissions/{other.json['id']}").text
    assert session.scalar(select(Submission).where(Submission.id == sid)).note == XSS


def test_hostile_json_answers_4xx_with_a_message_never_500(app, session, client, users):
    """Integers past int64 in follows and post parents, a lone surrogate, JSON nested 100,000
    deep: each answered 500."""
    panel = bearer(session, users["panel"])
    f.load(session, f.standard("ISO/IEC 22989:2022"))
    standard_id = session.scalar(select(Standard.id))
    huge = 2**70
    attempts = [
        ("/api/v1/follows", {"kind": "standard", "id": huge}),
        (f"/api/v1/threads/standard/{standard_id}/posts", {"body": "a reply", "parent": huge}),
        (f"/api/v1/threads/standard/{standard_id}/posts", {"body": "x", "parent": -1}),
    ]
    for url, payload in attempts:
        response = client.post(url, headers=panel, json=payload)
        assert 400 <= response.status_code < 500, (url, payload, response.status_code)
        assert response.get_json()["message"], url
    surrogate = client.post(f"/api/v1/threads/standard/{standard_id}/posts", headers={
        **panel, "Content-Type": "application/json"}, data='{"body": "half \\ud800 a pair"}')
    assert surrogate.status_code in (201, 400, 422), surrogate.status_code
    if surrogate.status_code == 201:
        assert "\ud800" not in surrogate.get_json()["body"]
    deep = client.post("/api/v1/follows", headers={**panel, "Content-Type": "application/json"},
                       data="[" * 100_000 + "]" * 100_000)
    assert deep.status_code == 400 and deep.get_json()["message"]
