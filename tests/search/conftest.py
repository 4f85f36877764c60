"""Search tests run once per backend: whoosh always, PostgreSQL when the suite runs on it.

The texts below are written for these tests and attributed to fictional bodies (EXA, EXB), never
to a real standards body.
"""

import pytest

from app.search import service
from registry.search.base import SearchRequest
from tests import dbs
from tests import factories as f

BACKENDS = [
    pytest.param({"SEARCH_BACKEND": "whoosh"}, id="whoosh"),
    pytest.param(
        {"SEARCH_BACKEND": "postgres"},
        id="postgres",
        marks=pytest.mark.skipif(
            not dbs.is_postgres(),
            reason="the postgres search backend needs PostgreSQL: set TEST_DATABASE_URL",
        ),
    ),
]


def both_backends(test):
    return pytest.mark.parametrize("app", BACKENDS, indirect=True)(test)


def example_definition(text: str, term: str, **kw) -> dict:
    return f.definition(
        text,
        term=term,
        body=kw.pop("body", "EXA"),
        source=kw.pop("source", "Example glossary (2026)"),
        licence="CC0 (written for the tests)",
        **kw,
    )


@pytest.fixture
def catalogue(session):
    f.load(
        session,
        f.body("EXA", name="Example body A", kind="consortium"),
        f.body("EXB", name="Example body B", kind="national"),
        f.area("fairness"),
        f.standard(
            "ISO/IEC 22989:2022",
            title="Information technology — Artificial "
            "intelligence — Artificial intelligence concepts and terminology",
            areas=["fairness"],
        ),
        f.standard(
            "ISO/IEC 42001:2023",
            title="Information technology — Artificial intelligence — Management system",
        ),
        f.standard(
            "IEEE 7001-2021",
            title="IEEE Standard for Transparency of Autonomous Systems",
            bodies=["IEEE"],
            committee=None,
            type="Std",
        ),
        f.concept("fairness", labels={"en": "fairness", "fr": "équité", "zh-Hans": "公平性"}),
        f.concept("bias", labels={"en": "bias"}),
        example_definition(
            "treatment of people that is free of bias and of unjustified discrimination", "fairness"
        ),
        example_definition(
            "the property of decisions that do not favour one group, checked "
            "against systematic biases",
            "fairness",
            body="EXB",
        ),
        example_definition(
            "a systematic difference in treatment of certain objects, people or groups",
            "bias",
            concept="bias",
        ),
        example_definition(
            "absence de biais injustifié dans une décision automatisée", "équité", language="fr"
        ),
        example_definition(
            "人工智能系统的公平性是指不因群体而产生不合理的差别对待", "公平性", language="zh-Hans"
        ),
        example_definition(
            "la información sobre el funcionamiento del sistema",
            "explicabilidad",
            concept="explicability",
            language="es",
            body="EXB",
        ),
    )


def search(session, q: str = "", **kw):
    return service().search(session, SearchRequest(q, **kw))


def keys(results) -> list[tuple[str, str]]:
    return [(h.kind, h.title) for h in results.items]
