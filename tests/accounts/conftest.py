"""Users of every role, and tokens for them, for the accounts tests."""

import pytest

from registry.services import tokens
from tests import factories as f
from tests.auth import make_user


@pytest.fixture
def users(session):
    f.load(session, f.body("ISO"), f.body("IEEE", name="IEEE Standards Association"))
    return {
        "admin": make_user(session, "admin"),
        "panel": make_user(session, "panel"),
        "ieee": make_user(session, "submitter", body="IEEE"),
        "iso": make_user(session, "submitter", body="ISO"),
    }


def bearer(session, user, scope: str = "write") -> dict[str, str]:
    """Headers authenticating as ``user`` with a fresh token of ``scope``."""
    _, secret = tokens.create_token(session, user, scope=scope, name="test")
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def ieee_definition(text: str = "the IEEE meaning of transparency", **kw) -> dict:
    return {
        "concept": "transparency",
        "body": "IEEE",
        "source": "IEEE 7001-2021",
        "clause": "3.1",
        "language": "en",
        "designations": [{"term": "transparency", "type": "preferred"}],
        "text": text,
        "licence": "Excerpt (IEEE copyright)",
        "excerpt": True,
        **kw,
    }
