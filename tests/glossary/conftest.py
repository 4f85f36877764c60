"""A small glossary: one concept defined by three bodies, with a revision and a link."""

import pytest

from registry.policy import OPERATOR
from registry.services import divergence
from tests import factories as f

SHARED = "degree to which an AI system treats people and groups without unjust bias"


@pytest.fixture
def glossary(session):
    f.load(
        session,
        f.body("EU", kind="legislation"),
        f.body("OECD", kind="intergovernmental"),
        f.concept("trustworthiness"),
        f.concept(
            "fairness",
            contested=True,
            labels={"en": "fairness", "ar": "الإنصاف", "zh-Hans": "公平性"},
            measurability="IEEE 3198-2025 gives an evaluation method.",
            relations=[{"type": "broader", "concept": "trustworthiness"}],
        ),
        f.definition(SHARED, date="2021-01-01", clause="3.7", nature="socio_technical"),
        f.definition(SHARED, body="OECD", source="OECD AI Principles", date="2019-05-22"),
        f.definition(
            "absence of discrimination in outcomes of automated decisions",
            body="EU",
            source="Regulation (EU) 2024/1689, Recital 27",
            date="2024-07-12",
            licence="CC BY 4.0 (EUR-Lex)",
        ),
        f.definition(
            "الإنصاف هو معاملة الناس دون تحيز",
            body="EU",
            language="ar",
            source="Regulation (EU) 2024/1689, Recital 27",
            term="الإنصاف",
            date="2024-07-12",
            licence="CC BY 4.0 (EUR-Lex)",
        ),
        f.definition(
            "公平性是指人工智能系统不带偏见地对待人",
            body="OECD",
            language="zh-Hans",
            source="OECD AI Principles",
            term="公平性",
            date="2019-05-22",
            licence="OECD terms",
        ),
    )
    # A new revision of NIST's definition: the old one is kept, superseded.
    f.load(
        session,
        f.definition(
            SHARED + " <b>and</b> harm", date="2023-01-26", clause="3.7", nature="socio_technical"
        ),
    )
    divergence.recompute_all(session, OPERATOR)
    session.commit()
    return session
