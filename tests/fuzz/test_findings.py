"""What the fuzzer found, pinned as plain tests so each fix stays fixed."""

from datetime import datetime

import pytest

from app.routing import ID_MAX
from registry.schemas.datetimes import UtcDateTime
from tests import factories as f


@pytest.mark.parametrize("path", ["/api/v1/standards/{}", "/standards/{}",
                                  "/feeds/standards/{}.atom", "/api/v1/feeds/standards/{}"])
def test_an_id_beyond_the_database_range_is_not_found(client, path):
    # Was an OverflowError (SQLite) or an out-of-range error (PostgreSQL): a 500.
    response = client.get(path.format(10**20))
    assert response.status_code == 404
    assert client.get(path.format(ID_MAX)).status_code == 404


def test_the_openapi_document_states_the_id_range(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    (param,) = spec["paths"]["/api/v1/standards/{standard_id}"]["parameters"]
    assert param["schema"]["maximum"] == ID_MAX


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=", "status"),
        ("body=", "body"),
        ("area=", "area"),
        ("page=", "page"),
        ("per_page=", "per_page"),
        ("sort=", "sort"),
    ],
)
def test_the_api_refuses_empty_values_its_schema_excludes(client, query, field):
    response = client.get(f"/api/v1/standards?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["errors"]["query"]


def test_the_api_accepts_an_empty_free_text_query(client, session):
    f.load(session, f.standard("ISO/IEC 22989:2022"))
    response = client.get("/api/v1/standards?q=")
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


def test_pages_still_read_an_empty_filter_as_any(client, session):
    f.load(session, f.standard("ISO/IEC 22989:2022"))
    response = client.get("/standards?status=&body=&area=")
    assert response.status_code == 200
    assert "ISO/IEC 22989:2022" in response.get_data(as_text=True)


def test_api_timestamps_are_rfc3339_with_an_offset():
    # Naive UTC values were written without an offset, which is not an OpenAPI date-time.
    field = UtcDateTime()
    assert field.serialize("at", {"at": datetime(2026, 1, 2, 3, 4, 5)}) == (
        "2026-01-02T03:04:05+00:00"
    )
    assert field.serialize("at", {"at": None}) is None


@pytest.mark.parametrize("request_args", [
    ("GET", "/api/v1/standards?reference=a%00b", {}),
    ("GET", "/glossary/a%00b", {}),
    ("GET", "/api/v1/areas/a%00b", {}),
    ("GET", "/standards?q%00=x", {}),
    ("POST", "/sign-in", {"data": {"email": "a\x00@example.org", "password": "x"}}),
])
def test_a_nul_character_anywhere_in_a_request_is_refused_with_a_message(client, request_args):
    """PostgreSQL refuses NUL in any text: passed on, it made a 500 (found by the attack run)."""
    method, url, kwargs = request_args
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    if url.startswith("/api/"):
        assert response.get_json()["errors"]

