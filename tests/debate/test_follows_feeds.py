"""Follow an entry, see what changed since the last visit, and read it as Atom or JSON."""

import re
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from registry.models import Follow
from registry.services import debate, evaluations
from tests import factories as f
from tests.auth import sign_in
from tests.debate.conftest import scores

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def assert_valid_atom(data: bytes) -> etree._Element:
    """The MUSTs of RFC 4287 that a feed of ours could break, checked on the parsed XML."""
    root = etree.fromstring(data)
    assert root.tag == A + "feed"

    def one(parent, name):
        found = parent.findall(A + name)
        assert len(found) == 1, f"{parent.tag} must have exactly one atom:{name}"
        return found[0]

    def is_iri(text):
        return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", text or ""))

    assert is_iri(one(root, "id").text)
    assert one(root, "title").text
    assert RFC3339.match(one(root, "updated").text)
    feed_author = root.findall(A + "author")
    for author in feed_author:
        assert one(author, "name").text
    links = root.findall(A + "link")
    assert any(link.get("rel") == "self" for link in links)
    assert len([x for x in links if x.get("rel", "alternate") == "alternate"]) <= 1
    ids = set()
    for entry in root.findall(A + "entry"):
        entry_id = one(entry, "id").text
        assert is_iri(entry_id) and entry_id not in ids
        ids.add(entry_id)
        assert one(entry, "title").text
        assert RFC3339.match(one(entry, "updated").text)
        assert feed_author or entry.findall(A + "author"), "every entry needs an author"
        content = entry.findall(A + "content")
        alternates = [
            x for x in entry.findall(A + "link") if x.get("rel", "alternate") == "alternate"
        ]
        assert content or alternates
        assert not content or content[0].get("type") in ("text", "html", "xhtml")
        if not content:
            one(entry, "summary")
        for link in entry.findall(A + "link"):
            assert link.get("href", "").startswith("http")
    return root


def test_follow_then_see_what_changed_since_the_last_visit(client, session, entries, users):
    concept = entries["concept"]
    sign_in(client, users["panel"])
    response = client.post(f"/follow/concept/{concept.id}")
    assert response.status_code == 302 and response.location.endswith("/glossary/fairness")
    client.post(f"/follow/concept/{concept.id}")  # idempotent
    assert len(session.scalars(select(Follow)).all()) == 1
    page = client.get("/followed").get_data(as_text=True)
    assert "Nothing changed." in page
    # A body revises its definition and someone posts about the concept.
    f.load(session, f.definition("a property of being fair, revised"))
    debate.create_post(session, users["iso"], "concept", concept.id, "ISO disagrees.")
    session.commit()
    page = client.get("/followed").get_data(as_text=True)
    assert "Definition of fairness by NIST revised" in page
    assert "Post by" in page and "Standards body: ISO" in page
    # The visit is remembered: nothing new the next time.
    assert "Nothing changed." in client.get("/followed").get_data(as_text=True)
    client.post(f"/unfollow/concept/{concept.id}")
    assert session.scalars(select(Follow)).all() == []


def test_follow_refuses_what_cannot_be_followed(client, entries, users):
    sign_in(client, users["panel"])
    assert client.post(f"/follow/definition/{entries['definition'].id}").status_code == 404
    assert client.post("/follow/standard/99999").status_code == 404


def test_follow_button_shows_on_entry_pages(client, session, entries, users):
    url = f"/standards/{entries['standard'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Atom feed of changes" in page and ">Follow<" not in page  # anonymous: feed only
    sign_in(client, users["ieee"])
    assert ">Follow</button>" in client.get(url).get_data(as_text=True)
    client.post(f"/follow/standard/{entries['standard'].id}")
    assert "Unfollow" in client.get(url).get_data(as_text=True)


