"""Threads: post, reply (one level), sanitized Markdown, edit window, flags, hiding."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.models import Post, PostFlag, Revision
from registry.services import debate
from tests.auth import sign_in


def _post(session, user, entries, kind="standard", body="A view.", parent=None):
    post = debate.create_post(session, user, kind, entries[kind].id, body, parent_id=parent)
    session.commit()
    return post


def test_post_and_reply_show_role_and_body(client, session, entries, users):
    standard = entries["standard"]
    users["ieee"].name = "Ieee Liaison"
    users["panel"].name = "Pat Panel"
    session.commit()
    sign_in(client, users["ieee"])
    response = client.post(
        f"/discuss/standard/{standard.id}", data={"body": "IEEE's position: **support**."}
    )
    post = session.scalar(select(Post))
    assert response.status_code == 302
    assert response.location.endswith(f"/standards/{standard.id}#post-{post.id}")
    assert (post.author_role, post.author_body) == ("submitter", "IEEE")
    sign_in(client, users["panel"])
    client.post(
        f"/discuss/standard/{standard.id}", data={"body": "A personal view.", "parent": post.id}
    )
    page = client.get(f"/standards/{standard.id}").get_data(as_text=True)
    assert "Standards body: IEEE" in page and "Ieee Liaison" in page
    assert "Panel member" in page and "Pat Panel" in page
    assert "<strong>support</strong>" in page
    reply = session.scalar(select(Post).where(Post.parent_id.is_not(None)))
    assert reply.parent_id == post.id


def test_replies_nest_one_level_only(session, entries, users):
    top = _post(session, users["panel"], entries)
    reply = _post(session, users["admin"], entries, parent=top.id)
    deeper = _post(session, users["iso"], entries, parent=reply.id)
    assert deeper.parent_id == top.id
    [only] = debate.thread(session, "standard", entries["standard"].id)
    assert [r.id for r in only.replies] == [reply.id, deeper.id]


def test_reply_must_be_in_the_same_thread(session, entries, users):
    other = _post(session, users["panel"], entries, kind="concept")
    with pytest.raises(debate.DebateError, match="not in this thread"):
        debate.create_post(
            session,
            users["panel"],
            "standard",
            entries["standard"].id,
            "Hi there",
            parent_id=other.id,
        )


def test_markdown_is_sanitized(client, session, entries, users):
    sign_in(client, users["panel"])
    evil = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> *fine*"
    client.post(f"/discuss/concept/{entries['concept'].id}", data={"body": evil})
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
    assert "<img src=x" not in page and "<em>fine</em>" in page


def test_empty_or_overlong_post_is_refused_and_the_draft_kept(client, session, entries, users):
    sign_in(client, users["panel"])
    response = client.post(f"/discuss/area/{entries['area'].id}", data={"body": "   "})
    assert response.status_code == 400 and "The post is empty." in response.text
    long = "x" * 20_001
    response = client.post(f"/discuss/area/{entries['area'].id}", data={"body": long})
    assert response.status_code == 400 and long in response.text
    assert session.scalar(select(func.count(Post.id))) == 0


def test_threads_on_every_kind_and_unknown_targets(client, session, entries, users):
    sign_in(client, users["panel"])
    for kind in ("standard", "concept", "definition", "area"):
        target = entries[kind]
        assert (
            client.post(f"/discuss/{kind}/{target.id}", data={"body": f"on {kind}"}).status_code
            == 302
        )
        page = client.get(f"/discuss/{kind}/{target.id}").get_data(as_text=True)
        assert f"on {kind}" in page
    assert client.get("/discuss/standard/99999").status_code == 404
    assert client.get("/discuss/spaceship/1").status_code == 404
    assert client.post("/discuss/standard/99999", data={"body": "x"}).status_code == 404


def test_author_edits_within_the_window_only(app, client, session, entries, users):
    post = _post(session, users["ieee"], entries, body="Frist")
    sign_in(client, users["ieee"])
    assert client.post(f"/posts/{post.id}/edit", data={"body": "First"}).status_code == 302
    session.refresh(post)
    assert post.body == "First" and post.edited_at is not None
    edits = session.scalars(
        select(Revision).where(Revision.entity == "posts", Revision.action == "edit")
    ).all()
    assert [(e.before["body"], e.after["body"]) for e in edits] == [("Frist", "First")]
    # Past the window the author cannot edit any more.
    post.created_at -= timedelta(minutes=app.config["POST_EDIT_WINDOW_MINUTES"] + 1)
    session.commit()
    response = client.post(f"/posts/{post.id}/edit", data={"body": "Rewritten history"})
    assert response.status_code == 403 and "30 minutes" in response.text
    session.refresh(post)
    assert post.body == "First"


@pytest.mark.parametrize("app", [{"POST_EDIT_WINDOW_MINUTES": 0}], indirect=True)
def test_the_window_is_configurable(app, client, session, entries, users):
    post = _post(session, users["ieee"], entries)
    post.created_at -= timedelta(seconds=5)
    session.commit()
    sign_in(client, users["ieee"])
    assert client.post(f"/posts/{post.id}/edit", data={"body": "late"}).status_code == 403


def test_only_the_author_edits(client, session, entries, users):
    post = _post(session, users["ieee"], entries)
    for role in ("iso", "panel", "admin"):
        sign_in(client, users[role])
        assert client.post(f"/posts/{post.id}/edit", data={"body": "x"}).status_code == 403
    session.refresh(post)
    assert post.body == "A view."


def test_flags_once_per_user_and_the_moderation_queue(client, session, entries, users):
    post = _post(session, users["ieee"], entries)
    sign_in(client, users["iso"])
    assert client.post(f"/posts/{post.id}/flag", data={"reason": "Off topic"}).status_code == 302
    client.post(f"/posts/{post.id}/flag", data={"reason": "Off topic again"})
    assert session.scalar(select(func.count(PostFlag.id))) == 1
    assert client.post(f"/posts/{post.id}/flag", data={"reason": ""}).status_code == 400
    assert client.get("/moderation/flags").status_code == 403
    sign_in(client, users["panel"])
    queue = client.get("/moderation/flags").get_data(as_text=True)
    assert "Off topic" in queue and "1 flag" in queue


def test_panel_hides_with_a_visible_reason(client, session, entries, users):
    post = _post(session, users["ieee"], entries, body="Something abusive")
    sign_in(client, users["panel"])
    assert client.post(f"/posts/{post.id}/hide", data={"reason": ""}).status_code == 400
    assert (
        client.post(f"/posts/{post.id}/hide", data={"reason": "Personal attack"}).status_code == 302
    )
    # The public sees the reason, never the text.
    client.get("/")  # any request; then sign out by using a fresh client
    anonymous = client.application.test_client()
    page = anonymous.get(f"/standards/{entries['standard'].id}").get_data(as_text=True)
    assert "Hidden by the panel" in page and "Personal attack" in page
    assert "Something abusive" not in page
    api = anonymous.get(f"/api/v1/threads/standard/{entries['standard'].id}").json
    assert api["posts"][0]["body"] is None and api["posts"][0]["hidden_reason"] == "Personal attack"
    # The panel can still read it, and show it again.
    assert "Something abusive" in client.get(f"/standards/{entries['standard'].id}").get_data(
        as_text=True
    )
    # A hidden post cannot be edited by its author.
    sign_in(client, users["ieee"])
    assert client.post(f"/posts/{post.id}/edit", data={"body": "x"}).status_code == 403
    sign_in(client, users["panel"])
    client.post(f"/posts/{post.id}/unhide")
    session.refresh(post)
    assert not post.hidden
    actions = session.scalars(
        select(Revision.action).where(Revision.entity == "posts").order_by(Revision.id)
    ).all()
    assert actions == ["create", "hide", "unhide"]


def test_api_thread_post_reply_edit_flag_hide(client, session, entries, users):
    concept = entries["concept"]
    sign_in(client, users["ieee"])
    created = client.post(
        f"/api/v1/threads/concept/{concept.id}/posts", json={"body": "Official IEEE view"}
    )
    assert created.status_code == 201 and created.json["official"] is True
    post_id = created.json["id"]
    reply = client.post(
        f"/api/v1/threads/concept/{concept.id}/posts", json={"body": "And more", "parent": post_id}
    )
    assert reply.json["parent"] == post_id
    edited = client.patch(f"/api/v1/posts/{post_id}", json={"body": "Official IEEE view."})
    assert edited.status_code == 200 and edited.json["edited_at"]
    assert (
        client.post(f"/api/v1/threads/concept/{concept.id}/posts", json={"body": ""}).status_code
        == 400
    )
    assert client.post(f"/api/v1/posts/{post_id}/hide", json={"reason": "nope"}).status_code == 403
    sign_in(client, users["panel"])
    assert client.post(f"/api/v1/posts/{post_id}/flag", json={"reason": "check"}).status_code == 200
    hidden = client.post(f"/api/v1/posts/{post_id}/hide", json={"reason": "Spam link"})
    assert hidden.json["hidden"] is True and hidden.json["body"] is None
    thread = client.get(f"/api/v1/threads/concept/{concept.id}").json
    assert thread["label"] == "fairness"
    assert [p["id"] for p in thread["posts"]] == [post_id]
    assert thread["posts"][0]["replies"][0]["body"] == "And more"
