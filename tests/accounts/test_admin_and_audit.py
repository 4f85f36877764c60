"""Administration of users, and the audit trail: entry histories and the activity log."""

import logging
import re
from datetime import timedelta

from sqlalchemy import select, update

from registry.clock import utcnow
from registry.models import Revision, Standard, User
from tests import factories as f
from tests.accounts.conftest import bearer, ieee_definition
from tests.auth import sign_in


def test_admin_creates_and_invites_a_user_who_sets_a_password(app, session, client, users, caplog):
    sign_in(client, users["admin"])
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/admin/users",
            data={
                "email": "New.Person@ieee.example.org",
                "name": "New Person",
                "role": "submitter",
                "body": "IEEE",
            },
        )
    assert response.status_code == 303
    user = session.scalar(select(User).where(User.email == "new.person@ieee.example.org"))
    assert user.role == "submitter" and user.body.code == "IEEE" and user.password_hash is None
    link = re.findall(r"http://\S+/password/invite/\S+", caplog.text)[-1]
    path = link.split("127.0.0.1:5000", 1)[1]
    anonymous = app.test_client()
    password = "my-own-secret-password"
    assert anonymous.post(path, data={"password": password, "confirm": password}).status_code == 302
    assert (
        anonymous.post("/sign-in", data={"email": user.email, "password": password}).status_code
        == 302
    )
    # The invitation works once.
    assert anonymous.get(path).status_code == 400

    refused = client.post("/admin/users", data={"email": "x@example.org", "role": "submitter"})
    assert refused.status_code == 400 and "belongs to one body" in refused.text
    duplicate = client.post("/admin/users", data={"email": user.email, "role": "panel"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.text


def test_admin_sets_role_body_and_deactivates_with_an_audit_row(app, session, client, users):
    target = users["iso"]
    sign_in(client, users["admin"])
    response = client.post(
        f"/admin/users/{target.id}",
        data={"role": "submitter", "body": "IEEE", "active": "1", "name": "Moved"},
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, target.id).body.code == "IEEE"
    client.post(f"/admin/users/{target.id}", data={"role": "panel", "body": "", "active": "0"})
    session.expire_all()
    moved = session.get(User, target.id)
    assert moved.role == "panel" and moved.body is None and not moved.active
    rows = session.scalars(
        select(Revision).where(
            Revision.entity == "users", Revision.entity_id == target.id, Revision.action == "update"
        )
    ).all()
    assert [r.after["active"] for r in rows] == [True, False]
    assert rows[0].before["body"] == "ISO" and rows[0].after["body"] == "IEEE"
    assert all(r.actor_id == users["admin"].id and r.path == "web" for r in rows)
    # An admin cannot lock itself out.
    me = client.post(f"/admin/users/{users['admin'].id}", data={"role": "panel", "active": "1"})
    assert me.status_code == 400 and "your own account" in me.text
    assert client.post("/admin/users/98765", data={"role": "panel"}).status_code == 404


def test_standard_history_records_who_what_and_path(app, session, client, users):
    f.load(
        session,
        f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None, title="First title"),
        path="import",
    )
    std = session.scalar(select(Standard))
    headers, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    record = {
        "reference": "IEEE 7001-2021",
        "title": "Second title",
        "bodies": ["IEEE"],
        "type": "IS",
        "status": "published",
        "published": "2023-01-15",
    }
    sid = client.post(
        "/api/v1/submissions", headers=headers, json={"kind": "standard_change", "record": record}
    ).json["id"]
    client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    rows = session.scalars(
        select(Revision)
        .where(Revision.entity == "standards", Revision.entity_id == std.id)
        .order_by(Revision.id)
    ).all()
    assert [(r.action, r.path) for r in rows] == [("create", "import"), ("update", "review")]
    assert rows[1].before["title"] == "First title" and rows[1].after["title"] == "Second title"
    page = client.get(f"/standards/{std.id}").text
    history = page[page.index('id="history-h"') :]
    assert "<del>First title</del>" in history and "<ins>Second title</ins>" in history
    assert users["panel"].public_name in history and "import" in history
    assert users["panel"].email not in history  # people are shown by name and role


def test_activity_log_filters_and_pages(app, session, client, users):
    ieee, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    for n in range(3):
        sid = client.post(
            "/api/v1/submissions",
            headers=ieee,
            json={"kind": "definition", "record": ieee_definition(f"text {n}", clause=str(n))},
        ).json["id"]
        client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    old = session.scalar(select(Revision).where(Revision.entity == "users").limit(1))
    session.execute(
        update(Revision).where(Revision.id == old.id).values(at=utcnow() - timedelta(days=40))
    )
    session.commit()

    sign_in(client, users["admin"])
    everything = client.get("/admin/activity").text
    assert "definitions" in everything and "submissions" in everything

    def count(**args) -> int:
        text = client.get("/admin/activity", query_string=args).text
        return int(re.search(r'class="result-count">(\d+) change', text).group(1))

    total = session.query(Revision).count()
    assert count() == total
    assert count(path="review") == session.query(Revision).filter_by(path="review").count() > 0
    assert count(entity="definitions") == 3
    assert count(user=users["panel"].id, entity="definitions") == 3
    assert count(user=users["ieee"].id, path="api") == 3  # three submissions made
    recent = (utcnow() - timedelta(days=1)).date().isoformat()
    assert count(since=recent) == total - 1
    assert count(until=(utcnow() - timedelta(days=30)).date().isoformat()) == 1
    paged = client.get("/admin/activity", query_string={"per_page": 2, "page": 2}).text
    assert "Page 2 of" in paged
    assert client.get("/admin/activity?path=nowhere").status_code == 400
    assert client.get("/admin/activity?since=2026-02-01&until=2026-01-01").status_code == 400
    sign_in(client, users["panel"])
    assert client.get("/admin/activity").status_code == 403


def test_a_revised_definition_keeps_what_it_said_before(app, session, client, users):
    f.load(session, f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None))
    ieee, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    for text in ("first wording", "second wording"):
        sid = client.post(
            "/api/v1/submissions",
            headers=ieee,
            json={"kind": "definition", "record": ieee_definition(text)},
        ).json["id"]
        assert client.post(f"/api/v1/submissions/{sid}/approve", headers=panel).status_code == 200
    revise = session.scalar(select(Revision).where(Revision.action == "revise"))
    assert revise.before["text"] == "first wording" and revise.after["text"] == "second wording"
    assert revise.path == "review" and revise.actor_id == users["panel"].id
    page = client.get("/glossary/transparency").text
    history = page[page.index('id="history-h"') :]
    assert "<del>first wording</del>" in history and "<ins>second wording</ins>" in history
