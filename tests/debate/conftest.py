"""A small catalogue and one user of each role, for the debate and evaluation tests."""

import pytest
from sqlalchemy import select

from registry import rubric
from registry.models import Area, Concept, Definition, Standard
from tests import factories as f
from tests.auth import make_user


@pytest.fixture
def entries(session):
    f.load(
        session,
        f.area("fairness"),
        f.standard("ISO/IEC 22989:2022", areas=["fairness"], edition="1"),
        f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None, areas=["fairness"]),
        f.concept("fairness", areas=["fairness"]),
        f.definition("a property of being fair"),
    )
    return {
        "standard": session.scalar(
            select(Standard).where(Standard.reference == "ISO/IEC 22989:2022")
        ),
        "ieee": session.scalar(select(Standard).where(Standard.reference == "IEEE 7001-2021")),
        "concept": session.scalar(select(Concept).where(Concept.slug == "fairness")),
        "area": session.scalar(select(Area).where(Area.slug == "fairness")),
        "definition": session.scalar(select(Definition)),
    }


@pytest.fixture
def users(session):
    return {
        "admin": make_user(session, "admin"),
        "panel": make_user(session, "panel"),
        "panel2": make_user(session, "panel", email="panel2@example.org"),
        "ieee": make_user(session, "submitter", body="IEEE"),
        "iso": make_user(session, "submitter", body="ISO"),
    }


def scores(value: int | None = 3, text: str = "Justified at some length.") -> dict:
    """A complete, valid set of scores: every criterion ``value``."""
    return {c.key: {"score": value, "justification": text} for c in rubric.CRITERIA}


def form_scores(value: int | str = 3, text: str = "Justified at some length.") -> dict:
    """The same as the evaluation form sends it."""
    data = {}
    for c in rubric.CRITERIA:
        data[f"{c.key}-score"] = str(value)
        data[f"{c.key}-justification"] = text
    return data
