"""The policy decides every write: roles, and a submitter's own body."""

import pytest
from sqlalchemy import select

from registry import policy
from registry.models import Standard
from tests import factories as f
from tests.auth import make_user


@pytest.fixture
def users(session):
    return {
        "admin": make_user(session, "admin"),
        "panel": make_user(session, "panel"),
        "ieee": make_user(session, "submitter", body="IEEE"),
    }


def test_anonymous_may_write_nothing(users):
    for action in policy.RULES:
        assert not policy.can(None, action)
        with pytest.raises(policy.NotSignedIn):
            policy.require(None, action)


def test_submitter_acts_for_its_own_body_only(session, users):
    f.load(session, f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None),
           f.standard("ISO/IEC 22989:2022"))
    ieee_std, iso_std = (session.scalar(select(Standard).where(Standard.reference == r))
                         for r in ("IEEE 7001-2021", "ISO/IEC 22989:2022"))
    sub = users["ieee"]
    assert policy.can(sub, "submission.create", ieee_std)
    assert policy.can(sub, "submission.create", "IEEE")
    assert not policy.can(sub, "submission.create", iso_std)
    assert policy.can(sub, "submission.create")  # role level: may open the form
    assert not policy.can(sub, "submission.create", {"bodies": []})
    with pytest.raises(policy.Forbidden, match="You submit for IEEE only"):
        policy.require(sub, "submission.create", {"bodies": ["ISO", "IEEE"]})
    assert not policy.can(sub, "submission.review")


def test_panel_and_admin(users):
    assert policy.can(users["panel"], "gap.annotate")
    assert not policy.can(users["panel"], "user.manage")
    assert all(policy.can(users["admin"], action) for action in policy.RULES)


def test_inactive_users_are_refused(session, users):
    users["admin"].active = False
    assert not policy.can(users["admin"], "audit.read")


def test_unknown_action_is_a_programming_error(users):
    with pytest.raises(KeyError):
        policy.can(users["admin"], "standard.teleport")
