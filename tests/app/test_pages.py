"""Public pages render, escape, and answer errors with pages."""

import pytest

from tests import factories as f


@pytest.fixture
def catalogue(session):
    f.load(session,
           f.area("fairness"),
           f.standard("ISO/IEC 22989:2022", areas=["fairness"],
                      title="Artificial intelligence concepts <script>alert(1)</script>"),
           f.concept("fairness", contested=True, labels={"en": "fairness", "ar": "الإنصاف"}),
           f.definition("nist text"),
           f.definition("iso excerpt", body="ISO", source="ISO/IEC 22989:2022 3.5.4",
                        excerpt=True, url="https://www.iso.org/obp/ui/",
                        licence="Excerpt; text (c) ISO/IEC"))


@pytest.mark.parametrize("url", ["/", "/standards", "/standards?body=ISO&sort=-published",
                                 "/glossary", "/glossary?sort=divergence", "/glossary/fairness",
                                 "/bodies", "/bodies/ISO"])
def test_pages_render(client, catalogue, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b'<main id="main"' in response.data


def test_titles_are_escaped(client, catalogue, session):
    page = client.get("/standards").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_concept_page_shows_sources_side_by_side(client, catalogue):
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert "nist text" in page and "iso excerpt" in page
    assert "clause 3.5.4" in page
    assert "Excerpt only" in page  # licence-aware display
    assert 'lang="ar" dir="rtl"' in page


def test_missing_entries_are_404_pages(client, catalogue):
    for url in ("/standards/424242", "/glossary/nothing", "/bodies/NOBODY"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"<main" in response.data


def test_bad_filter_is_a_400_page(client):
    response = client.get("/standards?year=soon")
    assert response.status_code == 400
    assert b"year" in response.data


def test_empty_filters_from_the_form_mean_any(client, catalogue):
    response = client.get("/standards?q=&body=&status=&type=&area=&year=&sort=reference")
    assert response.status_code == 200
    assert b"ISO/IEC 22989:2022" in response.data
