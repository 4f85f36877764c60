"""The gap rule the glossary adds: contested concepts of an area with no agreed definition."""

from datetime import date

from sqlalchemy import select

from registry.models import Concept, Definition
from registry.policy import OPERATOR
from registry.services import divergence, gaps, links
from tests import factories as f

T = gaps.Thresholds(divergence=0.5, today=date(2026, 6, 1))


def _flags(session, slug):
    area = next(a for a in gaps.compute(session, T) if a.slug == slug)
    return {fl.rule: fl for fl in area.flags}, area


def test_contested_concept_without_agreed_definition_is_a_gap(session):
    f.load(
        session,
        f.area("fairness"),
        f.area("safety"),
        f.body("EU", kind="legislation"),
        f.concept("fairness", areas=["fairness"]),
        f.concept("safety", areas=["safety"]),
        f.definition("equal treatment of groups"),
        f.definition(
            "absence of discrimination in automated decisions",
            body="EU",
            source="Regulation (EU) 2024/1689",
        ),
        f.definition("freedom from unacceptable risk", concept="safety", term="safety"),
        f.definition(
            "freedom from unacceptable risk",
            concept="safety",
            term="safety",
            body="EU",
            source="Regulation (EU) 2024/1689",
        ),
    )
    divergence.recompute_all(session, OPERATOR)
    session.commit()
    found, area = _flags(session, "fairness")
    flag = found["contested-concepts"]
    assert flag.title == "Contested concepts with no agreed definition"
    assert "1 concept of this area (fairness) has no agreed definition" in flag.reason
    assert "more than 0.50" in flag.reason
    assert area.stats["contested"] == 1
    # Identical definitions of safety: divergence 0, not contested.
    assert "contested-concepts" not in _flags(session, "safety")[0]

    # An accepted close link between two of its definitions settles it; a proposed one does not.
    nist, eu = session.scalars(
        select(Definition.id).where(Definition.concept.has(slug="fairness")).order_by(Definition.id)
    ).all()
    link = links.create_link(
        session, OPERATOR, source_id=nist, target_id=eu, type="close", rationale="same idea"
    )
    session.commit()
    assert "contested-concepts" in _flags(session, "fairness")[0]
    links.review_link(session, OPERATOR, link, state="accepted")
    session.commit()
    assert "contested-concepts" not in _flags(session, "fairness")[0]


def test_threshold_comes_from_the_setting(session):
    f.load(
        session,
        f.area("fairness"),
        f.body("EU", kind="legislation"),
        f.concept("fairness", areas=["fairness"]),
        f.definition("equal treatment of people and groups"),
        f.definition(
            "equal treatment of all persons", body="EU", source="Regulation (EU) 2024/1689"
        ),
    )
    divergence.recompute_all(session, OPERATOR)
    session.commit()
    score = session.scalar(select(Concept.divergence).where(Concept.slug == "fairness"))
    assert 0 < score < 1
    loose = gaps.Thresholds(divergence=score + 0.01, today=T.today)
    strict = gaps.Thresholds(divergence=score - 0.01, today=T.today)
    area = lambda t: next(a for a in gaps.compute(session, t) if a.slug == "fairness")  # noqa: E731
    assert "contested-concepts" not in area(loose).rules
    assert "contested-concepts" in area(strict).rules
