"""Error responses that carry headers: pages as well as the API (found by the fault runs)."""


def test_a_page_refusing_a_method_says_which_are_allowed(client):
    # Was a 500: the page variant of the error was a (text, code) tuple without headers.
    response = client.post("/standards")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "text/html" in response.content_type


def test_the_api_refusing_a_method_says_which_are_allowed(client):
    response = client.delete("/api/v1/standards")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["code"] == 405
