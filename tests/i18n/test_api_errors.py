"""API errors follow Accept-Language: the message is in the client's language, the fields
(code, status, errors and their keys) never change. Pages say the same in the reader's."""

import pytest


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "Il n'existe aucune norme d'identifiant 987654."),
    ("zh-CN,zh;q=0.9", "没有 id 为 987654 的标准。"),
    ("ar", "لا يوجد معيار بالمعرّف 987654."),
    ("de", "There is no standard with id 987654."),
])
def test_not_found_in_the_clients_language(client, language, expected):
    response = client.get("/api/v1/standards/987654", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert response.json == {"code": 404, "status": "Not Found", "message": expected}


def test_invalid_parameters_keep_their_field_names(client):
    response = client.get("/api/v1/standards?per_page=0", headers={"Accept-Language": "ru"})
    body = response.json
    assert response.status_code == 400 and body["code"] == 400
    assert body["status"] == "Bad Request"
    assert body["message"] == "В запросе недопустимые параметры."
    assert "per_page" in body["errors"]["query"]


def test_refusals_and_unknown_addresses(client):
    response = client.post("/api/v1/follows", json={}, headers={"Accept-Language": "es"})
    assert response.status_code == 401 and response.json["status"] == "Unauthorized"
    assert response.json["message"] == "Inicie sesión para hacer esto."
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "zh-Hans"})
    assert response.json["message"] == "此地址下没有内容。如果是您手动输入的，请检查拼写。"


def test_the_api_ignores_the_page_switch(client):
    # The cookie is the pages' choice; an API client says its language in each request.
    client.set_cookie("lang", "ar")
    response = client.get("/api/v1/standards/987654")
    assert response.json["message"] == "There is no standard with id 987654."


def test_error_pages_in_the_readers_language(client):
    client.set_cookie("lang", "fr")
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="fr" dir="ltr">' in page
    assert "<h1>Introuvable</h1>" in page
    assert "Il n&#39;y a rien à cette adresse." in page
