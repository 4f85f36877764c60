"""Panel annotations on gaps: who may write, editing one's own, history, sanitized Markdown."""

import pytest
from lxml import html

from registry.models import Annotation
from tests import factories as f
from tests.auth import make_user, sign_in

NOTE = {"status": "confirmed", "severity": "high", "rule": "one-body",
        "text": "Only **IEEE** covers this.<script>alert(1)</script>",
        "proposed_action": "Invite ISO/IEC JTC 1/SC 42 to start a work item.",
        "addressed_to": ["ISO", "IEC"]}


@pytest.fixture
def rights(session):
    f.load(session, f.body("ISO"), f.body("IEC"), f.area("rights", kind="governance"),
           f.standard("IEEE 3-2022", bodies=["IEEE"], committee=None, published="2022-03-01",
                      areas=["rights"]))
    return "rights"


@pytest.mark.parametrize(("role", "body", "expected"), [
    (None, None, 401), ("submitter", "IEEE", 403), ("panel", None, 302), ("admin", None, 302),
])
def test_who_may_annotate_on_the_web(client, session, rights, role, body, expected):
    if role:
        sign_in(client, make_user(session, role, body=body))
    assert client.post("/areas/rights/annotations", data=NOTE).status_code == expected
    assert session.query(Annotation).count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(("role", "body", "shown"), [
    (None, None, False), ("submitter", "IEEE", False), ("panel", None, True), ("admin", None, True),
])
def test_the_annotation_form_is_open_on_the_area_page(client, session, rights, role, body, shown):
    """Nothing to unfold: the form is not inside a collapsed <details>."""
    if role:
        sign_in(client, make_user(session, role, body=body))
    page = html.fromstring(client.get("/areas/rights").data)
    forms = page.xpath('//form[@action="/areas/rights/annotations"]')
    assert len(forms) == (1 if shown else 0)
    assert not page.xpath('//details//form[@action="/areas/rights/annotations"]')


@pytest.mark.parametrize(("role", "body", "expected"), [
    (None, None, 401), ("submitter", "IEEE", 403), ("panel", None, 201), ("admin", None, 201),
])
def test_who_may_annotate_through_the_api(client, session, rights, role, body, expected):
    if role:
        sign_in(client, make_user(session, role, body=body))
    response = client.post("/api/v1/areas/rights/annotations", json=NOTE)
    assert response.status_code == expected, response.get_json()
    if expected == 201:
        assert response.get_json()["status"] == "confirmed"
        assert response.get_json()["addressed_to"] == ["IEC", "ISO"]


def test_the_public_sees_the_confirmed_gap_with_its_note_and_history(client, session, rights):
    panel = make_user(session, "panel")
    sign_in(client, panel)
    client.post("/areas/rights/annotations", data=NOTE)
    annotation = session.query(Annotation).one()
    changed = {**NOTE, "severity": "critical", "text": "Still only IEEE."}
    assert client.post(f"/annotations/{annotation.id}/edit", data=changed).status_code == 302
    anonymous = client.application.test_client()
    html = anonymous.get("/areas/rights").get_data(as_text=True)
    assert "Still only IEEE." in html and "Critical" in html
    assert "<script>alert" not in html
    assert "History of the annotations (2 changes)" in html
    assert "severity “high” → “critical”" in html
    gaps = anonymous.get("/api/v1/gaps").get_json()["items"]
    assert (gaps[0]["annotation_status"], gaps[0]["severity"]) == ("confirmed", "critical")
    api = anonymous.get("/api/v1/areas/rights").get_json()
    assert [h["action"] for h in api["history"]] == ["update", "create"]
    assert api["history"][0]["before"]["severity"] == "high"
    assert "confirmed" in anonymous.get("/gaps?status=confirmed").get_data(as_text=True)


def test_markdown_is_rendered_and_sanitized(client, session, rights):
    sign_in(client, make_user(session, "panel"))
    client.post("/areas/rights/annotations",
                data={**NOTE, "text": "**bold** [x](javascript:alert(1)) <img src=x>"})
    html = client.get("/areas/rights").get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert 'href="javascript:' not in html and "<img" not in html  # left as inert text


def test_panel_members_edit_only_their_own(client, session, rights):
    author = make_user(session, "panel", email="author@example.org")
    other = make_user(session, "panel", email="other@example.org")
    sign_in(client, author)
    client.post("/areas/rights/annotations", data=NOTE)
    annotation = session.query(Annotation).one()
    url = f"/annotations/{annotation.id}/edit"
    assert "Edit this annotation" in client.get("/areas/rights").get_data(as_text=True)
    sign_in(client, other)
    assert client.get(url).status_code == 403
    assert client.post(url, data={**NOTE, "status": "dismissed"}).status_code == 403
    assert "Edit this annotation" not in client.get("/areas/rights").get_data(as_text=True)
    sign_in(client, make_user(session, "admin"))
    assert client.post(url, data={**NOTE, "status": "dismissed"}).status_code == 302
    session.expire_all()
    assert session.get(Annotation, annotation.id).status == "dismissed"


def test_bad_annotations_are_refused_with_a_message(client, session, rights):
    sign_in(client, make_user(session, "panel"))
    for data, message in [
        ({**NOTE, "status": "addressed"}, "Say which standard addresses the gap"),
        ({**NOTE, "status": "addressed", "addressed_by": "ISO 99999"}, "no standard"),
        ({**NOTE, "severity": "apocalyptic"}, "severity"),
        ({**NOTE, "addressed_to": ["NOWHERE"]}, "Unknown body: NOWHERE"),
    ]:
        response = client.post("/areas/rights/annotations", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    api = client.post("/api/v1/areas/rights/annotations", json={**NOTE, "status": "addressed"})
    assert api.status_code == 400 and "addresses" in api.get_json()["message"]
    assert session.query(Annotation).count() == 0
    ok = client.post("/areas/rights/annotations",
                     data={**NOTE, "status": "addressed", "addressed_by": "IEEE 3-2022"})
    assert ok.status_code == 302
    assert "addressed by" in client.get("/areas/rights").get_data(as_text=True)


def test_forms_carry_csrf_tokens(client, session, rights):
    sign_in(client, make_user(session, "admin"))
    assert 'name="csrf_token"' in client.get("/areas/rights").get_data(as_text=True)
    assert 'name="csrf_token"' in client.get("/areas/rights/edit").get_data(as_text=True)
