"""People appear in public by display name and role, never by e-mail address (pages, API, feeds,
history); the person and the admins see the address; everyone sets their own display name."""

import pytest
from sqlalchemy import select

from registry.models import Area, Definition, Standard
from registry.policy import Forbidden
from registry.services import annotations, debate, links
from registry.services import users as user_service
from tests import factories as f
from tests.auth import sign_in


def _public_content(session, users):
    """A post, an annotation, a link and a reviewed submission's history, by people whose
    addresses must not leak."""
    f.load(session, f.area("fairness"), f.standard("ISO/IEC 24027:2021", areas=["fairness"]),
           f.concept("fairness"),
           f.definition("first text", body="ISO", source="ISO/IEC TR 24027:2021", clause="3.1"),
           f.definition("second text", body="IEEE", source="IEEE 7003-2024", clause="3.2"))
    standard = session.scalar(select(Standard))
    area = session.scalar(select(Area))
    debate.create_post(session, users["ieee"], "standard", standard.id, "We read it too.")
    annotations.create(session, area, {"text": "Needs a measurement standard.", "status": "open",
                                       "severity": "high", "addressed_to": []}, users["panel"])
    session.commit()
    first, second = session.scalars(select(Definition.id).order_by(Definition.id)).all()
    links.create_link(session, users["panel"], source_id=first, target_id=second, type="close",
                      rationale="Both speak of unwanted bias.")
    return standard, area


def test_anonymous_visitors_see_names_and_roles_never_addresses(app, client, session, users):
    users["panel"].name = "A. Member"
    session.commit()
    standard, area = _public_content(session, users)
    pages = [f"/standards/{standard.id}", f"/areas/{area.slug}", "/glossary/fairness",
             f"/feeds/standards/{standard.id}.atom", f"/feeds/areas/{area.slug}.atom",
             f"/api/v1/threads/standard/{standard.id}", f"/api/v1/areas/{area.slug}",
             "/api/v1/links", f"/api/v1/feeds/standards/{standard.id}"]
    seen = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.text
        assert "@example.org" not in response.text, f"an e-mail address on {url}"
    assert "A. Member, panel member" in seen[f"/areas/{area.slug}"]  # the annotation's author
    assert "Standards body IEEE #" in seen[f"/api/v1/threads/standard/{standard.id}"]


def test_a_person_sets_their_display_name_and_sees_their_own_address(client, session, users):
    panel = users["panel"]
    sign_in(client, panel)
    page = client.get("/account").text
    assert panel.email in page and "Panel member #" in page
    saved = client.post("/account", data={"name": "  Ana   Silva "})
    assert saved.status_code == 302
    session.refresh(panel)
    assert panel.name == "Ana Silva" and panel.public_name == "Ana Silva, panel member"
    refused = client.post("/account", data={"name": "   "})
    assert refused.status_code == 400 and "cannot be empty" in refused.text
    session.refresh(panel)
    assert panel.name == "Ana Silva"


def test_nobody_renames_someone_else_through_the_core(session, users):
    with pytest.raises(Forbidden):
        user_service.rename(session, users["ieee"], users["panel"], "Someone else")
    assert users["panel"].name != "Someone else"
