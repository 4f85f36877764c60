"""The /search page and GET /api/v1/search, on every backend."""

import threading

from tests.search.conftest import both_backends

ITEM_KEYS = {
    "kind",
    "id",
    "title",
    "snippet",
    "score",
    "reference",
    "bodies",
    "lang",
    "status",
    "year",
    "concept",
    "url",
}


@both_backends
def test_api_shape(client, catalogue):
    response = client.get("/api/v1/search?q=fairness")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {
        "query",
        "items",
        "total",
        "page",
        "per_page",
        "facets",
        "did_you_mean",
        "fuzzy",
        "degraded",
        "message",
    }
    assert data["total"] == 3 and len(data["items"]) == 3
    assert set(data["facets"]) == {"kind", "body", "lang"}
    assert data["facets"]["kind"] == {"concept": 1, "definition": 2}
    for item in data["items"]:
        assert set(item) == ITEM_KEYS
        assert item["kind"] in ("standard", "concept", "definition")
        assert isinstance(item["score"], float)
    definition = next(i for i in data["items"] if i["kind"] == "definition")
    assert definition["url"] == f"/glossary/fairness#def-{definition['id']}"
    assert definition["concept"] == "fairness"
    concept = next(i for i in data["items"] if i["kind"] == "concept")
    assert concept["url"] == "/glossary/fairness"
    standard = client.get("/api/v1/search?q=22989").get_json()["items"][0]
    assert standard["url"] == f"/standards/{standard['id']}"
    assert standard["reference"] == "ISO/IEC 22989:2022"


@both_backends
def test_api_filters_and_paging(client, catalogue):
    data = client.get("/api/v1/search?q=fairness&kind=definition&body=EXB").get_json()
    assert [(i["kind"], i["bodies"]) for i in data["items"]] == [("definition", ["EXB"])]
    data = client.get("/api/v1/search?q=公平性&lang=zh-Hans&kind=definition").get_json()
    assert [i["title"] for i in data["items"]] == ["公平性"]
    data = client.get("/api/v1/search?q=fairness&per_page=1&page=2").get_json()
    assert (data["total"], data["page"], len(data["items"])) == (3, 2, 1)


@both_backends
def test_api_typo_help(client, catalogue):
    data = client.get("/api/v1/search?q=fairnes").get_json()
    assert data["did_you_mean"] == "fairness" and data["fuzzy"] is True
    assert data["total"] == 3


@both_backends
def test_api_refuses_bad_filters_with_400_but_answers_any_query(client, catalogue):
    for query in ("kind=person", "page=0", "per_page=1000", "lang=!!", "status=lost"):
        response = client.get(f"/api/v1/search?q=fairness&{query}")
        assert response.status_code == 400, query
        assert response.get_json()["message"]
    for q in ("", "%%%", "-x", "a" * 3000):
        response = client.get("/api/v1/search", query_string={"q": q})
        assert response.status_code == 200, q
        assert response.get_json()["message"]


@both_backends
def test_results_page(client, catalogue):
    page = client.get("/search?q=fairness").get_data(as_text=True)
    assert "Results for <q>fairness</q>" in page
    assert "<mark>fairness</mark>" in page
    assert "3 results" in page
    assert 'href="/search?q=fairness&amp;body=EXB"' in page  # a facet narrows the results
    assert 'href="/glossary/fairness"' in page
    narrowed = client.get("/search?q=fairness&kind=definition").get_data(as_text=True)
    assert "2 results" in narrowed and "Any kind" in narrowed


@both_backends
def test_results_page_did_you_mean_and_help(client, catalogue):
    page = client.get("/search?q=fairnes").get_data(as_text=True)
    assert "Showing results for" in page and "<q>fairness</q>" in page
    empty = client.get("/search")
    assert empty.status_code == 200 and "How to search" in empty.get_data(as_text=True)
    nothing = client.get("/search?q=qwertyuiopasdf").get_data(as_text=True)
    assert "Nothing matched" in nothing and "How to search" in nothing
    absurd = client.get("/search?q=%25%25%25")
    assert absurd.status_code == 200 and "nothing to search for" in absurd.get_data(as_text=True)


@both_backends
def test_results_page_escapes_the_query(client, catalogue):
    page = client.get("/search", query_string={"q": '<script>alert("x")</script>'})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_search_is_in_the_navigation(client):
    assert 'href="/search"' in client.get("/").get_data(as_text=True)


def test_a_wrong_backend_setting_fails_at_start(tmp_path):
    import pytest

    from tests.conftest import make_app

    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(RuntimeError, match="PostgreSQL DATABASE_URL"):
        make_app(url, tmp_path, SEARCH_BACKEND="postgres")
    with pytest.raises(RuntimeError, match="choose one of whoosh, postgres"):
        make_app(url, tmp_path, SEARCH_BACKEND="elastic")


@both_backends
def test_a_request_thread_that_is_not_the_main_thread_searches_the_index(client, catalogue):
    # gunicorn's threaded workers answer outside the main thread, where signals are refused.
    answers = []
    worker = threading.Thread(
        target=lambda: answers.append(client.get("/api/v1/search?q=fairness").get_json()))
    worker.start()
    worker.join()
    assert answers[0]["degraded"] is False and answers[0]["total"] == 3


@both_backends
def test_searches_keep_working_across_index_changes_in_one_thread(client, session, catalogue):
    # Each request thread keeps its searcher and refreshes it when the index changes; the
    # refreshed searcher reuses the old one's segment readers, which must stay open.
    from tests import factories as f

    for n in range(3):
        assert client.get("/standards?q=fairness").status_code == 200
        assert not client.get("/api/v1/search?q=fairness").get_json()["degraded"]
        f.load(session, f.standard(f"ISO/IEC 9{n}:2025", title=f"Refresh probe {n}"))
    found = client.get("/api/v1/search?q=refresh probe").get_json()
    assert found["total"] == 3 and not found["degraded"]


@both_backends
def test_a_reference_query_puts_the_standard_first_or_says_there_is_none(client, session,
                                                                        catalogue):
    from tests import factories as f

    f.load(session, f.standard("ISO/IEC 22989:2019", title="An older edition of the vocabulary"))
    # Undated: the newest edition first; dated: that edition.
    undated = client.get("/api/v1/search?q=ISO/IEC 22989").json
    assert undated["items"][0]["reference"] == "ISO/IEC 22989:2022"
    dated = client.get("/api/v1/search?q=ISO/IEC 22989:2019").json
    assert dated["items"][0]["reference"] == "ISO/IEC 22989:2019"
    # A reference the registry lacks: said plainly above the nearest matches.
    missing = client.get("/search?q=ISO 13849-1").text
    assert "No standard in the registry has the reference ISO 13849-1" in missing
    # Not a reference: no such line.
    assert "No standard in the registry" not in client.get("/search?q=fairness").text