def test_standard_feed_is_valid_atom_and_never_leaks_hidden_text(client, session, entries, users):
    standard = entries["standard"]
    post = debate.create_post(
        session, users["ieee"], "standard", standard.id, "Secret <b>words</b> & more"
    )
    debate.hide_post(session, users["panel"], post, "Off topic")
    evaluations.write(session, users["panel"], standard, scores(2), "Thoughtful")
    session.commit()
    response = client.get(f"/feeds/standards/{standard.id}.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = assert_valid_atom(response.data)
    titles = [e.findtext(A + "title") for e in root.findall(A + "entry")]
    assert any(t.startswith("Evaluation of ISO/IEC 22989:2022") for t in titles)
    assert "Standard ISO/IEC 22989:2022 added" in titles
    assert b"Secret" not in response.data and b"Off topic" in response.data
    assert root.findtext(A + "title").startswith("ISO/IEC 22989:2022")


def test_concept_and_area_feeds_are_valid_atom(client, session, entries, users):
    debate.create_post(
        session, users["panel"], "area", entries["area"].id, "Energy use is *unmeasured*"
    )
    session.commit()
    concept = assert_valid_atom(client.get("/feeds/concepts/fairness.atom").data)
    assert concept.findall(A + "entry")
    area = client.get("/feeds/areas/fairness.atom")
    root = assert_valid_atom(area.data)
    titles = [e.findtext(A + "title") for e in root.findall(A + "entry")]
    # The area's feed carries its standards and its own discussion.
    assert "Standard IEEE 7001-2021 added" in titles
    assert any(t.startswith("Post by") for t in titles)
    content = root.find(f"{A}entry/{A}content")
    assert content is not None and "<em>unmeasured</em>" in content.text
    assert client.get("/feeds/areas/nowhere.atom").status_code == 404
    assert client.get("/feeds/standards/abc.atom").status_code == 404


def test_feed_as_json_with_since(client, session, entries, users):
    standard = entries["standard"]
    everything = client.get(f"/api/v1/feeds/standards/{standard.id}").json
    assert everything["title"] == "ISO/IEC 22989:2022" and everything["items"]
    last = everything["items"][0]["at"]
    debate.create_post(session, users["panel"], "standard", standard.id, "New")
    session.commit()
    since = client.get(f"/api/v1/feeds/standards/{standard.id}", query_string={"since": last}).json
    assert [i["title"].split(" by ")[0] for i in since["items"]] == ["Post"]
    assert "#post-" in since["items"][0]["url"]
    assert (
        client.get(
            f"/api/v1/feeds/standards/{standard.id}", query_string={"since": "yesterday"}
        ).status_code
        == 400
    )
    assert datetime.fromisoformat(last)


def test_api_follows(client, session, entries, users):
    assert client.get("/api/v1/follows").status_code == 401
    sign_in(client, users["iso"])
    created = client.post("/api/v1/follows", json={"kind": "area", "id": entries["area"].id})
    assert created.status_code == 201 and created.json["kind"] == "area"
    assert client.post("/api/v1/follows", json={"kind": "link", "id": 1}).status_code == 400
    assert [f["id"] for f in client.get("/api/v1/follows").json] == [entries["area"].id]
    assert client.delete(f"/api/v1/follows/area/{entries['area'].id}").status_code == 204
    assert client.delete(f"/api/v1/follows/area/{entries['area'].id}").status_code == 404


def test_area_page_carries_thread_and_follow_and_its_feed_the_annotations(
    client, session, entries, users
):
    from registry.services import annotations

    area = entries["area"]
    annotations.create(
        session,
        area,
        {"status": "confirmed", "severity": "high", "text": "No metric yet"},
        users["panel"],
    )
    debate.create_post(session, users["iso"], "area", area.id, "ISO is drafting one.")
    session.commit()
    sign_in(client, users["ieee"])
    page = client.get("/areas/fairness").get_data(as_text=True)
    assert "ISO is drafting one." in page and "Standards body: ISO" in page
    assert ">Follow</button>" in page and "/feeds/areas/fairness.atom" in page
    assert client.post(f"/follow/area/{area.id}").location.endswith("/areas/fairness")
    root = assert_valid_atom(client.get("/feeds/areas/fairness.atom").data)
    titles = [e.findtext(A + "title") for e in root.findall(A + "entry")]
    assert "Panel annotation on Fairness added: confirmed, high" in titles
