"""Every search is bounded: prefix expansion is capped and a request stops at its deadline, with
a message that says what to change, never a worker held for a minute or a 500."""

import pytest
from sqlalchemy import text

from app.search import service
from registry.search import postgres_backend, whoosh_backend
from registry.search.base import SearchRequest, TooBroad
from tests import dbs
from tests import factories as f

whoosh_only = pytest.mark.parametrize("app", [{"SEARCH_BACKEND": "whoosh"}], indirect=True)


@pytest.fixture
def references(session):
    f.load(session, f.body("EXA", name="Example body A", kind="consortium"),
           *[f.standard(f"EXA {n}:2020", title=f"Example {n}", bodies=["EXA"])
             for n in range(1000, 1012)])
    service().drain()


@whoosh_only
def test_a_prefix_past_the_expansion_cap_asks_for_more_letters(app, session, references,
                                                               client, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "MAX_EXPANSION", 5)  # 12 references start with "10"
    data = client.get("/api/v1/search?q=10*").get_json()
    assert data["total"] == 0 and "matches more than 5 words" in data["message"]
    assert client.get("/api/v1/search?q=1001*").get_json()["total"] == 1  # a narrow prefix
    assert client.get("/standards?q=10*").status_code == 200


@whoosh_only
def test_the_deadline_covers_counting_and_facets(app, session, references, monkeypatch):
    """Out of time, the counts are of what was found: no second pass over every match."""
    monkeypatch.setattr(whoosh_backend, "DEADLINE", 0.0)
    counted = []
    real = whoosh_backend.WhooshBackend._search

    def spy(self, parsed, request):
        searcher = self._searcher()
        original = searcher.docs_for_query
        searcher.docs_for_query = lambda *a, **k: counted.append(1) or original(*a, **k)
        try:
            return real(self, parsed, request)
        finally:
            searcher.docs_for_query = original

    monkeypatch.setattr(whoosh_backend.WhooshBackend, "_search", spy)
    results = service().search(session, SearchRequest("example"))
    assert results.message and "counts are of those only" in results.message
    assert counted == [] and results.total == len(results.items) <= 12


@pytest.mark.skipif(not dbs.is_postgres(), reason="needs PostgreSQL: set TEST_DATABASE_URL")
@pytest.mark.parametrize("app", [{"SEARCH_BACKEND": "postgres"}], indirect=True)
def test_postgresql_cancels_a_search_past_its_deadline_and_goes_on(app, session, monkeypatch):
    monkeypatch.setattr(postgres_backend, "DEADLINE", 0.05)
    with pytest.raises(TooBroad, match="too much to answer in time"), \
            postgres_backend._deadline(session):
        session.execute(text("SELECT pg_sleep(2)"))
    assert session.execute(text("SELECT 1")).scalar() == 1  # the transaction goes on
    assert session.execute(text("SHOW statement_timeout")).scalar() == "0"  # and no deadline


@pytest.mark.parametrize("url", ["/api/v1/search?q=example", "/search?q=example"])
@pytest.mark.private_app
@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_searches_are_rate_limited_per_client(app, client, references, url):
    from app.extensions import limiter

    rate = int(app.config["SEARCH_RATE_LIMIT"].split("/")[0])
    assert rate == 120  # the default
    try:
        answers = [client.get(url).status_code for _ in range(rate + 3)]
        other_client = client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code
    finally:
        limiter.reset()
    assert answers[:rate] == [200] * rate and answers[-3:] == [429] * 3
    assert other_client == 200  # per client, not for everyone
