"""The glossary's JSON API: concepts with links and divergence, definitions, links, compare."""

from sqlalchemy import select

from registry.models import Definition
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
        source_id=cur["NIST"].id,
        target_id=cur["EU"].id,
        type="conflicting",
        rationale="differ",
        author_id=None,
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
        source_id=cur["NIST"].id,
        target_id=cur["OECD"].id,
        type="close",
        rationale="near",
        author_id=None,
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
