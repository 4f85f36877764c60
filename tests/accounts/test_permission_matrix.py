"""The permission matrix, generated from the app's URL map so no route can be forgotten.

Every rule that accepts a method other than GET/HEAD/OPTIONS is a write route and must carry
``@guarded`` (which sets ``view_func.policy_action``), unless it is one of the few public
account routes listed below with the reason. For each guarded route and method:

* anonymous: 401; except GET of a page (not /api/), which redirects to the sign-in page;
* every role the policy refuses for that action: 403;
* every role the policy admits: neither 401 nor 403 (the dummy ids give 404 or 400, fine);
* an API token with the read scope, on a write: 403.

Routes added by other parts of the registry are covered as soon as they are registered.
"""

import pytest

from registry import policy
from tests.accounts.conftest import bearer
from tests.auth import sign_in
from tests.routes import PUBLIC_WRITES, SAFE, guarded_routes

ROLES = ("admin", "panel", "ieee", "iso")


def _call(client, method: str, url: str, headers=None):
    return client.open(url, method=method, headers=headers or {}, data={})


def test_every_write_route_is_guarded_and_the_public_ones_still_exist(app):
    routes = guarded_routes(app)
    assert routes, "no guarded route found"
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert set(PUBLIC_WRITES) <= endpoints, "a listed public write route no longer exists"
    # The submissions API and the review pages are among them.
    assert {"submissions_api.create_submission", "web.approve_submission", "auth.token_create"} <= {
        r[0] for r in routes
    }


def test_anonymous_gets_401_or_is_sent_to_sign_in(app, client):
    for endpoint, method, url, _ in guarded_routes(app):
        response = _call(client, method, url)
        if method == "GET" and not url.startswith("/api/"):
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/sign-in?next=" in response.location, endpoint
        else:
            assert response.status_code == 401, (endpoint, method, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_says(app, session, client, users, role):
    user = users[role]
    sign_in(client, user)
    checked = 0
    for endpoint, method, url, action in guarded_routes(app):
        response = _call(client, method, url)
        if policy.can(user, action):
            assert response.status_code not in (401, 403), (
                role,
                endpoint,
                method,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (role, endpoint, method, response.status_code)
        checked += 1
    assert checked


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_get_what_the_policy_and_the_scope_say(app, session, client, users, role):
    user = users[role]
    write, read = bearer(session, user, "write"), bearer(session, user, "read")
    for endpoint, method, url, action in guarded_routes(app):
        if not url.startswith("/api/"):
            continue
        allowed = policy.can(user, action)
        with_write = _call(client, method, url, write)
        with_read = _call(client, method, url, read)
        if not allowed:
            assert with_write.status_code == 403, (role, endpoint, with_write.status_code)
            assert with_read.status_code == 403, (role, endpoint, with_read.status_code)
        elif method in SAFE:
            assert with_read.status_code not in (401, 403), (role, endpoint)
        else:
            assert with_write.status_code not in (401, 403), (role, endpoint)
            assert with_read.status_code == 403, (role, endpoint, with_read.status_code)
            assert "write scope" in with_read.json["message"]


def test_a_deactivated_users_session_and_tokens_stop_working(app, session, client, users):
    user = users["panel"]
    headers = bearer(session, user, "write")
    sign_in(client, user)
    assert client.get("/review").status_code == 200
    user.active = False
    session.commit()
    assert client.get("/review").status_code == 302
    assert client.get("/api/v1/submissions", headers=headers).status_code == 401
