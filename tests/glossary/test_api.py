"""The glossary's JSON API: concepts with links and divergence, definitions, links, compare."""

from sqlalchemy import select

from registry.models import Definition
from registry.policy import OPERATOR
from registry.services import links


def _current(session):
    return {
        d.body.code: d
        for d in session.scalars(
            select(Definition).where(Definition.status == "current", Definition.language == "en")
        )
    }


def test_concept_has_links_divergence_measurability_relations(client, glossary):
    cur = _current(glossary)
    links.create_link(
        glossary,
        OPERATOR,
        source_id=cur["NIST"].id,
        target_id=cur["EU"].id,
        type="conflicting",
        rationale="differ",
    )
    glossary.commit()
    data = client.get("/api/v1/concepts/fairness").get_json()
    assert data["measurability"] == "IEEE 3198-2025 gives an evaluation method."
    assert 0 < data["divergence"] < 1
    assert len(data["definitions"]) == 5
    assert [
        (lk["type"], lk["source"]["body"], lk["target"]["body"], lk["state"])
        for lk in data["links"]
    ] == [("conflicting", "NIST", "EU", "proposed")]
    assert data["relations"] == [{"type": "broader", "concept": "trustworthiness"}]
    assert len(data["pairs"]) == 3
    assert data["pairs"] == sorted(data["pairs"], key=lambda p: p["similarity"])


def test_divergence_endpoint_documents_the_measure(client, glossary):
    data = client.get("/api/v1/concepts/fairness/divergence").get_json()
    assert "TF-IDF" in data["measure"] and len(data["pairs"]) == 3
    assert client.get("/api/v1/concepts/none/divergence").status_code == 404


def test_definitions_filters(client, glossary):
    def bodies(query):
        return sorted(
            d["body"] for d in client.get(f"/api/v1/definitions?{query}").get_json()["items"]
        )

    assert bodies("") == ["EU", "EU", "NIST", "OECD", "OECD"]
    assert bodies("body=OECD&language=zh-Hans") == ["OECD"]
    assert bodies("concept=fairness&language=en") == ["EU", "NIST", "OECD"]
    assert bodies("source=Regulation (EU) 2024/1689") == ["EU", "EU"]
    assert bodies("status=superseded") == ["NIST"]
    assert client.get("/api/v1/definitions?status=deleted").status_code == 400


def test_links_list_and_compare(client, glossary):
    cur = _current(glossary)
    links.create_link(
        glossary,
        OPERATOR,
        source_id=cur["NIST"].id,
        target_id=cur["OECD"].id,
        type="close",
        rationale="near",
    )
    glossary.commit()
    assert client.get("/api/v1/links?body=OECD").get_json()["total"] == 1
    assert client.get("/api/v1/links?state=accepted").get_json()["total"] == 0
    assert client.get("/api/v1/links?type=wrong").status_code == 400
    data = client.get(f"/api/v1/compare?a={cur['NIST'].id}&b={cur['OECD'].id}").get_json()
    assert data["similarity"] is not None and data["shared_words"] >= 10
    assert {s["kind"] for s in data["a_segments"]} == {"same", "diff"}
    assert client.get("/api/v1/compare?a=1&b=999999").status_code == 404


def test_index_sorted_most_contested_first(client, glossary):
    items = client.get("/api/v1/concepts?sort=divergence").get_json()["items"]
    assert items[0]["slug"] == "fairness" and items[-1]["divergence"] is None


def test_panel_links_and_reviews_over_the_api(client, glossary):
    from tests.accounts.conftest import bearer
    from tests.auth import make_user

    cur = _current(glossary)
    panel = bearer(glossary, make_user(glossary, "panel"))
    body = {
        "source": cur["NIST"].id,
        "target": cur["EU"].id,
        "type": "conflicting",
        "rationale": "different notions",
    }
    created = client.post("/api/v1/links", json=body, headers=panel)
    assert created.status_code == 201, created.json
    assert created.json["state"] == "proposed" and created.json["author"].startswith("Panel member")
    again = client.post(
        "/api/v1/links",
        headers=panel,
        json={**body, "source": cur["EU"].id, "target": cur["NIST"].id},
    )
    assert again.status_code == 409 and "already linked" in again.json["message"], again.json
    self_link = client.post("/api/v1/links", headers=panel, json={**body, "target": cur["NIST"].id})
    assert self_link.status_code == 422
    assert client.post(
        "/api/v1/links", headers=panel, json={**body, "type": "same"}
    ).status_code in (400, 422)
    reviewed = client.post(
        f"/api/v1/links/{created.json['id']}/review", headers=panel, json={"state": "rejected"}
    )
    assert reviewed.status_code == 200 and reviewed.json["state"] == "rejected"
    assert (
        client.post(
            "/api/v1/links/999999/review", headers=panel, json={"state": "accepted"}
        ).status_code
        == 404
    )


def test_api_link_writes_need_the_panel(client, glossary):
    from tests.accounts.conftest import bearer
    from tests.auth import make_user

    cur = _current(glossary)
    body = {"source": cur["NIST"].id, "target": cur["EU"].id, "type": "close", "rationale": "x"}
    assert client.post("/api/v1/links", json=body).status_code == 401
    submitter = bearer(glossary, make_user(glossary, "submitter", body="NIST"))
    assert client.post("/api/v1/links", json=body, headers=submitter).status_code == 403
    read_only = bearer(glossary, make_user(glossary, "panel"), scope="read")
    assert client.post("/api/v1/links", json=body, headers=read_only).status_code == 403
