"""Link rules, and the panel's link pages guarded by the policy."""

import pytest
from sqlalchemy import select

from registry.models import Definition, DefinitionLink, Revision
from registry.policy import OPERATOR
from registry.services import links
from tests.auth import make_user, sign_in


def _current(session, body, language="en"):
    return session.scalar(
        select(Definition)
        .join(Definition.body)
        .where(
            Definition.status == "current",
            Definition.language == language,
            Definition.body.has(code=body),
        )
    )


def test_no_self_link_no_duplicate_either_way(glossary):
    nist, oecd = _current(glossary, "NIST"), _current(glossary, "OECD")
    with pytest.raises(links.LinkError, match="itself"):
        links.create_link(
            glossary,
            OPERATOR,
            source_id=nist.id,
            target_id=nist.id,
            type="exact",
            rationale="x",
        )
    links.create_link(
        glossary,
        OPERATOR,
        source_id=nist.id,
        target_id=oecd.id,
        type="broader",
        rationale="x",
    )
    with pytest.raises(links.LinkError, match="already linked"):
        links.create_link(
            glossary,
            OPERATOR,
            source_id=oecd.id,
            target_id=nist.id,
            type="narrower",
            rationale="y",
        )
    with pytest.raises(links.LinkError, match="rationale"):
        links.create_link(
            glossary,
            OPERATOR,
            source_id=nist.id,
            target_id=_current(glossary, "EU").id,
            type="close",
            rationale="  ",
        )


def test_superseded_definitions_cannot_be_linked(glossary):
    old = glossary.scalar(select(Definition).where(Definition.status == "superseded"))
    with pytest.raises(links.LinkError, match="current"):
        links.create_link(
            glossary,
            OPERATOR,
            source_id=old.id,
            target_id=_current(glossary, "OECD").id,
            type="close",
            rationale="x",
        )


def test_links_read_from_both_ends_with_the_inverse_type(glossary):
    nist, oecd = _current(glossary, "NIST"), _current(glossary, "OECD")
    link = links.create_link(
        glossary,
        OPERATOR,
        source_id=nist.id,
        target_id=oecd.id,
        type="broader",
        rationale="x",
    )
    from_nist = links.views_from([link], {nist.id})
    from_oecd = links.views_from([link], {oecd.id})
    assert (from_nist[0].type, from_nist[0].there.id) == ("broader", oecd.id)
    assert (from_oecd[0].type, from_oecd[0].there.id) == ("narrower", nist.id)


def test_panel_proposes_and_reviews_a_link_through_the_pages(client, glossary):
    nist, eu = _current(glossary, "NIST"), _current(glossary, "EU")
    panel = make_user(glossary, "panel")
    sign_in(client, panel)
    response = client.post(
        "/glossary/links",
        data={
            "source": nist.id,
            "target": eu.id,
            "type": "conflicting",
            "rationale": "NIST speaks of <bias>, the AI Act of discrimination",
        },
    )
    assert response.status_code == 302
    link = glossary.scalar(select(DefinitionLink))
    assert (link.type, link.state, link.author_id) == ("conflicting", "proposed", panel.id)
    # Shown on the concept page, escaped, with the review buttons for the panel.
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert "NIST speaks of &lt;bias&gt;" in page
    assert f'action="/glossary/links/{link.id}/review"' in page
    assert (
        client.post(f"/glossary/links/{link.id}/review", data={"state": "accepted"}).status_code
        == 302
    )
    glossary.expire_all()
    assert glossary.get(DefinitionLink, link.id).state == "accepted"
    actions = glossary.scalars(
        select(Revision.action).where(Revision.entity == "definition_links")
    ).all()
    assert actions == ["create", "review"]


def test_a_second_link_is_a_400_with_the_reason(client, glossary):
    nist, oecd = _current(glossary, "NIST"), _current(glossary, "OECD")
    sign_in(client, make_user(glossary, "panel"))
    form = {"source": nist.id, "target": oecd.id, "type": "exact", "rationale": "same"}
    assert client.post("/glossary/links", data=form).status_code == 302
    again = client.post("/glossary/links", data={**form, "source": oecd.id, "target": nist.id})
    assert again.status_code == 400 and b"already linked" in again.data
    bad = client.post("/glossary/links", data={**form, "type": "identical"})
    assert bad.status_code == 400 and b"type" in bad.data


@pytest.mark.parametrize("role", [None, "submitter"])
def test_only_the_panel_may_link_or_review(client, glossary, role):
    nist, oecd = _current(glossary, "NIST"), _current(glossary, "OECD")
    link = links.create_link(
        glossary, OPERATOR, source_id=nist.id, target_id=oecd.id, type="close", rationale="x"
    )
    glossary.commit()
    if role:
        sign_in(client, make_user(glossary, role, body="NIST"))
    expected = 403 if role else 401
    assert (
        client.post(
            "/glossary/links",
            data={
                "source": nist.id,
                "target": _current(glossary, "EU").id,
                "type": "close",
                "rationale": "x",
            },
        ).status_code
        == expected
    )
    assert (
        client.post(f"/glossary/links/{link.id}/review", data={"state": "accepted"}).status_code
        == expected
    )
    listing = client.get("/glossary/suggested-links")
    if role:
        assert listing.status_code == 403
    else:  # an anonymous visitor is sent to sign in
        assert listing.status_code == 302 and "sign-in" in listing.headers["Location"]
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert "Propose link" not in page and "/review" not in page
