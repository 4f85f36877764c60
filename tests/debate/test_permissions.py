"""Every debate route, walked from the URL map with every role: the policy decides.

A write route (any method but GET) in the debate modules without ``@guarded`` fails here, so a
new route cannot be forgotten.
"""

import pytest

from registry import policy
from registry.services import debate
from tests.auth import sign_in
from tests.debate.conftest import scores

MODULES = ("app.web.debate", "app.web.feeds", "app.api.debate")
ROLES = ("anonymous", "iso", "panel", "admin")


def _routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        module = getattr(view, "__module__", "")
        wrapped = getattr(view, "__wrapped__", None)
        module = getattr(wrapped, "__module__", module) if module.startswith("app.auth") else module
        if module not in MODULES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, getattr(view, "policy_action", None)


def test_every_write_route_is_guarded(app):
    routes = list(_routes(app))
    assert len(routes) >= 25
    unguarded = [(r.rule, m) for r, m, action in routes if m != "GET" and action is None]
    assert unguarded == []


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, client, session, entries, users, role):
    post = debate.create_post(
        session, users["ieee"], "standard", entries["standard"].id, "A post by IEEE"
    )
    session.commit()
    args = {
        "kind": "standard",
        "target_id": entries["standard"].id,
        "post_id": post.id,
        "standard_id": entries["standard"].id,
        "evaluation_id": 1,
        "key": "1",
    }
    user = None if role == "anonymous" else users[role]
    if user:
        sign_in(client, user)
    checked = 0
    for rule, method, action in _routes(app):
        if action is None:
            continue
        url = rule.build(
            {k: v for k, v in args.items() if k in rule.arguments}, append_unknown=False
        )[1]
        payload = {"body": "Edited", "reason": "A reason"}
        response = client.open(
            url,
            method=method,
            json=payload if "/api/" in url else None,
            data=None if "/api/" in url else payload,
        )
        code = response.status_code
        if user is None and method == "GET" and "/api/" not in url:
            # app.auth.guard: a guarded page sends anonymous visitors to sign in, and back.
            assert code == 302 and "/sign-in?next=" in response.location, (method, url, code)
        elif user is None:
            assert code == 401, (method, url, code)
        elif not policy.can(user, action):
            assert code == 403, (method, url, code)
        else:
            # Allowed by role: the view runs (it may still refuse this target or this input).
            assert code not in (401, 500), (method, url, code)
            if action == "post.edit":
                assert code == 403  # not the author
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "DEBATE_WRITE_RATE_LIMIT": "2 per minute"}], indirect=True
)
def test_writes_are_rate_limited(app, client, session, entries, users):
    sign_in(client, users["panel"])
    url = f"/api/v1/threads/standard/{entries['standard'].id}/posts"
    codes = [client.post(url, json={"body": f"post {n}"}).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert "Retry-After" in client.post(url, json={"body": "again"}).headers
    # Reading is not limited.
    assert client.get(f"/api/v1/threads/standard/{entries['standard'].id}").status_code == 200


def test_a_nul_in_json_is_cleaned_before_it_is_stored(client, session, entries, users):
    """PostgreSQL refuses NUL in any text: the texts of JSON bodies are cleaned before they are
    stored (the edge refuses NUL only in addresses, query strings and forms)."""
    from sqlalchemy import select

    from registry.models import Post

    sign_in(client, users["panel"])
    standard = entries["standard"].id
    url = f"/api/v1/threads/standard/{standard}/posts"
    assert client.post(url, json={"body": "before\x00after"}).status_code == 201
    assert session.scalar(select(Post.body).order_by(Post.id.desc())) == "beforeafter"
    evaluation = client.put(f"/api/v1/standards/{standard}/evaluations/mine",
                            json={"scores": scores(2, "Justified \x00 at length."),
                                  "summary": "nul\x00here"})
    assert evaluation.status_code == 200, evaluation.json
    assert "\x00" not in evaluation.get_data(as_text=True)


def test_api_writes_with_tokens_follow_their_scope(client, session, entries, users):
    from tests.accounts.conftest import bearer

    url = f"/api/v1/standards/{entries['standard'].id}/evaluations/mine"
    payload = {"scores": scores(2)}
    read = bearer(session, users["panel"], scope="read")
    assert client.put(url, json=payload, headers=read).status_code == 403
    write = bearer(session, users["panel"], scope="write")
    assert client.put(url, json=payload, headers=write).status_code == 200
    submitter = bearer(session, users["iso"], scope="write")
    assert client.put(url, json=payload, headers=submitter).status_code == 403
    post = client.post(
        f"/api/v1/threads/standard/{entries['standard'].id}/posts",
        json={"body": "Via a token"},
        headers=submitter,
    )
    assert post.status_code == 201 and post.json["author_body"] == "ISO"
