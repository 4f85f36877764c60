"""The read side of the JSON API: shapes, filters, paging, errors."""

import pytest

from tests import factories as f


@pytest.fixture
def catalogue(session):
    f.load(session,
           f.area("fairness"), f.area("safety", kind="trustworthiness"),
           f.standard("ISO/IEC 22989:2022", published="2022-07-19", areas=["fairness"]),
           f.standard("ISO/IEC 42001:2023", published="2023-12-18", areas=["safety"]),
           f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None, type="Std",
                      published="2022-03-04"),
           f.standard("ISO/IEC DIS 12792", status="under_development", published=None),
           f.concept("fairness", contested=True),
           f.definition("nist text"),
           f.definition("eu text", body="EU", source="Regulation (EU) 2024/1689, Recital 27"))


def test_standards_list_shape(client, catalogue):
    data = client.get("/api/v1/standards").get_json()
    assert (data["total"], data["page"], data["per_page"]) == (4, 1, 20)
    item = next(i for i in data["items"] if i["reference"] == "ISO/IEC 22989:2022")
    assert item["bodies"] == ["IEC", "ISO"]
    assert item["published"] == "2022-07-19"
    assert item["committee"] == "ISO/IEC JTC 1/SC 42"
    assert item["areas"] == ["fairness"]
    assert {"id", "title", "status", "type", "url"} <= set(item)


@pytest.mark.parametrize("query, expected", [
    ("body=IEEE", ["IEEE 7001-2021"]),
    ("status=under_development", ["ISO/IEC DIS 12792"]),
    ("type=Std", ["IEEE 7001-2021"]),
    ("area=safety", ["ISO/IEC 42001:2023"]),
    ("year=2022", ["IEEE 7001-2021", "ISO/IEC 22989:2022"]),
    ("reference=iso/iec%2022989:2022", ["ISO/IEC 22989:2022"]),
    ("q=42001", ["ISO/IEC 42001:2023"]),
])
def test_standards_filters(client, catalogue, query, expected):
    data = client.get(f"/api/v1/standards?{query}").get_json()
    assert sorted(i["reference"] for i in data["items"]) == expected


def test_paging(client, catalogue):
    data = client.get("/api/v1/standards?per_page=3&page=2").get_json()
    assert (data["total"], len(data["items"]), data["page"]) == (4, 1, 2)


@pytest.mark.parametrize("query", ["status=nonsense", "year=abc", "per_page=1000", "page=0",
                                   "body=%00bad"])
def test_bad_filters_are_400_with_message(client, catalogue, query):
    response = client.get(f"/api/v1/standards?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["message"] and body["errors"]


def test_unknown_ids_are_404_json(client, catalogue):
    for url in ("/api/v1/standards/999999", "/api/v1/concepts/no-such-thing",
                "/api/v1/nowhere"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["message"]


def test_concept_with_definitions(client, catalogue):
    data = client.get("/api/v1/concepts/fairness").get_json()
    assert data["slug"] == "fairness" and data["contested"] is True
    assert data["labels"] == {"en": "fairness"}
    sources = {d["body"]: d for d in data["definitions"]}
    assert set(sources) == {"EU", "NIST"}
    eu = sources["EU"]
    assert eu["source"] == "Regulation (EU) 2024/1689, Recital 27"
    assert {"id", "clause", "language", "term", "text", "licence", "status"} <= set(eu)


def test_bodies_and_areas(client, catalogue):
    bodies = {b["code"]: b for b in client.get("/api/v1/bodies").get_json()}
    assert bodies["IEEE"]["standards"] == 1
    assert bodies["ISO"]["in_development"] == 1
    areas = {a["slug"]: a for a in client.get("/api/v1/areas").get_json()}
    assert areas["fairness"]["standards"] == 1


def test_bodies_list_from_plain_rows_is_the_documented_shape(client, session, catalogue):
    """The hot list is written from rows, not dumped field by field: the same document."""
    from registry.models import Body
    from registry.schemas.api import BodyCountOut, Overlay
    from registry.services.catalogue import body_counts

    expected = BodyCountOut(many=True).dump([
        Overlay(session.get(Body, row.body.id), published=row.published,
                in_development=row.developing, standards=row.total)
        for row in body_counts(session)])
    assert client.get("/api/v1/bodies").get_json() == expected


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/standards" in spec["paths"]
    assert "400" in spec["paths"]["/api/v1/standards"]["get"]["responses"]


def test_cached_lists_follow_every_catalogue_write(client, session, catalogue):
    """Body counts and the list's filter choices are kept per catalogue_version: a write
    through the write path is seen by the next request."""
    from tests import factories

    before = {b["code"]: b["standards"] for b in client.get("/api/v1/bodies").get_json()}
    assert ">RP</option>" not in client.get("/standards").text
    factories.load(session, factories.standard("IEEE 4242-2026", bodies=["IEEE"], type="RP"))
    after = {b["code"]: b["standards"] for b in client.get("/api/v1/bodies").get_json()}
    assert after["IEEE"] == before["IEEE"] + 1
    assert ">RP</option>" in client.get("/standards").text
