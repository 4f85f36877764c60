"""Process metadata: validated countries (pycountry), groups, openness; who may edit it."""

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from registry.models import Revision, StandardProcess
from registry.schemas.debate import ProcessIn
from tests.auth import sign_in

FORM = {
    "countries": "KE, bra, India,\nFR",
    "stakeholder_groups": ["industry", "civil_society"],
    "text_access": "paid",
    "price": "CHF 216",
    "public_comment": "true",
    "comment_opens": "2021-03-01",
    "comment_closes": "2021-05-01",
    "source": "ISO/IEC JTC 1/SC 42 participation list",
    "note": "",
}


def test_schema_normalises_countries_and_checks_the_period():
    data = ProcessIn().load(FORM)
    assert data["countries"] == ["BR", "FR", "IN", "KE"]
    assert data["public_comment"] is True and data["note"] is None
    with pytest.raises(ValidationError) as exc:
        ProcessIn().load({**FORM, "countries": "KE, Atlantis, XX"})
    assert "Atlantis" in str(exc.value.messages) and "XX" in str(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        ProcessIn().load({**FORM, "comment_closes": "2021-01-01"})
    assert "comment_closes" in exc.value.messages
    with pytest.raises(ValidationError):
        ProcessIn().load({**FORM, "stakeholder_groups": ["lobbyists"]})
    with pytest.raises(ValidationError):
        ProcessIn().load({**FORM, "text_access": "cheap"})


def test_panel_records_process_and_the_page_shows_it(client, session, entries, users):
    standard = entries["standard"]
    sign_in(client, users["panel"])
    assert client.get(f"/standards/{standard.id}/process").status_code == 200
    response = client.post(f"/standards/{standard.id}/process", data=FORM)
    assert response.status_code == 302
    row = session.get(StandardProcess, standard.id)
    assert row.countries == ["BR", "FR", "IN", "KE"] and row.text_access == "paid"
    page = client.get(f"/standards/{standard.id}").get_data(as_text=True)
    assert 'title="Kenya">KE' in page and "civil society" in page and "CHF 216" in page
    assert "Mar 1, 2021 to May 1, 2021" in page
    # The form opens with the saved values; saving the same again writes no audit row.
    form = client.get(f"/standards/{standard.id}/process").get_data(as_text=True)
    assert "BR, FR, IN, KE" in form
    client.post(f"/standards/{standard.id}/process", data=FORM)
    assert (
        len(session.scalars(select(Revision).where(Revision.entity == "standard_processes")).all())
        == 1
    )


def test_bad_input_is_shown_again(client, session, entries, users):
    sign_in(client, users["panel"])
    response = client.post(
        f"/standards/{entries['standard'].id}/process", data={**FORM, "countries": "Narnia"}
    )
    assert response.status_code == 400 and "Narnia" in response.text
    assert session.get(StandardProcess, entries["standard"].id) is None


@pytest.mark.parametrize(
    "role, standard, status",
    [
        ("ieee", "ieee", 302),  # a submitter describes its own body's standard
        ("iso", "standard", 302),  # ISO/IEC joint: either body may
        ("ieee", "standard", 403),  # not IEEE's
        ("iso", "ieee", 403),
        ("admin", "ieee", 302),
    ],
)
def test_who_may_edit_process(client, session, entries, users, role, standard, status):
    sign_in(client, users[role])
    response = client.post(f"/standards/{entries[standard].id}/process", data=FORM)
    assert response.status_code == status


def test_api_process(client, session, entries, users):
    standard = entries["ieee"]
    assert client.get(f"/api/v1/standards/{standard.id}/process").status_code == 404
    sign_in(client, users["ieee"])
    bad = client.put(f"/api/v1/standards/{standard.id}/process", json={"countries": ["Nowhere"]})
    assert bad.status_code == 400 and "Nowhere" in bad.json["message"]
    ok = client.put(
        f"/api/v1/standards/{standard.id}/process",
        json={"countries": ["us", "CAN"], "text_access": "free", "public_comment": False},
    )
    assert ok.status_code == 200 and ok.json["countries"] == ["CA", "US"]
    assert client.get(f"/api/v1/standards/{standard.id}/process").json["text_access"] == "free"
    other = client.put(f"/api/v1/standards/{entries['standard'].id}/process", json={})
    assert other.status_code == 403
